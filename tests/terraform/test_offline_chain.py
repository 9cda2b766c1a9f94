"""Real Terraform over every synthesized stack, offline: validate, plan and simulated apply in deploy order,
and proof that the chain fails with Terraform's own message when a configuration is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ALL_STACK_IDS
from tfoffline import harness, schemas
from tfoffline.vendor import used_types


@pytest.mark.parametrize("stack", ALL_STACK_IDS)
def test_stack_validates_plans_and_applies_after_the_layers_before_it(
    chain: dict[str, harness.StackResult], stack: str
) -> None:
    assert stack in chain, "an earlier layer of this environment failed; see its test"
    result = chain[stack]
    assert result.error == ""
    assert result.validated and result.planned > 0


def test_every_resource_type_the_stacks_use_has_a_vendored_schema(synth_dir: Path) -> None:
    missing = []
    for section, names in used_types(synth_dir / "stacks").items():
        for name in sorted(names):
            if name not in schemas.load(schemas.provider_of(name))[schemas.SECTIONS[section]]:
                missing.append(f"{section} {name}")
    assert missing == [], "run: .venv/bin/python -m tfoffline.vendor"


def stack(name: str, resources: dict[str, Any], provider: str = "aws") -> dict[str, Any]:
    """A minimal synthesized-stack document for one provider."""
    config = {"region": "us-east-1"} if provider == "aws" else {}
    return {
        "//": {"metadata": {"stackName": name}},
        "terraform": {
            "required_providers": {provider: {"source": provider, "version": schemas.PROVIDERS[provider]}}
        },
        "provider": {provider: [config]},
        "resource": resources,
    }


def peer_authentication(mode: str) -> dict[str, Any]:
    return {
        "kubernetes_manifest": {
            "mtls": {
                "manifest": {
                    "apiVersion": "security.istio.io/v1",
                    "kind": "PeerAuthentication",
                    "metadata": {"name": "default", "namespace": "istio-system"},
                    "spec": {"mtls": {"mode": mode}},
                }
            }
        }
    }


NEGATIVE = {
    "misspelt_attribute": (
        stack("misspelt", {"aws_vpc": {"main": {"cidr_blok": "10.0.0.0/16"}}}),
        'No argument or block type is named "cidr_blok". Did you mean "cidr_block"?',
    ),
    "missing_required_attribute": (
        stack("required", {"aws_subnet": {"main": {"cidr_block": "10.0.0.0/24"}}}),
        'The argument "vpc_id" is required, but no definition was found.',
    ),
    "undeclared_reference": (
        stack("undeclared", {"aws_subnet": {"main": {
            "vpc_id": "${aws_vpc.missing.id}", "cidr_block": "10.0.0.0/24",
        }}}),
        'A managed resource "aws_vpc" "missing" has not been declared in the root',
    ),
    "cycle": (
        stack("cycle", {"aws_security_group": {
            "a": {"name": "${aws_security_group.b.name}"}, "b": {"name": "${aws_security_group.a.name}"},
        }}),
        "Error: Cycle: ",  # Terraform names the two in either order
    ),
    "invalid_kubernetes_manifest": (
        stack("manifest", peer_authentication("STRICTEST"), provider="kubernetes"),
        "spec.mtls.mode: 'STRICTEST' is not one of ['UNSET', 'DISABLE', 'PERMISSIVE',",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(NEGATIVE))
def test_terraform_rejects_a_broken_configuration_with_its_own_message(
    workspace: harness.Workspace, case: str
) -> None:
    doc, message = NEGATIVE[case]
    result = harness.run_stack(workspace, doc, apply=False)
    assert result.error, "Terraform accepted a broken configuration"
    assert "terraform validate failed" in result.error
    assert message in result.error
    if case == "cycle":
        assert "aws_security_group.a" in result.error and "aws_security_group.b" in result.error


def test_a_valid_custom_resource_plans_and_applies(workspace: harness.Workspace) -> None:
    result = harness.run_stack(
        workspace, stack("valid-manifest", peer_authentication("STRICT"), "kubernetes")
    )
    assert result.error == ""
    assert (result.validated, result.planned) == (True, 1)


def test_cross_stack_state_points_at_the_scratch_folder(
    workspace: harness.Workspace, synth_dir: Path
) -> None:
    doc = json.loads((synth_dir / "stacks" / "staging-platform" / "cdk.tf.json").read_text())
    local = workspace.localize(doc)
    assert local["terraform"]["backend"] == {"local": {"path": workspace.state_file("staging-platform")}}
    (remote,) = local["data"]["terraform_remote_state"].values()
    assert remote["backend"] == "local"
    assert remote["config"] == {"path": workspace.state_file("staging-foundation")}


def test_data_sources_read_wholly_known_non_empty_values(workspace: harness.Workspace) -> None:
    doc = stack(
        "data-sources",
        {
            "aws_subnet": {"main": {
                "vpc_id": "vpc-1", "cidr_block": "10.0.0.0/24",
                # indexing needs a non-empty list from the data source
                "availability_zone": "${data.aws_availability_zones.zones.names[0]}",
            }},
            "aws_iam_policy": {"read": {
                "name": "read", "policy": "${data.aws_iam_policy_document.read.json}",
            }},
        },
    )  # fmt: skip
    doc["data"] = {
        "aws_availability_zones": {"zones": {"state": "available"}},
        "aws_iam_policy_document": {
            "read": {"statement": [{"actions": ["s3:GetObject"], "resources": ["*"]}]}
        },
    }
    result = harness.run_stack(workspace, doc)
    assert result.error == ""
    assert result.planned == 2


def test_each_stack_is_reported_as_it_finishes_in_its_environments_deploy_order(
    chain: dict[str, harness.StackResult], synth_dir: Path
) -> None:
    """bin/dev validate prints a stack's row the moment it is done (the chain heard of every stack before
    run_all_in returned), each environment's in deploy order."""
    from tests.terraform.conftest import PROGRESS

    assert sorted(line.split()[0] for line in PROGRESS) == sorted(chain)
    assert all(line == harness.row(chain[line.split()[0]]) for line in PROGRESS)
    for stacks in harness.stacks_in_deploy_order(synth_dir).values():
        reported = [line.split()[0] for line in PROGRESS if line.split()[0] in stacks]
        assert reported == stacks

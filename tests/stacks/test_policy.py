"""checkov over every synthesized stack: zero failed checks beyond the reviewed skips in policy/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import environments
from policy.gate import GateResult, evaluate, label, load_skips


@pytest.fixture(scope="session")
def gate(checkov_report: dict[str, Any]) -> GateResult:
    return evaluate(checkov_report, load_skips())


def test_checkov_finds_no_failed_check_beyond_reviewed_skips(gate: GateResult) -> None:
    assert [label(f) for f in gate.failed] == []
    assert gate.passed > 300  # checkov really parsed the stacks


def test_every_reviewed_skip_still_matches_a_failure(gate: GateResult) -> None:
    assert gate.stale_skips == []


def test_checkov_finds_no_failed_kubernetes_check_in_what_the_releases_install(
    kubernetes_gate: GateResult,
) -> None:
    assert [label(f) for f in kubernetes_gate.failed] == []
    assert kubernetes_gate.stale_skips == []
    assert kubernetes_gate.passed > 10_000  # checkov really read every rendered object, in every stack


def test_a_rendered_object_skip_covers_only_its_release_and_object() -> None:
    where = "istio-ingressgateway/Deployment/istio-ingress/istio-ingressgateway"
    skip = {"checks": ["CKV_K8S_14"], "stacks": ["*-platform"], "reason": "r", "resources": [where]}
    gateway = {"check_id": "CKV_K8S_14", "file_path": "/a1.yaml", "resource": "Deployment.istio-ingress.x",
               "installed": {"stack": "dev-platform", "resource": where}}  # fmt: skip
    other = {
        **gateway,
        "installed": {"stack": "dev-platform", "resource": "istiod/Deployment/istio-system/istiod"},
    }
    report = {"summary": {"passed": 1}, "results": {"failed_checks": [gateway, other]}}
    result = evaluate(report, [skip], framework="kubernetes")
    assert result.skipped == [gateway] and result.failed == [other]
    # a Terraform gate neither uses nor reports a skip of rendered objects
    assert evaluate({"summary": {"passed": 1}, "results": {"failed_checks": []}}, [skip]).stale_skips == []


def test_a_skip_covers_only_its_own_check_stack_and_resource() -> None:
    skips = load_skips()
    finding = {
        "check_id": "CKV_AWS_338",
        "file_path": "/dev-foundation/cdk.tf.json",
        "resource": "resource.x",
    }
    assert evaluate({"summary": {"passed": 1}, "results": {"failed_checks": [finding]}}, skips).failed == [
        finding
    ]


def test_each_check_of_a_skip_must_still_match_a_failure() -> None:
    skip = {"checks": ["CKV_AWS_1", "CKV_AWS_2"], "stacks": ["*"], "resources": ["x"], "reason": "r"}
    finding = {
        "check_id": "CKV_AWS_1",
        "file_path": "/dev-foundation/cdk.tf.json",
        "resource": "aws_s3_bucket.x",
    }
    result = evaluate({"summary": {"passed": 1}, "results": {"failed_checks": [finding]}}, [skip])
    assert result.skipped == [finding] and result.failed == []
    assert result.stale_skips == ["CKV_AWS_2 ['*'] ['x']"]  # the other check no longer fails: remove it


def test_a_skip_without_checks_or_reason_is_refused(tmp_path: Path) -> None:
    skips = tmp_path / "skips.yaml"
    skips.write_text("- checks: []\n  stacks: ['*']\n  resources: ['*']\n  reason: because\n")
    with pytest.raises(ValueError, match="each skip needs checks"):
        load_skips(skips)


def test_a_skip_for_a_tier_covers_its_environments_and_no_other() -> None:
    """A skip selecting environments by what they are covers an environment added later with that tier, and
    never one of another tier, whatever the names."""
    skip = {
        "checks": ["CKV_AWS_157"], "stacks": ["*-foundation"], "environments": ["sandbox"],
        "resources": ["database_instance_*"], "reason": "r",
    }  # fmt: skip

    def failing(env: str) -> dict[str, str]:
        return {
            "check_id": "CKV_AWS_157",
            "file_path": f"/{env}-foundation/cdk.tf.json",
            "resource": "aws_db_instance.database_instance_ABC",
        }

    sandboxes = [env.name for env in environments.ALL if env.tier == "sandbox"]
    guarded = [env.name for env in environments.ALL if env.tier != "sandbox"]
    findings = [failing(name) for name in (*sandboxes, *guarded)]
    result = evaluate({"summary": {"passed": 0}, "results": {"failed_checks": findings}}, [skip])
    assert [f["file_path"] for f in result.skipped] == [f"/{n}-foundation/cdk.tf.json" for n in sandboxes]
    assert [f["file_path"] for f in result.failed] == [f"/{n}-foundation/cdk.tf.json" for n in guarded]


def test_a_skip_naming_an_unknown_kind_of_environment_is_refused(tmp_path: Path) -> None:
    skips = tmp_path / "skips.yaml"
    skips.write_text(
        "- checks: [X]\n  stacks: ['*']\n  environments: [dev]\n  resources: ['*']\n  reason: r\n"
    )
    with pytest.raises(ValueError, match="may name environments among production, staging, sandbox, standby"):
        load_skips(skips)

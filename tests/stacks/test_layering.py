"""Three layers per environment, each able to plan in deploy order; state, providers and determinism."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import environments
import services
from environments.base import EnvironmentConfig
from stacks.platform import INSTALLED_CRD_GROUPS
from tests.conftest import ALL_STACK_IDS, StackDoc, resources

Reader = Callable[[str], StackDoc]
KUBE_PROVIDERS = {"kubernetes", "helm"}


def test_every_environment_has_its_three_layers_plus_bootstrap_where_state_is_in_s3() -> None:
    assert set(ALL_STACK_IDS) == {
        f"{env.name}-{layer}" for env in environments.ALL for layer in ("foundation", "platform", "apps")
    } | {f"{env.name}-bootstrap" for env in environments.ALL if env.backend.kind == "s3"}


@pytest.mark.parametrize("stack_id", [s for s in ALL_STACK_IDS if s.endswith(("-foundation", "-bootstrap"))])
def test_aws_layers_configure_only_the_aws_provider(stack_doc: Reader, stack_id: str) -> None:
    assert set(stack_doc(stack_id)["provider"]) == {"aws"}


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_platform_and_apps_read_the_cluster_from_foundation_remote_state(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    for layer in ("platform", "apps"):
        doc = stack_doc(f"{env.name}-{layer}")
        assert set(doc["provider"]) == KUBE_PROVIDERS
        kube = doc["provider"]["kubernetes"][0]
        assert kube["host"].startswith(
            f"${{data.terraform_remote_state.cross-stack-reference-input-{env.name}-foundation."
        )
        assert kube["exec"][0]["args"][:2] == ["eks", "get-token"]
        assert "token" not in kube and "client_key" not in kube  # nothing long-lived in state


@pytest.mark.parametrize("stack_id", ALL_STACK_IDS)
def test_nothing_reads_the_cluster_before_it_exists(stack_doc: Reader, stack_id: str) -> None:
    doc = stack_doc(stack_id)
    data_sources = set(doc.get("data", {}))
    assert not {d for d in data_sources if d.startswith(("kubernetes_", "helm_"))}
    manifests = doc.get("resource", {}).get("kubernetes_manifest", {})
    if not stack_id.endswith("-apps"):
        assert not manifests
    for manifest in manifests.values():  # apps: only kinds whose CRDs the platform stack installs
        assert manifest["manifest"]["apiVersion"].rpartition("/")[0] in INSTALLED_CRD_GROUPS


def test_apps_deploy_after_platform_after_foundation(synth_dir: Path) -> None:
    manifest = json.loads((synth_dir / "manifest.json").read_text())["stacks"]
    for env in environments.ALL:
        assert f"{env.name}-platform" in manifest[f"{env.name}-apps"]["dependencies"]
        assert f"{env.name}-foundation" in manifest[f"{env.name}-platform"]["dependencies"]
        if env.backend.kind == "s3":
            assert f"{env.name}-bootstrap" in manifest[f"{env.name}-foundation"]["dependencies"]


@pytest.mark.parametrize(
    "env", [e for e in environments.ALL if e.backend.kind == "s3"], ids=lambda env: env.name
)
def test_shared_environments_keep_encrypted_locked_state_in_s3_one_key_per_stack(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    for stack_id in env.stack_ids:
        s3 = stack_doc(stack_id)["terraform"]["backend"]["s3"]
        assert s3["bucket"] == env.backend.bucket
        assert s3["key"] == f"{stack_id}/terraform.tfstate"
        assert s3["encrypt"] is True and s3["use_lockfile"] is True
        assert s3["kms_key_id"].startswith(
            f"arn:aws:kms:{env.location.region}:{env.location.account_id}:alias/"
        )


def test_bootstrap_stacks_keep_local_state_at_a_relative_path(stack_doc: Reader) -> None:
    for env in environments.ALL:  # every shipped environment keeps the rest of its state in S3
        path = stack_doc(f"{env.name}-bootstrap")["terraform"]["backend"]["local"]["path"]
        assert path == f"../../../terraform.{env.name}-bootstrap.tfstate"


def test_no_absolute_paths_or_machine_names_in_any_synthesized_file(synth_dir: Path) -> None:
    checkout = str(Path.cwd())
    # machine paths only: container paths (/var/log/pods, /var/loki) are part of the configuration
    absolute = re.compile(r'"(/(root|home|tmp|work|Users|var/folders)/|[A-Za-z]:\\\\)')
    # the machine's name as a word of its own (a short name such as "vm" is part of "vmware-tanzu")
    machine = re.compile(rf"(?<![\w.-]){re.escape(os.uname().nodename)}(?![\w-])")
    for path in synth_dir.rglob("*.json"):
        text = path.read_text()
        assert checkout not in text and str(synth_dir) not in text, path
        assert not absolute.search(text), path
        assert not machine.search(text), path


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_aws_provider_has_default_tags_and_is_pinned_to_the_account(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    providers = stack_doc(f"{env.name}-foundation")["provider"]["aws"]
    (aws,) = [p for p in providers if "alias" not in p]
    for (
        provider
    ) in providers:  # the aliases (a primary's region, Route 53's home) are pinned and tagged alike
        tags = provider["default_tags"][0]["tags"]
        assert set(tags) >= {"Project", "Environment", "Owner", "CostCenter"}
        assert tags["Environment"] == env.name
        assert provider["allowed_account_ids"] == [env.location.account_id]
    assert aws["region"] == env.location.region
    aliases = {p["alias"]: p["region"] for p in providers if "alias" in p}
    if env.standby:
        assert (
            aliases["primary"]
            == next(e for e in environments.ALL if e.name == env.standby.primary).location.region
        )
    # Route 53 keeps DNSSEC keys and query-log groups in us-east-1: a stack elsewhere reaches it by alias.
    assert aliases.get("route53_home") == (None if env.location.region == "us-east-1" else "us-east-1")
    assert set(aliases) <= {"primary", "route53_home"}


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_service_namespaces_enforce_restricted_pod_security_and_join_the_mesh(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    namespaces = resources(stack_doc(f"{env.name}-apps"), "kubernetes_namespace_v1").values()
    labels = {ns["metadata"]["name"]: ns["metadata"]["labels"] for ns in namespaces}
    assert set(labels) == {spec.name for spec in services.SPECS}
    for label_set in labels.values():
        assert label_set["pod-security.kubernetes.io/enforce"] == "restricted"
        assert label_set["istio-injection"] == "enabled"


NAMESPACED = ("helm_release", "kubernetes_manifest", *(f"kubernetes_{kind}" for kind in (
    "network_policy_v1", "deployment_v1", "service_account_v1", "horizontal_pod_autoscaler_v2",
    "pod_disruption_budget_v1", "config_map_v1", "role_v1", "role_binding_v1", "secret_v1",
)))  # fmt: skip


def _namespace_of(resource_type: str, resource: dict[str, Any]) -> Any:
    if resource_type == "helm_release":
        return resource.get("namespace")
    if resource_type == "kubernetes_manifest":
        return resource["manifest"].get("metadata", {}).get("namespace")
    return resource.get("metadata", {}).get("namespace")


@pytest.mark.parametrize("stack_id", [s for s in ALL_STACK_IDS if s.endswith(("-platform", "-apps"))])
def test_what_lives_in_a_namespace_of_its_own_stack_references_the_namespace(
    stack_doc: Reader, stack_id: str
) -> None:
    """A literal name would leave create to timing and destroy order undefined; the reference makes
    Terraform create the namespace first and delete it last. Namespaces of an earlier layer are ordered by
    the layers themselves."""
    doc = stack_doc(stack_id)
    own = {n["metadata"]["name"] for n in resources(doc, "kubernetes_namespace_v1").values()}
    literal = [
        f"{resource_type}.{name}: {namespace}"
        for resource_type in NAMESPACED
        for name, resource in resources(doc, resource_type).items()
        if (namespace := _namespace_of(resource_type, resource)) in own
    ]
    assert literal == []

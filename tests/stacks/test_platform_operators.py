"""cert-manager and the External Secrets Operator: installed with their CRDs in the platform layer, their
custom resources (the private CA, the Secrets Manager store) in the apps layer, every custom resource valid
against its CRD, and the operator's AWS access limited to the environment's secrets."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

import environments
import services
from environments.base import EnvironmentConfig
from stacks.charts import LOADTESTER
from tests.conftest import ALL_STACK_IDS, StackDoc, policy, resources
from tfoffline.crds import manifest_errors

Reader = Callable[[str], StackDoc]
ALL = pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)


@pytest.mark.parametrize("stack_id", [s for s in ALL_STACK_IDS if s.endswith("-apps")])
def test_every_custom_resource_matches_its_crd_schema(stack_doc: Reader, stack_id: str) -> None:
    manifests = resources(stack_doc(stack_id), "kubernetes_manifest").values()
    assert manifests
    for manifest in manifests:
        assert manifest_errors(manifest["manifest"]) == [], manifest["manifest"]["kind"]


def test_a_misspelt_field_in_a_custom_resource_is_refused(stack_doc: Reader) -> None:
    store = next(
        m["manifest"] for m in resources(stack_doc("production-apps"), "kubernetes_manifest").values()
        if m["manifest"]["kind"] == "ClusterSecretStore"
    )  # fmt: skip
    broken = json.loads(json.dumps(store))
    broken["spec"]["provider"]["aws"]["regoin"] = broken["spec"]["provider"]["aws"].pop("region")
    errors = manifest_errors(broken)
    assert any("'regoin' was unexpected" in error for error in errors), errors


@ALL
def test_operators_install_with_their_crds_in_restricted_namespaces_outside_the_mesh(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-platform")
    releases = {r["name"]: r for r in resources(doc, "helm_release").values()}
    assert json.loads(releases["cert-manager"]["values"][0])["crds"] == {"enabled": True, "keep": True}
    assert json.loads(releases["external-secrets"]["values"][0])["installCRDs"] is True
    labels = {
        n["metadata"]["name"]: n["metadata"]["labels"]
        for n in resources(doc, "kubernetes_namespace_v1").values()
    }
    for namespace in ("cert-manager", "external-secrets"):
        assert labels[namespace]["pod-security.kubernetes.io/enforce"] == "restricted"
        assert "istio-injection" not in labels[namespace]


@ALL
def test_external_secrets_reads_only_the_environments_secrets_with_the_data_key(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-foundation")
    role_name, role = next(
        (n, r) for n, r in resources(doc, "aws_iam_role").items() if r["name"].endswith("-external-secrets")
    )
    (trust,) = policy(role["assume_role_policy"])["Statement"]
    assert sorted(trust["Condition"]["StringEquals"].values()) == [
        "sts.amazonaws.com", "system:serviceaccount:external-secrets:external-secrets"
    ]  # fmt: skip
    inline = next(
        p
        for p in resources(doc, "aws_iam_role_policy").values()
        if p["role"] == f"${{aws_iam_role.{role_name}.id}}"
    )
    read, decrypt = policy(inline["policy"])["Statement"]
    account, region = env.location.account_id, env.location.region
    assert read["Resource"] == [f"arn:aws:secretsmanager:{region}:{account}:secret:{env.name}/*"]
    assert not any(action.endswith("*") for action in read["Action"])
    assert decrypt["Action"] == ["kms:Decrypt"] and decrypt["Resource"] == ["TOKEN"]
    assert decrypt["Condition"] == {
        "StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}
    }
    assert inline["policy"].count("${aws_kms_key.data_key") == 1


@ALL
def test_apps_layer_holds_the_private_ca_chain_and_the_secrets_manager_store(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    objects = {
        (m["manifest"]["kind"], m["manifest"]["metadata"]["name"]): m["manifest"]
        for m in resources(stack_doc(f"{env.name}-apps"), "kubernetes_manifest").values()
    }
    issuer = objects[("ClusterIssuer", f"llm-marketplace-{env.name}-ca")]
    root = objects[("Certificate", f"llm-marketplace-{env.name}-root-ca")]
    assert issuer["spec"] == {"ca": {"secretName": root["spec"]["secretName"]}}
    assert root["spec"]["isCA"] is True and root["metadata"]["namespace"] == "cert-manager"
    assert root["spec"]["privateKey"]["algorithm"] == "ECDSA"
    store = objects[("ClusterSecretStore", "aws-secrets-manager")]
    assert store["spec"]["provider"] == {"aws": {"service": "SecretsManager", "region": env.location.region}}


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_the_load_tester_runs_restricted_in_the_mesh_from_its_pinned_chart(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-platform")
    (release,) = [r for r in resources(doc, "helm_release").values() if r["chart"] == "loadtester"]
    assert (release["repository"], release["version"], release["name"]) == (
        LOADTESTER.repository, LOADTESTER.version, "flagger-loadtester"
    )  # fmt: skip
    assert release["namespace"].startswith("${kubernetes_namespace_v1.load_tester_namespace_")
    namespaces = {
        n["metadata"]["name"]: n["metadata"]["labels"]
        for n in resources(doc, "kubernetes_namespace_v1").values()
    }
    labels = namespaces["loadtester"]
    assert (
        labels["pod-security.kubernetes.io/enforce"] == "restricted"
        and labels["istio-injection"] == "enabled"
    )
    (values,) = [json.loads(document) for document in release["values"]]
    container = values["securityContext"]["context"]
    assert values["securityContext"]["enabled"] and values["podSecurityContext"]["enabled"]
    assert container["runAsNonRoot"] and not container["allowPrivilegeEscalation"]
    assert container["capabilities"] == {"drop": ["ALL"]} and container["readOnlyRootFilesystem"]
    assert container["seccompProfile"] == {"type": "RuntimeDefault"}
    # Only the services' Canaries may have it run a command; Flagger reaches it outside the sidecar.
    assert values["cmd"]["namespaceRegexp"] == "^(" + "|".join(sorted(s.name for s in services.SPECS)) + ")$"
    assert values["podAnnotations"] == {"traffic.sidecar.istio.io/excludeInboundPorts": "8080"}
    (account,) = [a for a in resources(doc, "kubernetes_service_account_v1").values()
                  if a["metadata"]["name"] == values["serviceAccountName"]]  # fmt: skip
    assert account["automount_service_account_token"] is False


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_the_load_tester_reaches_each_service_port_and_only_flagger_reaches_it(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-apps")
    policies = {
        p["metadata"]["name"]: p["spec"] for p in resources(doc, "kubernetes_network_policy_v1").values()
        if p["metadata"]["namespace"] == "loadtester"
    }  # fmt: skip
    assert policies["default-deny"]["policy_types"] == ["Ingress", "Egress"]
    (rule,) = policies["allow-ingress"]["ingress"]
    flagger = {"app.kubernetes.io/name": "flagger", "app.kubernetes.io/instance": "flagger"}
    assert rule["from"] == [{
        "namespace_selector": {"match_labels": {"kubernetes.io/metadata.name": "istio-system"}},
        "pod_selector": {"match_labels": flagger},
    }] and rule["ports"] == [{"port": "8080", "protocol": "TCP"}]  # fmt: skip
    services_reached = {
        (peer["namespace_selector"]["match_labels"]["kubernetes.io/metadata.name"], port["port"])
        for egress in policies["allow-egress"]["egress"] for peer in egress["to"] for port in egress["ports"]
    } & {(spec.name, str(spec.port)) for spec in services.SPECS}  # fmt: skip
    assert services_reached == {(spec.name, str(spec.port)) for spec in services.SPECS}
    (sidecar,) = [
        m["manifest"] for m in resources(doc, "kubernetes_manifest").values()
        if m["manifest"]["kind"] == "Sidecar" and m["manifest"]["metadata"]["namespace"] == "loadtester"
    ]  # fmt: skip
    hosts = sidecar["spec"]["egress"][0]["hosts"]
    assert hosts[:-1] == [f"{spec.name}/*" for spec in services.SPECS] and hosts[-1].startswith("*/")

"""cert-manager and the External Secrets Operator: installed with their CRDs in the platform layer, their
custom resources (the private CA, the Secrets Manager store) in the apps layer, every custom resource valid
against its CRD, and the operator's AWS access limited to the environment's secrets."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

import environments
from environments.base import EnvironmentConfig
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

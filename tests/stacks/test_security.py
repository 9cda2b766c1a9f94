"""Named assertions for the security defaults that the snapshots also hold."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

import environments
import services
from environments.base import EnvironmentConfig
from tests.conftest import ALL_STACK_IDS, StackDoc, policy, resources

Reader = Callable[[str], StackDoc]
ENVS = {env.name: env for env in environments.ALL}


def cluster(stack_doc: Reader, env: EnvironmentConfig) -> dict[str, object]:
    (found,) = resources(stack_doc(f"{env.name}-foundation"), "aws_eks_cluster").values()
    return found


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_cluster_endpoint_is_private(stack_doc: Reader, env: EnvironmentConfig) -> None:
    vpc_config = cluster(stack_doc, env)["vpc_config"]
    assert vpc_config["endpoint_private_access"] is True  # type: ignore[index]
    assert vpc_config["endpoint_public_access"] is False  # type: ignore[index]


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_cluster_secrets_are_envelope_encrypted_with_a_project_key(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    encryption = cluster(stack_doc, env)["encryption_config"]
    assert encryption["resources"] == ["secrets"]  # type: ignore[index]
    assert encryption["provider"]["key_arn"].startswith("${aws_kms_key.eks_secrets_key")  # type: ignore[index]


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_cluster_logs_every_control_plane_log_type(stack_doc: Reader, env: EnvironmentConfig) -> None:
    assert set(cluster(stack_doc, env)["enabled_cluster_log_types"]) == {  # type: ignore[arg-type]
        "api", "audit", "authenticator", "controllerManager", "scheduler"
    }  # fmt: skip


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_cluster_access_only_through_explicit_access_entries(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    access = cluster(stack_doc, env)["access_config"]
    assert access == {"authentication_mode": "API", "bootstrap_cluster_creator_admin_permissions": False}
    doc = stack_doc(f"{env.name}-foundation")
    entries = sorted(e["principal_arn"] for e in resources(doc, "aws_eks_access_entry").values())
    roles = {r["name"]: name for name, r in resources(doc, "aws_iam_role").items()}
    human = [f"${{aws_iam_role.{roles[f'{env.name}-eks-{label}']}.arn}}" for label in ("admin", "readonly")]
    assert entries == sorted([env.deploy_role_arn, env.plan_role_arn, *human])


def test_production_admin_role_needs_mfa(stack_doc: Reader) -> None:
    roles = resources(stack_doc("production-foundation"), "aws_iam_role")
    admin = next(r for r in roles.values() if r["name"] == "production-eks-admin")
    (users,) = policy(admin["assume_role_policy"])["Statement"]  # production lists IAM users only
    assert users["Condition"]["Bool"] == {"aws:MultiFactorAuthPresent": "true"}


@pytest.mark.parametrize(
    ("name", "protected"), [("dev", False), ("staging", True), ("production", True), ("dr", True)]
)
def test_cluster_deletion_protection_outside_dev(stack_doc: Reader, name: str, protected: bool) -> None:
    assert cluster(stack_doc, ENVS[name])["deletion_protection"] is protected


@pytest.mark.parametrize("stack_id", [s for s in ALL_STACK_IDS if s.endswith(("-foundation", "-bootstrap"))])
def test_every_kms_key_rotates_and_trusts_only_its_own_account(stack_doc: Reader, stack_id: str) -> None:
    account = ENVS[stack_id.rsplit("-", 1)[0]].location.account_id
    keys = resources(stack_doc(stack_id), "aws_kms_key").values()
    assert keys
    for key in keys:
        # Only the zone's DNSSEC signing key is asymmetric, which KMS cannot rotate.
        signing = key.get("customer_master_key_spec") == "ECC_NIST_P256" and key["key_usage"] == "SIGN_VERIFY"
        assert key.get("enable_key_rotation", False) is not signing
        statements = json.loads(key["policy"])["Statement"]
        aws_principals = [s["Principal"]["AWS"] for s in statements if "AWS" in s["Principal"]]
        assert aws_principals[0] == f"arn:aws:iam::{account}:root"
        # Beyond the root: only the account's Auto Scaling service-linked role, made or read in this stack.
        assert all(
            principal.startswith(
                (f"arn:aws:iam::{account}:", "${aws_iam_service_linked_role.", "${data.aws_iam_role.")
            )
            for principal in aws_principals
        )


@pytest.mark.parametrize("stack_id", [s for s in ALL_STACK_IDS if s.endswith("-bootstrap")])
def test_state_bucket_is_private_versioned_kms_encrypted_and_tls_only(
    stack_doc: Reader, stack_id: str
) -> None:
    doc = stack_doc(stack_id)
    env = ENVS[stack_id.rsplit("-", 1)[0]]
    (bucket_name,) = [
        n for n, b in resources(doc, "aws_s3_bucket").items() if b["bucket"] == env.backend.bucket
    ]

    def of_state(resource_type: str) -> list[dict[str, Any]]:
        ref = f"${{aws_s3_bucket.{bucket_name}.id}}"
        return [r for r in resources(doc, resource_type).values() if r["bucket"] == ref]

    (block,) = of_state("aws_s3_bucket_public_access_block")
    assert all(
        block[flag] is True
        for flag in (
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        )
    )
    (versioning,) = of_state("aws_s3_bucket_versioning")
    assert versioning["versioning_configuration"]["status"] == "Enabled"
    (encryption,) = of_state("aws_s3_bucket_server_side_encryption_configuration")
    default = encryption["rule"][0]["apply_server_side_encryption_by_default"]
    assert default["sse_algorithm"] == "aws:kms" and default["kms_master_key_id"].startswith("${aws_kms_key.")
    (policy,) = of_state("aws_s3_bucket_policy")
    (deny,) = json.loads(policy["policy"])["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert resources(doc, "aws_s3_bucket")[bucket_name]["force_destroy"] is False


@pytest.mark.parametrize("stack_id", [s for s in ALL_STACK_IDS if s.endswith("-bootstrap")])
def test_every_request_to_the_state_is_access_logged_for_a_year(stack_doc: Reader, stack_id: str) -> None:
    doc = stack_doc(stack_id)
    env = ENVS[stack_id.rsplit("-", 1)[0]]
    buckets = {b["bucket"]: n for n, b in resources(doc, "aws_s3_bucket").items()}
    logs = buckets[f"llm-marketplace-{env.name}-state-logs-{env.location.account_id}"]
    (logging,) = resources(doc, "aws_s3_bucket_logging").values()
    assert logging["bucket"] == f"${{aws_s3_bucket.{buckets[env.backend.bucket]}.id}}"
    assert logging["target_bucket"] == f"${{aws_s3_bucket.{logs}.bucket}}"
    (lifecycle,) = [
        r for r in resources(doc, "aws_s3_bucket_lifecycle_configuration").values()
        if r["bucket"] == f"${{aws_s3_bucket.{logs}.id}}"
    ]  # fmt: skip
    assert [rule["expiration"][0]["days"] for rule in lifecycle["rule"] if rule.get("expiration")] == [365]


@pytest.mark.parametrize("stack_id", [s for s in ALL_STACK_IDS if s.endswith("-foundation")])
def test_every_role_trusts_one_narrow_principal(stack_doc: Reader, stack_id: str) -> None:
    """Services act for this account only; IRSA roles for one service account; people by ARN pattern."""
    account = ENVS[stack_id.rsplit("-", 1)[0]].location.account_id
    for role in resources(stack_doc(stack_id), "aws_iam_role").values():
        for statement in policy(role["assume_role_policy"])["Statement"]:
            (kind,) = statement["Principal"]
            condition = statement.get("Condition", {})
            if kind == "Service":
                assert condition.get("StringEquals", {}).get("aws:SourceAccount", account) == account
            elif kind == "Federated":
                claims = {key.rsplit(":", 1)[1]: value for key, value in condition["StringEquals"].items()}
                assert claims["aud"] == "sts.amazonaws.com" and set(claims) == {"aud", "sub"}
                assert "*" not in claims["sub"] and "StringLike" not in condition
                federated = statement["Principal"]["Federated"]
                if federated == "TOKEN":  # this cluster's OIDC provider: IRSA, one service account
                    assert claims["sub"].startswith("system:serviceaccount:")
                else:  # GitHub's: an image pipeline, one service repository's main branch
                    assert federated.endswith("oidc-provider/token.actions.githubusercontent.com")
                    assert re.fullmatch(r"repo:[\w.-]+/[\w.-]+:ref:refs/heads/main", claims["sub"])
            else:
                assert statement["Principal"]["AWS"] == f"arn:aws:iam::{account}:root"
                patterns = condition["ArnLike"]["aws:PrincipalArn"]
                assert all(arn.startswith(f"arn:aws:iam::{account}:") for arn in patterns)


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_each_service_repository_may_push_only_to_its_own_images_where_images_are_built(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    sources = {spec.name: spec.image_source for spec in services.SPECS}
    assert None not in sources.values()  # the registry refuses a service without its source
    doc = stack_doc(f"{env.name}-foundation")
    pushers = {r["name"]: n for n, r in resources(doc, "aws_iam_role").items() if "-push-" in r["name"]}
    if env.standby:  # dr's registry is filled by replication from production's
        assert pushers == {} and not [o for o in doc["output"] if o.endswith("_image_push_role_arn")]
        return
    assert set(pushers) == {f"llm-marketplace-{env.name}-push-{s}" for s in sources}
    registries = {r["name"]: n for n, r in resources(doc, "aws_ecr_repository").items()}
    policies = {p["role"]: p for p in resources(doc, "aws_iam_role_policy").values()}
    for service, source in sources.items():
        role_name = pushers[f"llm-marketplace-{env.name}-push-{service}"]
        role = resources(doc, "aws_iam_role")[role_name]
        (trust,) = json.loads(role["assume_role_policy"])["Statement"]
        assert trust["Principal"]["Federated"] == (
            f"arn:aws:iam::{env.location.account_id}:oidc-provider/token.actions.githubusercontent.com"
        )
        assert trust["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
            f"repo:{source}:ref:refs/heads/main"
        )
        _, push = json.loads(policies[f"${{aws_iam_role.{role_name}.id}}"]["policy"])["Statement"]
        assert push["Resource"] == f"${{aws_ecr_repository.{registries[f'llm-marketplace/{service}']}.arn}}"
        assert (
            doc["output"][f"{service}_image_push_role_arn"]["value"] == f"${{aws_iam_role.{role_name}.arn}}"
        )

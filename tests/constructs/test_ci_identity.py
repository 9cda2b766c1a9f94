"""CI identities: the roles trust one repository's one GitHub environment, plan reads and locks state only,
deploy is capped by a boundary that protects the CI identities, the trail and the state."""

from __future__ import annotations

import json
from typing import Any

import pytest

from marketplace_constructs import ConfigError
from marketplace_constructs.security.ci_identity import (
    CiIdentity,
    CiIdentityProps,
    github_oidc_provider,
    provider_arn,
)
from tests.constructs.synth import LOCATION, synth_construct

PROPS = CiIdentityProps(
    repository="acme/infra", environment="staging", plan_role_name="ci-plan", deploy_role_name="ci-deploy",
    state_bucket="state-bucket", state_log_bucket="state-logs", trail_name="staging-audit",
)  # fmt: skip


def synthesized() -> dict[str, Any]:
    def build(scope: Any) -> None:
        arn = github_oidc_provider(scope, "github")
        CiIdentity(
            scope, "ci", props=PROPS, location=LOCATION, oidc_provider_arn=arn, state_key_arn="key-arn"
        )

    return synth_construct(build)


def roles(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {role["name"]: role for role in resources["aws_iam_role"].values()}


def test_both_roles_trust_only_the_repository_and_environment_through_githubs_provider() -> None:
    resources = synthesized()
    (provider,) = resources["aws_iam_openid_connect_provider"].values()
    assert provider["url"] == "https://token.actions.githubusercontent.com"
    assert provider["client_id_list"] == ["sts.amazonaws.com"]
    for role in roles(resources).values():
        (statement,) = json.loads(role["assume_role_policy"])["Statement"]
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert statement["Principal"]["Federated"].startswith("${aws_iam_openid_connect_provider.")
        assert statement["Condition"] == {"StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": "repo:acme/infra:environment:staging",
        }}  # fmt: skip
        assert role["max_session_duration"] == 3600


def test_plan_reads_everything_but_writes_only_state_lock_files() -> None:
    resources = synthesized()
    attached = {a["role"]: a["policy_arn"] for a in resources["aws_iam_role_policy_attachment"].values()}
    plan_attachment = next(arn for role, arn in attached.items() if "plan_role" in role)
    assert plan_attachment == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    (state,) = resources["aws_iam_role_policy"].values()
    statements = {s["Sid"]: s for s in json.loads(state["policy"])["Statement"]}
    assert statements["LockState"]["Action"] == ["s3:PutObject", "s3:DeleteObject"]
    assert statements["LockState"]["Resource"] == "arn:aws:s3:::state-bucket/*.tflock"
    assert statements["StateKey"]["Resource"] == "key-arn"


def test_deploy_is_administrator_inside_a_boundary_that_protects_identities_trail_and_state() -> None:
    resources = synthesized()
    deploy = roles(resources)["ci-deploy"]
    assert deploy["permissions_boundary"].startswith("${aws_iam_policy.ci_deploy_boundary_")
    (boundary,) = resources["aws_iam_policy"].values()
    denies = {s["Sid"]: s for s in json.loads(boundary["policy"])["Statement"] if s["Effect"] == "Deny"}
    assert set(denies["NotTheCiIdentities"]["Resource"]) == {
        "arn:aws:iam::123456789012:role/ci-plan", "arn:aws:iam::123456789012:role/ci-deploy",
        "arn:aws:iam::123456789012:policy/ci-deploy-boundary",
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    }  # fmt: skip
    assert (
        denies["NotTheTrail"]["Resource"] == "arn:aws:cloudtrail:us-east-1:123456789012:trail/staging-audit"
    )
    assert "s3:DeleteBucket" in denies["NotTheState"]["Action"]
    assert "s3:PutBucketLogging" in denies["NotTheState"]["Action"]  # the state's logs stay on and intact
    assert denies["NotTheState"]["Resource"] == ["arn:aws:s3:::state-bucket", "arn:aws:s3:::state-logs"]
    assert "kms:ScheduleKeyDeletion" in denies["NotTheStateKey"]["Action"]
    assert (
        provider_arn(LOCATION)
        == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"repository": "no-slash"},
            r"CiIdentityProps.repository must be 'owner/name' of a GitHub repository",
        ),
        ({"max_session_seconds": 60}, r"CiIdentityProps.max_session_seconds must be between 3600 and 43200"),
        ({"deploy_role_name": "has space"}, r"CiIdentityProps.deploy_role_name must be an IAM role name"),
    ],
)
def test_props_reject_bad_values(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        CiIdentityProps(**{**vars_of(PROPS), **overrides})  # type: ignore[arg-type]


def vars_of(props: CiIdentityProps) -> dict[str, object]:
    return {name: getattr(props, name) for name in props.__dataclass_fields__}

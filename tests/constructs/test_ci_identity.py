"""CI identities: the deploy role trusts one repository's deploy environment and the plan role its plan
environment; plan reads and locks its state and reads exactly the other states it is given; deploy is capped
by a boundary that admits only roles carrying the workload boundary and protects every CI identity, the trail
and the state of the account."""

from __future__ import annotations

import json
from typing import Any

import pytest

from marketplace_constructs import ConfigError
from marketplace_constructs.security.boundary import Protected
from marketplace_constructs.security.ci_identity import (
    AccountGuard,
    CiIdentity,
    CiIdentityProps,
    StateRead,
    github_oidc_provider,
    provider_arn,
)
from tests.constructs.synth import LOCATION, synth_construct

WORKLOAD = "arn:aws:iam::123456789012:policy/workload-boundary"
PROTECTED = Protected(
    account_id="123456789012", trail_arn="arn:aws:cloudtrail:us-east-1:123456789012:trail/owner-audit",
    audit_bucket="owner-audit-bucket", audit_alias="owner-audit",
    audit_log_group="arn:aws:logs:us-east-1:123456789012:log-group:/aws/cloudtrail/owner-audit",
    state_buckets=("state-bucket", "state-logs"), state_aliases=("staging-tfstate",),
)  # fmt: skip
GUARD = AccountGuard(
    ci_roles=("ci-plan", "ci-deploy", "other-plan", "other-deploy"),
    boundaries=("ci-deploy-boundary", "other-deploy-boundary"), workload_boundary_arn=WORKLOAD,
    protected=PROTECTED,
)  # fmt: skip
PROPS = CiIdentityProps(
    repository="acme/infra", environment="staging", plan_environment="staging-plan", plan_role_name="ci-plan",
    deploy_role_name="ci-deploy", state_bucket="state-bucket", guard=GUARD,
    reads=(StateRead(bucket="other-state", key="other-foundation/terraform.tfstate", key_arn="other-key"),),
)  # fmt: skip


def synthesized(props: CiIdentityProps = PROPS) -> dict[str, Any]:
    def build(scope: Any) -> None:
        arn = github_oidc_provider(scope, "github")
        CiIdentity(
            scope, "ci", props=props, location=LOCATION, oidc_provider_arn=arn, state_key_arn="key-arn"
        )

    return synth_construct(build)


def roles(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {role["name"]: role for role in resources["aws_iam_role"].values()}


@pytest.mark.parametrize(("role", "environment"), [("ci-deploy", "staging"), ("ci-plan", "staging-plan")])
def test_each_role_trusts_only_its_github_environment_through_githubs_provider(
    role: str, environment: str
) -> None:
    resources = synthesized()
    (provider,) = resources["aws_iam_openid_connect_provider"].values()
    assert provider["url"] == "https://token.actions.githubusercontent.com"
    assert provider["client_id_list"] == ["sts.amazonaws.com"]
    found = roles(resources)[role]
    (statement,) = json.loads(found["assume_role_policy"])["Statement"]
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"]["Federated"].startswith("${aws_iam_openid_connect_provider.")
    assert statement["Condition"] == {"StringEquals": {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": f"repo:acme/infra:environment:{environment}",
    }}  # fmt: skip
    assert found["max_session_duration"] == 3600


def test_plan_reads_its_state_and_exactly_the_states_it_reads_and_writes_only_lock_files() -> None:
    resources = synthesized()
    attached = {a["role"]: a["policy_arn"] for a in resources["aws_iam_role_policy_attachment"].values()}
    plan_attachment = next(arn for role, arn in attached.items() if "plan_role" in role)
    assert plan_attachment == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    assert roles(resources)["ci-plan"]["permissions_boundary"] == WORKLOAD
    (state,) = resources["aws_iam_role_policy"].values()
    statements = {s["Sid"]: s for s in json.loads(state["policy"])["Statement"]}
    assert statements["LockState"]["Action"] == ["s3:PutObject", "s3:DeleteObject"]
    assert statements["LockState"]["Resource"] == "arn:aws:s3:::state-bucket/*.tflock"
    assert statements["StateKeys"]["Resource"] == ["key-arn"]
    # ReadOnlyAccess never decrypts: the other state needs its key, and only that object is read
    assert statements["ReadOtherStates"]["Resource"] == [
        "arn:aws:s3:::other-state/other-foundation/terraform.tfstate"
    ]
    assert (statements["OtherStateKeys"]["Action"], statements["OtherStateKeys"]["Resource"]) == (
        "kms:Decrypt", ["other-key"]
    )  # fmt: skip


def test_deploy_may_only_make_roles_inside_the_workload_boundary_and_touches_no_ci_identity() -> None:
    resources = synthesized()
    deploy = roles(resources)["ci-deploy"]
    assert deploy["permissions_boundary"].startswith("${aws_iam_policy.ci_deploy_boundary_")
    (boundary,) = resources["aws_iam_policy"].values()
    denies = {s["Sid"]: s for s in json.loads(boundary["policy"])["Statement"] if s["Effect"] == "Deny"}
    bounded = denies["OnlyBoundedRoles"]
    assert {"iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy"} <= set(
        bounded["Action"]
    )
    assert bounded["Condition"] == {"StringNotEquals": {"iam:PermissionsBoundary": WORKLOAD}}
    # any other role (one made before this project, an Organizations access role) is never changed or passed
    outside = denies["OnlyTheProjectsRoles"]
    assert {"iam:UpdateAssumeRolePolicy", "iam:PassRole", "iam:CreateRole"} <= set(outside["Action"])
    assert outside["NotResource"] == [
        "arn:aws:iam::123456789012:role/llm-marketplace/*",
        "arn:aws:iam::123456789012:role/aws-service-role/*",
    ]
    assert {"iam:CreateUser", "iam:CreateAccessKey", "iam:AttachGroupPolicy"} <= set(
        denies["NoUsersOrGroups"]["Action"]
    )
    assert denies["NoOtherSessions"]["Action"] == "sts:AssumeRole"
    # a SAML provider's metadata or an OIDC provider's audiences decide who assumes the roles trusting it
    providers = denies["OnlyClusterIdentityProviders"]
    assert {"iam:UpdateSAMLProvider", "iam:AddClientIDToOpenIDConnectProvider"} <= set(providers["Action"])
    assert providers["NotResource"] == "arn:aws:iam::123456789012:oidc-provider/oidc.eks.*.amazonaws.com/id/*"
    assert denies["NotTheTrailsLogGroup"]["Resource"] == [
        PROTECTED.audit_log_group, f"{PROTECTED.audit_log_group}:*"
    ]  # fmt: skip
    assert denies["NoBoundaryRemoval"]["Action"] == [
        "iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"
    ]  # fmt: skip
    assert set(denies["NotTheCiIdentities"]["Resource"]) == {
        *(f"arn:aws:iam::123456789012:role/{r}" for r in GUARD.ci_roles),
        *(f"arn:aws:iam::123456789012:policy/{p}" for p in GUARD.boundaries),
        "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
    }
    assert WORKLOAD in denies["NotTheBoundaries"]["Resource"]
    assert denies["NotTheTrail"]["Resource"] == PROTECTED.trail_arn  # in the trail's own region
    # stopping or deleting it is refused; its settings stay the foundation's: the provider's create calls
    # PutEventSelectors right after CreateTrail, and a change of selectors is UpdateTrail/PutEventSelectors
    assert denies["NotTheTrail"]["Action"] == ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"]
    assert {"s3:DeleteBucket", "s3:PutBucketLogging", "s3:PutBucketVersioning"} <= set(
        denies["NotTheState"]["Action"]
    )
    assert denies["NotTheState"]["Resource"] == ["arn:aws:s3:::state-bucket", "arn:aws:s3:::state-logs"]
    # no version of a state file or a log file is ever deleted, Object Lock never bypassed
    assert denies["NotTheHistory"]["Action"] == ["s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"]
    assert denies["NotTheHistory"]["Resource"] == [
        "arn:aws:s3:::state-bucket/*", "arn:aws:s3:::state-logs/*", "arn:aws:s3:::owner-audit-bucket/*"
    ]  # fmt: skip
    assert denies["NotTheKeys"]["Condition"] == {
        "ForAnyValue:StringEquals": {"kms:ResourceAliases": ["alias/staging-tfstate", "alias/owner-audit"]}
    }
    # the alias-matched denies hold only while the alias does: no alias is deleted or moved
    assert denies["NotTheAliases"]["Action"] == ["kms:DeleteAlias", "kms:UpdateAlias"]
    assert denies["NotTheAliases"]["Resource"] == [
        "arn:aws:kms:*:123456789012:alias/staging-tfstate", "arn:aws:kms:*:123456789012:alias/owner-audit"
    ]  # fmt: skip
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
        ({"plan_environment": "staging"}, r"CiIdentityProps.plan_environment must differ from environment"),
    ],
)
def test_props_reject_bad_values(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        CiIdentityProps(**{**vars_of(PROPS), **overrides})  # type: ignore[arg-type]


def vars_of(props: CiIdentityProps) -> dict[str, object]:
    return {name: getattr(props, name) for name in props.__dataclass_fields__}

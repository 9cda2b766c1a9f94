"""The CI identities of one environment: GitHub's OIDC provider (once per account) and the ``plan`` and
``deploy`` roles GitHub Actions assumes, trusted only for one repository and one GitHub environment.

- ``plan``: AWS's ReadOnlyAccess plus what ``terraform plan`` needs of the state: read the environment's
  state objects, write and delete only their S3 lock files, decrypt with the state key, and read (and
  decrypt) exactly the other environments' state objects its stacks read; within the workload boundary. The
  EKS access entry grants it read-only cluster access (the foundation stack). Trusted for the environment's
  plan environment (``<env>-plan``), which no reviewer gates.
- ``deploy``: AdministratorAccess (the stacks create IAM roles, KMS keys, clusters...) inside a permissions
  boundary: it may create or change a role only under the project's path and carrying the workload
  boundary, make no user, assume no role, never remove a boundary, never touch any CI identity or boundary
  of the account, stop the trail, delete audit or state history or destroy a state bucket or key: a
  compromised deploy job cannot widen its own access, hide its tracks or destroy the state.

Sessions last at most ``max_session_seconds`` (one hour by default: a deploy of every layer fits, a leaked
token does not outlive it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from cdktf_cdktf_provider_aws.iam_policy import IamPolicy
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from marketplace_constructs.aws import AwsLocation, policy_document
from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_pattern, check_range
from marketplace_constructs.naming import GITHUB_REPOSITORY
from marketplace_constructs.security.boundary import (
    IDENTITY_SERVICES,
    WORKLOAD_PATH,
    Protected,
    protection_statements,
)

GITHUB_OIDC_HOST: Final = "token.actions.githubusercontent.com"
AUDIENCE: Final = "sts.amazonaws.com"
READ_ONLY: Final = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ADMINISTRATOR: Final = "arn:aws:iam::aws:policy/AdministratorAccess"


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class StateRead:
    """Another environment's state a stack of this one reads (``terraform_remote_state``).

    Attributes:
        bucket: Its state bucket. Required.
        key: The state object's key, e.g. "production-foundation/terraform.tfstate". Required.
        key_arn: The KMS key encrypting it (a token where another stack owns the key). Required.
    """

    bucket: str
    key: str
    key_arn: str


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class AccountGuard:
    """What no deploy role of the account may touch, whichever environment it deploys: every environment's
    CI roles and their boundaries, the workload boundary, and the protections (trail, audit logs, state).

    Attributes:
        ci_roles: Every CI role name of the account. Required.
        boundaries: Every deploy role boundary name of the account. Required.
        workload_boundary_arn: The boundary every role the stacks create must carry. Required.
        protected: The trail, its logs and key, the state buckets and keys. Required.
    """

    ci_roles: tuple[str, ...]
    boundaries: tuple[str, ...]
    workload_boundary_arn: str
    protected: Protected


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class CiIdentityProps:
    """Who may assume the environment's CI roles, and what they may touch.

    Attributes:
        repository: The GitHub repository, ``owner/name``. Required.
        environment: The GitHub environment whose jobs may assume the deploy role (``environment:<name>``
            in the token's subject). Required.
        plan_environment: The GitHub environment whose jobs may assume the plan role: plans and drift run
            there, without the deploy environment's reviewer. Required.
        plan_role_name, deploy_role_name: IAM role names (the config's ``plan_role_arn``/``deploy_role_arn``).
            Required.
        state_bucket: The environment's state bucket name. Required.
        reads: Other environments' states this environment's stacks read; the plan role may read those
            objects and decrypt with their keys, nothing more. Default: ().
        guard: What the deploy role may never touch in the account. Required.
        max_session_seconds: Longest session either role grants, 3600-43200. Default: 3600.
    """

    repository: str
    environment: str
    plan_environment: str
    plan_role_name: str
    deploy_role_name: str
    state_bucket: str
    reads: tuple[StateRead, ...] = ()
    guard: AccountGuard
    max_session_seconds: int = 3600

    def __post_init__(self) -> None:
        check_pattern(
            "CiIdentityProps", "repository", self.repository, GITHUB_REPOSITORY,
            "'owner/name' of a GitHub repository",
        )  # fmt: skip
        for field in ("plan_role_name", "deploy_role_name"):
            check_pattern(
                "CiIdentityProps", field, getattr(self, field), r"[\w+=,.@-]{1,64}", "an IAM role name"
            )
        if self.plan_environment == self.environment:
            raise ConfigError(
                f"CiIdentityProps.plan_environment must differ from environment {self.environment!r}: plans "
                "must not wait for the deploy environment's reviewer"
            )
        check_range("CiIdentityProps", "max_session_seconds", self.max_session_seconds, 3600, 43200, " s")


@dataclass(frozen=True, slots=True, kw_only=True)
class CiIdentityRef:
    """The two roles' ARNs (tokens)."""

    plan_role_arn: str
    deploy_role_arn: str


def github_oidc_provider(scope: Construct, construct_id: str) -> str:
    """GitHub's OIDC provider in this account (one per account: the environments sharing it trust it by
    ``provider_arn``); returns its ARN. AWS verifies GitHub's certificate itself: no thumbprint is pinned."""
    provider = IamOpenidConnectProvider(
        scope, construct_id, url=f"https://{GITHUB_OIDC_HOST}", client_id_list=[AUDIENCE]
    )
    arn: str = provider.arn
    return arn


def provider_arn(location: AwsLocation) -> str:
    """The ARN of GitHub's OIDC provider in ``location``'s account (an account-wide name)."""
    return f"arn:aws:iam::{location.account_id}:oidc-provider/{GITHUB_OIDC_HOST}"


def github_trust(oidc_provider_arn: str, subject: str) -> str:
    """A trust policy admitting GitHub Actions tokens of exactly ``subject`` (``repo:<owner>/<name>:...``),
    audience sts only, through ``oidc_provider_arn``."""
    return policy_document([{
        "Effect": "Allow",
        "Principal": {"Federated": oidc_provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            f"{GITHUB_OIDC_HOST}:aud": AUDIENCE, f"{GITHUB_OIDC_HOST}:sub": subject,
        }},
    }])  # fmt: skip


# Role changes that only a role carrying the workload boundary may receive (the actions that carry
# iam:PermissionsBoundary; IAM user guide, "Permissions boundaries for IAM entities").
BOUNDED_CHANGES: Final = (
    "iam:CreateRole", "iam:PutRolePermissionsBoundary", "iam:AttachRolePolicy", "iam:DetachRolePolicy",
    "iam:PutRolePolicy", "iam:DeleteRolePolicy",
)  # fmt: skip
# Every change of a role, refused outside the project's path (a role made before this project, such as an
# Organizations access role, could otherwise be re-trusted or passed to a service the deploy controls).
ROLE_CHANGES: Final = (
    *BOUNDED_CHANGES, "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription",
    "iam:UpdateAssumeRolePolicy", "iam:PassRole", "iam:TagRole", "iam:UntagRole",
    "iam:DeleteRolePermissionsBoundary",
)  # fmt: skip
# The stacks make no users or groups: nothing of theirs is the deploy's to create or extend (long-lived keys
# and console passwords would outlive the deploy's one-hour session).
USER_CHANGES: Final = (
    "iam:CreateUser", "iam:UpdateUser", "iam:CreateAccessKey", "iam:UpdateAccessKey",
    "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "iam:UploadSSHPublicKey", "iam:UploadSigningCertificate", "iam:AttachUserPolicy", "iam:PutUserPolicy",
    "iam:PutUserPermissionsBoundary", "iam:AddUserToGroup", "iam:AttachGroupPolicy", "iam:PutGroupPolicy",
)  # fmt: skip
# Identity providers other than the clusters' (IRSA): a SAML provider's metadata or an OIDC provider's
# audiences decide who may assume the roles that trust it, beyond any boundary of the deploy role.
PROVIDER_CHANGES: Final = (
    "iam:CreateSAMLProvider", "iam:UpdateSAMLProvider", "iam:DeleteSAMLProvider",
    "iam:CreateOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint",
    "iam:AddClientIDToOpenIDConnectProvider", "iam:RemoveClientIDFromOpenIDConnectProvider",
    "iam:DeleteOpenIDConnectProvider",
)  # fmt: skip
POLICY_CHANGES: Final = (
    "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion",
)  # fmt: skip


def deploy_boundary_document(account_id: str, guard: AccountGuard) -> str:
    """The deploy role's ceiling: everything, except
    - creating or changing a role unless it carries the workload boundary (``iam:PermissionsBoundary`` on each
      action that supports it) and lives under ``WORKLOAD_PATH`` (every change of any other role, service-
      linked roles aside), or removing any boundary: a role it makes can never exceed the workload boundary;
    - users, groups and their credentials; assuming roles (no session of its own beyond the one it has); the
      identity services outside IAM; SAML and OIDC providers other than the clusters';
    - touching any CI role, boundary or the OIDC provider of the account (production's and dr's share one);
    - changing the boundaries themselves;
    - the protections (``protection_statements``): stopping or deleting the trail (the foundation owns its
      settings, so a deploy may update them: the provider's create follows CreateTrail with
      PutEventSelectors; each such call is itself a management event the trail records), deleting audit or
      state history, changing a state bucket, destroying a state or audit key or moving their aliases.
    """
    iam = f"arn:aws:iam::{account_id}:"
    boundaries = [f"{iam}policy/{policy}" for policy in guard.boundaries]
    unbounded = {"StringNotEquals": {"iam:PermissionsBoundary": guard.workload_boundary_arn}}
    removal = ["iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"]
    return policy_document([
        {"Sid": "EverythingElse", "Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Sid": "OnlyBoundedRoles", "Effect": "Deny", "Action": list(BOUNDED_CHANGES), "Resource": "*",
         "Condition": unbounded},
        {"Sid": "OnlyTheProjectsRoles", "Effect": "Deny", "Action": list(ROLE_CHANGES),
         "NotResource": [f"{iam}role{WORKLOAD_PATH}*", f"{iam}role/aws-service-role/*"]},
        {"Sid": "NoBoundaryRemoval", "Effect": "Deny", "Action": removal, "Resource": "*"},
        {"Sid": "NoUsersOrGroups", "Effect": "Deny", "Action": list(USER_CHANGES), "Resource": "*"},
        {"Sid": "NoOtherSessions", "Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"},
        {"Sid": "NotTheIdentityServices", "Effect": "Deny", "Action": list(IDENTITY_SERVICES),
         "Resource": "*"},
        {"Sid": "OnlyClusterIdentityProviders", "Effect": "Deny", "Action": list(PROVIDER_CHANGES),
         "NotResource": f"{iam}oidc-provider/oidc.eks.*.amazonaws.com/id/*"},
        {"Sid": "NotTheCiIdentities", "Effect": "Deny", "Action": "iam:*",
         "Resource": [
             *(f"{iam}role/{role}" for role in guard.ci_roles),
             *boundaries,
             f"{iam}oidc-provider/{GITHUB_OIDC_HOST}",
         ]},
        {"Sid": "NotTheBoundaries", "Effect": "Deny", "Action": list(POLICY_CHANGES),
         "Resource": [guard.workload_boundary_arn, *boundaries]},
        *protection_statements(guard.protected),
    ])  # fmt: skip


class CiIdentity(Construct):
    """The environment's ``plan`` and ``deploy`` roles (see the module docstring): the deploy role trusts
    ``oidc_provider_arn`` for ``repo:<repository>:environment:<environment>``, the plan role for
    ``environment:<plan_environment>``, audience sts only. The plan role carries the workload boundary, the
    deploy role its own (``deploy_boundary_document``)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: CiIdentityProps,
        location: AwsLocation,
        oidc_provider_arn: str,
        state_key_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        subject = f"repo:{props.repository}:environment:"
        bucket = f"arn:aws:s3:::{props.state_bucket}"
        plan = IamRole(
            self, "plan_role", name=props.plan_role_name,
            permissions_boundary=props.guard.workload_boundary_arn,
            assume_role_policy=github_trust(oidc_provider_arn, subject + props.plan_environment),
            max_session_duration=props.max_session_seconds,
            description=f"CI plans of {props.environment} (GitHub {props.repository})",
        )  # fmt: skip
        IamRolePolicyAttachment(self, "plan_read_only", role=plan.name, policy_arn=READ_ONLY)
        reads = [
            {"Sid": "ReadState", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
             "Resource": [bucket, f"{bucket}/*"]},
            {"Sid": "LockState", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"],
             "Resource": f"{bucket}/*.tflock"},
            {"Sid": "StateKeys", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
             "Resource": [state_key_arn]},
        ]  # fmt: skip
        if props.reads:
            # ReadOnlyAccess lists and reads S3, but never decrypts: each remote state needs its key.
            reads.append({"Sid": "ReadOtherStates", "Effect": "Allow", "Action": "s3:GetObject",
                          "Resource": [f"arn:aws:s3:::{r.bucket}/{r.key}" for r in props.reads]})  # fmt: skip
            reads.append({"Sid": "OtherStateKeys", "Effect": "Allow", "Action": "kms:Decrypt",
                          "Resource": [r.key_arn for r in props.reads]})  # fmt: skip
        IamRolePolicy(self, "plan_state", name="terraform-state", role=plan.id, policy=policy_document(reads))
        boundary = IamPolicy(
            self, "deploy_boundary", name=boundary_name(props.deploy_role_name),
            description=f"Limits of {props.deploy_role_name}: only bounded roles, no changes to the CI "
            "identities, the boundaries, the trail or the state",
            policy=deploy_boundary_document(location.account_id, props.guard),
        )  # fmt: skip
        deploy = IamRole(
            self, "deploy_role", name=props.deploy_role_name,
            assume_role_policy=github_trust(oidc_provider_arn, subject + props.environment),
            max_session_duration=props.max_session_seconds, permissions_boundary=boundary.arn,
            description=f"CI deploys of {props.environment} (GitHub {props.repository})",
        )  # fmt: skip
        IamRolePolicyAttachment(self, "deploy_administrator", role=deploy.name, policy_arn=ADMINISTRATOR)
        self.ref = CiIdentityRef(plan_role_arn=plan.arn, deploy_role_arn=deploy.arn)


def boundary_name(deploy_role_name: str) -> str:
    """The deploy role's boundary policy name."""
    return f"{deploy_role_name}-boundary"

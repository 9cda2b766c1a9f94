"""The CI identities of one environment: GitHub's OIDC provider (once per account) and the ``plan`` and
``deploy`` roles GitHub Actions assumes, trusted only for one repository and one GitHub environment.

- ``plan``: AWS's ReadOnlyAccess plus what ``terraform plan`` needs of the state: read the environment's
  state objects, write and delete only their S3 lock files, use the state key. The EKS access entry grants it
  read-only cluster access (the foundation stack).
- ``deploy``: AdministratorAccess (the stacks create IAM roles, KMS keys, clusters...) inside a permissions
  boundary that denies touching the CI identities themselves (the roles, the boundary, the OIDC provider),
  stopping or deleting the audit trail, and deleting the state bucket or key: a compromised deploy job cannot
  widen its own access, hide its tracks or destroy the state.

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
from marketplace_constructs.errors import check_pattern, check_range

GITHUB_OIDC_HOST: Final = "token.actions.githubusercontent.com"
AUDIENCE: Final = "sts.amazonaws.com"
GITHUB_REPOSITORY: Final = r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+"  # owner/name
READ_ONLY: Final = "arn:aws:iam::aws:policy/ReadOnlyAccess"
ADMINISTRATOR: Final = "arn:aws:iam::aws:policy/AdministratorAccess"


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class CiIdentityProps:
    """Who may assume the environment's CI roles, and what they may touch.

    Attributes:
        repository: The GitHub repository, ``owner/name``. Required.
        environment: The GitHub environment whose jobs may assume the roles (``environment:<name>`` in the
            token's subject). Required.
        plan_role_name, deploy_role_name: IAM role names (the config's ``plan_role_arn``/``deploy_role_arn``).
            Required.
        state_bucket: The environment's state bucket name. Required.
        state_log_bucket: The bucket receiving the state bucket's server access logs. Required.
        trail_name: The account's CloudTrail trail the deploy role may not stop or delete. Required.
        max_session_seconds: Longest session either role grants, 3600-43200. Default: 3600.
    """

    repository: str
    environment: str
    plan_role_name: str
    deploy_role_name: str
    state_bucket: str
    state_log_bucket: str
    trail_name: str
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


class CiIdentity(Construct):
    """The environment's ``plan`` and ``deploy`` roles (see the module docstring), trusting
    ``oidc_provider_arn`` for ``repo:<repository>:environment:<environment>`` with audience sts only."""

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
        trust = github_trust(oidc_provider_arn, f"repo:{props.repository}:environment:{props.environment}")
        bucket = f"arn:aws:s3:::{props.state_bucket}"
        iam = f"arn:aws:iam::{location.account_id}:"
        plan = IamRole(
            self, "plan_role", name=props.plan_role_name, assume_role_policy=trust,
            max_session_duration=props.max_session_seconds,
            description=f"CI plans of {props.environment} (GitHub {props.repository})",
        )  # fmt: skip
        IamRolePolicyAttachment(self, "plan_read_only", role=plan.name, policy_arn=READ_ONLY)
        IamRolePolicy(
            self, "plan_state", name="terraform-state", role=plan.id,
            policy=policy_document([
                {"Sid": "ReadState", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
                 "Resource": [bucket, f"{bucket}/*"]},
                {"Sid": "LockState", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"],
                 "Resource": f"{bucket}/*.tflock"},
                {"Sid": "StateKey", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                 "Resource": state_key_arn},
            ]),
        )  # fmt: skip
        boundary = IamPolicy(
            self, "deploy_boundary", name=f"{props.deploy_role_name}-boundary",
            description=f"Limits of {props.deploy_role_name}: no changes to the CI identities, the trail or "
            "the state bucket and its logs",
            policy=policy_document([
                {"Sid": "EverythingElse", "Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Sid": "NotTheCiIdentities", "Effect": "Deny", "Action": "iam:*",
                 "Resource": [
                     f"{iam}role/{props.plan_role_name}",
                     f"{iam}role/{props.deploy_role_name}",
                     f"{iam}policy/{props.deploy_role_name}-boundary",
                     f"{iam}oidc-provider/{GITHUB_OIDC_HOST}",
                 ]},
                {"Sid": "NotTheTrail", "Effect": "Deny",
                 "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail",
                            "cloudtrail:PutEventSelectors"],
                 "Resource": location.arn("cloudtrail", f"trail/{props.trail_name}")},
                {"Sid": "NotTheState", "Effect": "Deny",
                 "Action": ["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy",
                            "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration", "s3:PutBucketLogging"],
                 "Resource": [bucket, f"arn:aws:s3:::{props.state_log_bucket}"]},
                {"Sid": "NotTheStateKey", "Effect": "Deny",
                 "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"],
                 "Resource": state_key_arn},
            ]),
        )  # fmt: skip
        deploy = IamRole(
            self, "deploy_role", name=props.deploy_role_name, assume_role_policy=trust,
            max_session_duration=props.max_session_seconds, permissions_boundary=boundary.arn,
            description=f"CI deploys of {props.environment} (GitHub {props.repository})",
        )  # fmt: skip
        IamRolePolicyAttachment(self, "deploy_administrator", role=deploy.name, policy_arn=ADMINISTRATOR)
        self.ref = CiIdentityRef(plan_role_arn=plan.arn, deploy_role_arn=deploy.arn)

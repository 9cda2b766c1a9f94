"""The workload permissions boundary: the ceiling of every IAM role the stacks create (service, add-on,
node, replication and CI plan roles), so a role the deploy role creates can never grant more than it.

One managed policy per account (``<project>-workload-boundary``), made by the bootstrap stack of the
environment that owns the account; the deploy role's own boundary refuses to create or change a role unless
it carries this one (``iam:PermissionsBoundary``, AWS's "delegate responsibility to others by using
permissions boundaries" pattern) and lives under ``WORKLOAD_PATH``. Stacks attach both through
``bounded_role``, which reads the ARN from the construct context the stack sets (``BOUNDARY_CONTEXT``):
constructs stay free of the account's naming.

``protection_statements`` are the denies both boundaries share: what keeps the record of a deploy and the
state it works on (``Protected``), whichever role the deploy role makes or uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from cdktf_cdktf_provider_aws.iam_role import IamRole
from constructs import Construct

from marketplace_constructs.aws import policy_document
from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError
from marketplace_constructs.naming import PROJECT

WORKLOAD_BOUNDARY: Final = f"{PROJECT}-workload-boundary"
BOUNDARY_CONTEXT: Final = "marketplace:workloadBoundaryArn"
# Every role the stacks create lives under this IAM path: the deploy role may change no role outside it.
WORKLOAD_PATH: Final = f"/{PROJECT}/"
# IAM actions a workload role may still use: reading, and creating the service-linked roles AWS services
# need (Elastic Load Balancing's, for the load balancer controller and EKS).
IAM_WORKLOAD_ACTIONS: Final = ("iam:Get*", "iam:List*", "iam:CreateServiceLinkedRole")
# Identity services outside IAM through which a session could hand itself or anyone else access.
IDENTITY_SERVICES: Final = ("sso:*", "sso-directory:*", "identitystore:*", "organizations:*")
# What would stop the record of a deploy; the trail's settings stay the foundation stack's to manage.
TRAIL_STOPS: Final = ("cloudtrail:StopLogging", "cloudtrail:DeleteTrail")
TRAIL_SETTINGS: Final = ("cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors")
# A state bucket's settings (the bootstrap stack, an administrator's, owns them) and its objects' versions.
STATE_BUCKET_CHANGES: Final = (
    "s3:DeleteBucket", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy", "s3:PutBucketVersioning",
    "s3:PutLifecycleConfiguration", "s3:PutBucketLogging", "s3:PutBucketOwnershipControls",
    "s3:PutBucketPublicAccessBlock", "s3:PutEncryptionConfiguration", "s3:PutBucketObjectLockConfiguration",
)  # fmt: skip
# Object versions are the state's history and the trail's log files: never deleted by a deploy.
VERSION_DELETES: Final = ("s3:DeleteObjectVersion", "s3:BypassGovernanceRetention")
KEY_DESTRUCTION: Final = ("kms:ScheduleKeyDeletion", "kms:DisableKey")
LOG_DELETES: Final = ("logs:DeleteLogGroup", "logs:DeleteLogStream")
# Removing or moving an alias would free its key from the alias-matched denies (kms:ResourceAliases).
ALIAS_CHANGES: Final = ("kms:DeleteAlias", "kms:UpdateAlias")


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class Protected:
    """What no role of the deploys may destroy, stop or rewrite in the account.

    Attributes:
        account_id: The account. Required.
        trail_arn: The account's trail (in its home region). Required.
        audit_bucket: The trail's bucket (Object Lock, governance mode). Required.
        audit_alias: The trail key's alias, without "alias/". Required.
        audit_log_group: ARN of the trail's CloudWatch Logs copy (its log group). Required.
        state_buckets: Every state bucket and state access-log bucket of the account. Required.
        state_aliases: Every state key's alias, without "alias/". Required.
    """

    account_id: str
    trail_arn: str
    audit_bucket: str
    audit_alias: str
    audit_log_group: str
    state_buckets: tuple[str, ...]
    state_aliases: tuple[str, ...]


def protection_statements(protected: Protected, trail_actions: tuple[str, ...] = TRAIL_STOPS) -> list[Any]:
    """Denies of ``trail_actions`` on the trail; of any change to a state bucket's settings and of deleting
    an object version (or bypassing Object Lock) in a state or audit bucket; of destroying a state key or the
    trail's key (or re-policying a state key) and of deleting or moving their aliases; of deleting the
    trail's CloudWatch Logs copy."""
    state = [f"arn:aws:s3:::{bucket}" for bucket in protected.state_buckets]
    objects = [f"{bucket}/*" for bucket in (*state, f"arn:aws:s3:::{protected.audit_bucket}")]
    aliases = [f"alias/{alias}" for alias in protected.state_aliases]
    every_alias = [*aliases, f"alias/{protected.audit_alias}"]
    return [
        {"Sid": "NotTheTrail", "Effect": "Deny", "Action": list(trail_actions),
         "Resource": protected.trail_arn},
        {"Sid": "NotTheState", "Effect": "Deny", "Action": list(STATE_BUCKET_CHANGES), "Resource": state},
        {"Sid": "NotTheHistory", "Effect": "Deny", "Action": list(VERSION_DELETES), "Resource": objects},
        {"Sid": "NotTheKeys", "Effect": "Deny", "Action": list(KEY_DESTRUCTION), "Resource": "*",
         "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": every_alias}}},
        {"Sid": "NotTheStateKeyPolicies", "Effect": "Deny", "Action": "kms:PutKeyPolicy", "Resource": "*",
         "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": aliases}}},
        {"Sid": "NotTheAliases", "Effect": "Deny", "Action": list(ALIAS_CHANGES),
         "Resource": [f"arn:aws:kms:*:{protected.account_id}:{alias}" for alias in every_alias]},
        {"Sid": "NotTheTrailsLogGroup", "Effect": "Deny", "Action": list(LOG_DELETES),
         "Resource": [protected.audit_log_group, f"{protected.audit_log_group}:*"]},
    ]  # fmt: skip


def workload_boundary_arn(account_id: str) -> str:
    """The account's workload boundary (an account-wide name)."""
    return f"arn:aws:iam::{account_id}:policy/{WORKLOAD_BOUNDARY}"


def workload_boundary_document(protected: Protected) -> str:
    """The ceiling: everything but IAM (beyond ``IAM_WORKLOAD_ACTIONS``), the identity services and
    assuming roles outside ``WORKLOAD_PATH``, and never the protections (the trail's settings included). A
    boundary grants nothing by itself: a role still has only what its own policies allow, within this."""
    account = protected.account_id
    return policy_document([
        {"Sid": "AllButIam", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Sid": "IamReadAndServiceLinkedRoles", "Effect": "Allow", "Action": list(IAM_WORKLOAD_ACTIONS),
         "Resource": "*"},
        {"Sid": "OnlyTheProjectsRoles", "Effect": "Deny", "Action": "sts:AssumeRole",
         "NotResource": f"arn:aws:iam::{account}:role{WORKLOAD_PATH}*"},
        {"Sid": "NotTheIdentityServices", "Effect": "Deny", "Action": list(IDENTITY_SERVICES),
         "Resource": "*"},
        *protection_statements(protected, TRAIL_STOPS + TRAIL_SETTINGS),
    ])  # fmt: skip


def bounded_role(scope: Construct, construct_id: str, **arguments: Any) -> IamRole:
    """An IamRole under ``WORKLOAD_PATH`` with the workload boundary the enclosing stack set in its
    context; refuses to make one without (a role outside every boundary is what the deploy role's boundary
    exists to prevent)."""
    boundary = scope.node.try_get_context(BOUNDARY_CONTEXT)
    if not boundary:
        raise ConfigError(
            f"{scope.node.path}/{construct_id}: no workload boundary in the construct context "
            f"({BOUNDARY_CONTEXT!r}); the stack must set it before creating roles"
        )
    return IamRole(scope, construct_id, permissions_boundary=str(boundary), path=WORKLOAD_PATH, **arguments)

"""The workload permissions boundary: the ceiling of every IAM role the stacks create (service, add-on,
node, replication and CI plan roles), so a role the deploy role creates can never grant more than it.

One managed policy per account (``<project>-workload-boundary``), made by the bootstrap stack of the
environment that owns the account; the deploy role's own boundary refuses to create or change a role or user
unless it carries this one (``iam:PermissionsBoundary``, AWS's "delegate responsibility to others by using
permissions boundaries" pattern). Stacks attach it through ``bounded_role``, which reads the ARN from the
construct context the stack sets (``BOUNDARY_CONTEXT``): constructs stay free of the account's naming.
"""

from __future__ import annotations

from typing import Any, Final

from cdktf_cdktf_provider_aws.iam_role import IamRole
from constructs import Construct

from marketplace_constructs.aws import policy_document
from marketplace_constructs.errors import ConfigError
from marketplace_constructs.naming import PROJECT

WORKLOAD_BOUNDARY: Final = f"{PROJECT}-workload-boundary"
BOUNDARY_CONTEXT: Final = "marketplace:workloadBoundaryArn"
# IAM actions a workload role may still use: reading, and creating the service-linked roles AWS services
# need (Elastic Load Balancing's, for the load balancer controller and EKS).
IAM_WORKLOAD_ACTIONS: Final = ("iam:Get*", "iam:List*", "iam:CreateServiceLinkedRole")


def workload_boundary_arn(account_id: str) -> str:
    """The account's workload boundary (an account-wide name)."""
    return f"arn:aws:iam::{account_id}:policy/{WORKLOAD_BOUNDARY}"


def workload_boundary_document(
    *, trail_arn: str, state_buckets: tuple[str, ...], state_aliases: tuple[str, ...]
) -> str:
    """The ceiling: everything but IAM (beyond ``IAM_WORKLOAD_ACTIONS``), and never stopping or changing the
    account's trail, nor deleting a state bucket or scheduling a state key's deletion. A boundary grants
    nothing by itself: a role still has only what its own policies allow, within this."""
    buckets = [f"arn:aws:s3:::{bucket}" for bucket in state_buckets]
    aliases = [f"alias/{alias}" for alias in state_aliases]
    return policy_document([
        {"Sid": "AllButIam", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Sid": "IamReadAndServiceLinkedRoles", "Effect": "Allow", "Action": list(IAM_WORKLOAD_ACTIONS),
         "Resource": "*"},
        {"Sid": "NotTheTrail", "Effect": "Deny",
         "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail",
                    "cloudtrail:PutEventSelectors"],
         "Resource": trail_arn},
        {"Sid": "NotTheState", "Effect": "Deny", "Action": ["s3:DeleteBucket", "s3:PutBucketPolicy"],
         "Resource": buckets},
        {"Sid": "NotTheStateKeys", "Effect": "Deny",
         "Action": ["kms:ScheduleKeyDeletion", "kms:DisableKey", "kms:PutKeyPolicy"], "Resource": "*",
         "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": aliases}}},
    ])  # fmt: skip


def bounded_role(scope: Construct, construct_id: str, **arguments: Any) -> IamRole:
    """An IamRole with the workload boundary the enclosing stack set in its context; refuses to make one
    without (a role outside every boundary is what the deploy role's boundary exists to prevent)."""
    boundary = scope.node.try_get_context(BOUNDARY_CONTEXT)
    if not boundary:
        raise ConfigError(
            f"{scope.node.path}/{construct_id}: no workload boundary in the construct context "
            f"({BOUNDARY_CONTEXT!r}); the stack must set it before creating roles"
        )
    return IamRole(scope, construct_id, permissions_boundary=str(boundary), **arguments)

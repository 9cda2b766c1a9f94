"""BucketReplication: S3 cross-region replication of an SSE-KMS source bucket into an Object Lock protected
bucket of the disaster-recovery region, within 15 minutes (S3 Replication Time Control)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.s3_bucket_replication_configuration import (
    S3BucketReplicationConfigurationA,
    S3BucketReplicationConfigurationRule,
    S3BucketReplicationConfigurationRuleDeleteMarkerReplication,
    S3BucketReplicationConfigurationRuleDestination,
    S3BucketReplicationConfigurationRuleDestinationEncryptionConfiguration,
    S3BucketReplicationConfigurationRuleDestinationMetrics,
    S3BucketReplicationConfigurationRuleDestinationMetricsEventThreshold,
    S3BucketReplicationConfigurationRuleDestinationReplicationTime,
    S3BucketReplicationConfigurationRuleDestinationReplicationTimeTime,
    S3BucketReplicationConfigurationRuleFilter,
    S3BucketReplicationConfigurationRuleSourceSelectionCriteria,
    S3BucketReplicationConfigurationRuleSourceSelectionCriteriaSseKmsEncryptedObjects,
)
from constructs import Construct

from marketplace_constructs.aws import AwsLocation, policy_document
from marketplace_constructs.errors import ConfigError
from marketplace_constructs.recovery._trust import assumed_by
from marketplace_constructs.recovery.props import BucketReplicationProps
from marketplace_constructs.security.boundary import bounded_role
from marketplace_constructs.storage.secure_bucket import SecureBucket, SecureBucketRef

# S3 Replication Time Control: the one threshold S3 offers, 99.99 % of objects within 15 minutes; the
# replication metrics count an object as late past the same threshold.
RTC_MINUTES: Final = 15


@dataclass(frozen=True, slots=True, kw_only=True)
class ReplicationSource:
    """The bucket replicated from: its name and ARN, the key its objects are encrypted with, and an aws
    provider (an alias) configured for its region and this account."""

    bucket: SecureBucketRef
    key_arn: str
    provider: TerraformProvider


@dataclass(frozen=True, slots=True, kw_only=True)
class BucketReplicationRef:
    """Handle to the replication: the replica bucket, the role S3 replicates with, and the rule's id (the
    ``RuleId`` dimension of the S3 replication metrics in CloudWatch); role and rule are None without a
    source."""

    destination: SecureBucketRef
    role_arn: str | None
    rule_id: str | None


# What links the replica to its source (construct ids below the construct): what a failed-over standby
# stops managing and keeps (``marketplace_constructs.forget``), the configuration living in the source's
# region.
SOURCE_LINKS: Final = (
    ("aws_iam_role", "role"),
    ("aws_iam_role_policy", "role_policy"),
    ("aws_s3_bucket_replication_configuration", "configuration"),
)


class BucketReplication(Construct):
    """Creates the replica bucket (``SecureBucket`` with Object Lock, SSE-KMS with ``destination_key_arn``) in
    the stack's region, a replication role and, through ``source.provider``, the replication configuration of
    the source bucket. Lives in the destination's stack.

    Why it creates the destination itself: the replication configuration may be written only once the
    destination's versioning is on, so it depends on that resource, which ``SecureBucket`` keeps inside; and
    the props can insist on what replication needs (Object Lock, KMS).

    Replication copies every object written after the configuration exists (earlier objects need S3 Batch
    Replication, once), encrypted with the source key (``sse_kms_encrypted_objects``; SecureBucket writes
    nothing else), re-encrypted with ``destination_key_arn``, with its Object Lock retention.

    Delete markers are NOT replicated (``delete_marker_replication`` Disabled), and the role lacks
    ``s3:ReplicateDelete``, so even a later switch could not write one: a delete in the source region, by
    mistake or by an attacker, leaves the replica readable as it was, which is what a disaster-recovery copy
    is for. Object Lock alone would not: a delete marker may be placed on a locked object, and it hides the
    object from every reader. Deletes of a specific version are never replicated by S3. Objects therefore
    outlive their deletion in the source; the destination's own lifecycle (``expire_after_days``,
    ``noncurrent_version_days``) ages them, after its Object Lock retention.

    Without a ``source`` (a standby after its failover) only the replica bucket stays: the same resources at
    the same addresses, so the data it holds is kept; ``SOURCE_LINKS`` lists what is no longer managed.

    Ordering: S3 refuses the configuration unless versioning is on in both buckets. The source's versioning
    belongs to the source's stack (production's foundation), which must be applied first; SecureBucket turns
    it on, and Object Lock keeps it on for good. The destination's is ordered here with ``depends_on``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: BucketReplicationProps,
        location: AwsLocation,
        source: ReplicationSource | None,
        destination_key_arn: str,
    ) -> None:
        """``location``: this stack's account and region, the destination's. ``source``: the bucket in
        ``props.source_region`` replicated from, or None to keep only the replica."""
        super().__init__(scope, construct_id)
        if props.source_region == location.region:
            raise ConfigError(
                f"BucketReplicationProps.source_region must be another region than the stack's "
                f"({location.region}): a same-region copy does not survive a regional outage, "
                f"got {props.source_region!r}"
            )
        destination = SecureBucket(
            self, "destination", props=props.destination, location=location, key_arn=destination_key_arn
        )
        replica = destination.ref
        if source is None:
            self.ref = BucketReplicationRef(destination=replica, role_arn=None, rule_id=None)
            return
        role = bounded_role(
            self,
            "role",
            name=f"{props.role_name_prefix}-s3-replication",
            assume_role_policy=assumed_by("s3.amazonaws.com"),
        )
        permissions = IamRolePolicy(
            self,
            "role_policy",
            name="replicate-to-dr",
            role=role.id,
            policy=_replication_policy(
                source=source.bucket,
                source_key_arn=source.key_arn,
                source_region=props.source_region,
                destination=replica,
                destination_key_arn=destination_key_arn,
                destination_region=location.region,
            ),
        )
        rule_id = replication_rule_id(location.region)
        S3BucketReplicationConfigurationA(
            self,
            "configuration",
            provider=source.provider,
            bucket=source.bucket.name,
            role=role.arn,
            rule=[
                S3BucketReplicationConfigurationRule(
                    id=rule_id,
                    status="Enabled",
                    filter=S3BucketReplicationConfigurationRuleFilter(prefix=""),  # every object
                    source_selection_criteria=S3BucketReplicationConfigurationRuleSourceSelectionCriteria(
                        sse_kms_encrypted_objects=S3BucketReplicationConfigurationRuleSourceSelectionCriteriaSseKmsEncryptedObjects(
                            status="Enabled"
                        )
                    ),
                    delete_marker_replication=S3BucketReplicationConfigurationRuleDeleteMarkerReplication(
                        status="Disabled"
                    ),
                    destination=S3BucketReplicationConfigurationRuleDestination(
                        bucket=replica.arn,
                        encryption_configuration=S3BucketReplicationConfigurationRuleDestinationEncryptionConfiguration(
                            replica_kms_key_id=destination_key_arn
                        ),
                        replication_time=S3BucketReplicationConfigurationRuleDestinationReplicationTime(
                            status="Enabled",
                            time=S3BucketReplicationConfigurationRuleDestinationReplicationTimeTime(
                                minutes=RTC_MINUTES
                            ),
                        ),
                        metrics=S3BucketReplicationConfigurationRuleDestinationMetrics(
                            status="Enabled",
                            event_threshold=S3BucketReplicationConfigurationRuleDestinationMetricsEventThreshold(
                                minutes=RTC_MINUTES
                            ),
                        ),
                    ),
                )
            ],
            # SecureBucket's versioning resource (construct id "versioning"); the policy, so the first
            # replicated object finds the role able to act.
            depends_on=[destination.node.find_child("versioning"), permissions],
        )
        self.ref = BucketReplicationRef(destination=replica, role_arn=role.arn, rule_id=rule_id)


def _replication_policy(
    *,
    source: SecureBucketRef,
    source_key_arn: str,
    source_region: str,
    destination: SecureBucketRef,
    destination_key_arn: str,
    destination_region: str,
) -> str:
    """The replication role's permissions, nothing else:

    - source bucket: ``s3:GetReplicationConfiguration``, ``s3:ListBucket``;
    - source objects: ``s3:GetObjectVersionForReplication``, ``s3:GetObjectVersionAcl``,
      ``s3:GetObjectVersionTagging``, and ``s3:GetObjectRetention``, ``s3:GetObjectLegalHold`` (S3 needs these
      two to replicate from an Object Lock bucket, as production's backups bucket is);
    - destination objects: ``s3:ReplicateObject``, ``s3:ReplicateTags`` (no ``s3:ReplicateDelete``: delete
      markers are not replicated);
    - source key: ``kms:Decrypt``; destination key: ``kms:Encrypt``, ``kms:GenerateDataKey``; each only
      through S3 of the key's region (``kms:ViaService``) and for its bucket
      (``kms:EncryptionContext:aws:s3:arn``: the bucket ARN with S3 Bucket Keys, which SecureBucket turns on,
      or an object ARN below it without).
    """
    return policy_document(
        [
            {
                "Sid": "ReadSourceReplicationConfiguration",
                "Effect": "Allow",
                "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                "Resource": [source.arn],
            },
            {
                "Sid": "ReadSourceObjectVersions",
                "Effect": "Allow",
                "Action": [
                    "s3:GetObjectVersionForReplication",
                    "s3:GetObjectVersionAcl",
                    "s3:GetObjectVersionTagging",
                    "s3:GetObjectRetention",
                    "s3:GetObjectLegalHold",
                ],
                "Resource": [f"{source.arn}/*"],
            },
            {
                "Sid": "WriteReplicas",
                "Effect": "Allow",
                "Action": ["s3:ReplicateObject", "s3:ReplicateTags"],
                "Resource": [f"{destination.arn}/*"],
            },
            {
                "Sid": "DecryptSourceObjects",
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": [source_key_arn],
                "Condition": _through_s3(source_region, source.arn),
            },
            {
                "Sid": "EncryptReplicas",
                "Effect": "Allow",
                "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": [destination_key_arn],
                "Condition": _through_s3(destination_region, destination.arn),
            },
        ]
    )


def _through_s3(region: str, bucket_arn: str) -> dict[str, dict[str, object]]:
    """Key use only by S3 in ``region``, for ``bucket_arn`` or an object in it."""
    return {
        "StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"},
        "StringLike": {"kms:EncryptionContext:aws:s3:arn": [bucket_arn, f"{bucket_arn}/*"]},
    }


def replication_rule_id(destination_region: str) -> str:
    """The replication rule's id: the ``RuleId`` dimension of S3's replication metrics in CloudWatch."""
    return f"all-objects-to-{destination_region}"

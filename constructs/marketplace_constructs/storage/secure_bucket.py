"""SecureBucket: a private, versioned, KMS-encrypted S3 bucket that refuses plain HTTP, with optional
archiving, Object Lock and server access logging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
    S3BucketLifecycleConfigurationRuleTransition,
)
from cdktf_cdktf_provider_aws.s3_bucket_logging import S3BucketLoggingA
from cdktf_cdktf_provider_aws.s3_bucket_notification import S3BucketNotification
from cdktf_cdktf_provider_aws.s3_bucket_object_lock_configuration import (
    S3BucketObjectLockConfigurationA,
    S3BucketObjectLockConfigurationRuleA,
    S3BucketObjectLockConfigurationRuleDefaultRetentionA,
)
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import (
    S3BucketOwnershipControls,
    S3BucketOwnershipControlsRule,
)
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import (
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)
from constructs import Construct

from marketplace_constructs.aws import AwsLocation, policy_document
from marketplace_constructs.errors import ConfigError
from marketplace_constructs.protection import prevent_destroy
from marketplace_constructs.storage.props import SecureBucketProps


@dataclass(frozen=True, slots=True, kw_only=True)
class SecureBucketRef:
    """Handle to a bucket: name and ARN (tokens)."""

    name: str
    arn: str


# Regions older than August 2022 deliver ALB access logs from an Elastic Load Balancing account of the
# region; newer ones from the log delivery service principal (ELB user guide, "Enable access logs").
ELB_LOG_ACCOUNTS: Final = {
    "us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980",
    "us-west-2": "797873946194", "af-south-1": "098369216593", "ap-east-1": "754344448648",
    "ap-northeast-1": "582318560864", "ap-northeast-2": "600734575887", "ap-northeast-3": "383597477331",
    "ap-south-1": "718504428378", "ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266",
    "ap-southeast-3": "589379963580", "ca-central-1": "985666609251", "eu-central-1": "054676820928",
    "eu-north-1": "897822967062", "eu-south-1": "635631232127", "eu-west-1": "156460612806",
    "eu-west-2": "652711504416", "eu-west-3": "009996457667", "me-south-1": "076674570225",
    "sa-east-1": "507241528517",
}  # fmt: skip


def load_balancer_log_writer(region: str) -> dict[str, str]:
    """The principal that writes ALB access logs in ``region``."""
    account = ELB_LOG_ACCOUNTS.get(region)
    if account:
        return {"AWS": f"arn:aws:iam::{account}:root"}
    return {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}


class SecureBucket(Construct):
    """Private, versioned, owner-enforced, TLS-only; SSE-KMS with ``key_arn`` (bucket keys on) unless it is a
    log-delivery target. Never force-destroyed. Object events go to the account's default EventBridge bus,
    so security automation (say, an alert on deletes in the state or backups bucket) can subscribe without
    touching the bucket; delivery is free, only rules that match cost."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: SecureBucketProps,
        location: AwsLocation,
        key_arn: str | None,
    ) -> None:
        super().__init__(scope, construct_id)
        if (key_arn is None) != props.allow_access_log_delivery:
            raise ConfigError(
                "SecureBucket needs key_arn, except with allow_access_log_delivery (SSE-S3 then)"
            )
        bucket = S3Bucket(
            self, "bucket", bucket=props.bucket_name, force_destroy=False,
            object_lock_enabled=props.object_lock_days > 0 or None,
        )  # fmt: skip
        prevent_destroy(bucket, props.deletion_protection)
        S3BucketPublicAccessBlock(
            self, "public_access_block", bucket=bucket.id, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True,
        )  # fmt: skip
        S3BucketOwnershipControls(
            self,
            "ownership",
            bucket=bucket.id,
            rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        versioning = S3BucketVersioningA(
            self, "versioning", bucket=bucket.id,
            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )  # fmt: skip
        S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=bucket.id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="aws:kms", kms_master_key_id=key_arn
                    )
                    if key_arn
                    else S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="AES256"
                    ),
                    bucket_key_enabled=bool(key_arn),
                )
            ],
        )
        self._lifecycle(bucket, props, versioning)
        S3BucketNotification(self, "events", bucket=bucket.id, eventbridge=True)
        if props.object_lock_days:
            S3BucketObjectLockConfigurationA(
                self,
                "object_lock",
                bucket=bucket.id,
                rule=S3BucketObjectLockConfigurationRuleA(
                    default_retention=S3BucketObjectLockConfigurationRuleDefaultRetentionA(
                        mode="GOVERNANCE", days=props.object_lock_days
                    )
                ),
                depends_on=[versioning],
            )
        if props.access_log_bucket:
            S3BucketLoggingA(
                self, "access_logging", bucket=bucket.id, target_bucket=props.access_log_bucket,
                target_prefix=f"{props.bucket_name}/",
            )  # fmt: skip
        statements: list[dict[str, Any]] = [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket.arn, f"{bucket.arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]
        if props.allow_access_log_delivery:
            statements.append(
                {
                    "Sid": "S3ServerAccessLogDelivery",
                    "Effect": "Allow",
                    "Principal": {"Service": "logging.s3.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": f"{bucket.arn}/*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": location.account_id}},
                }
            )
        if props.allow_load_balancer_logs:
            statements.append(
                {
                    "Sid": "LoadBalancerAccessLogDelivery",
                    "Effect": "Allow",
                    "Principal": load_balancer_log_writer(location.region),
                    "Action": "s3:PutObject",
                    "Resource": f"{bucket.arn}/alb/AWSLogs/{location.account_id}/*",
                }
            )
        S3BucketPolicy(self, "policy", bucket=bucket.id, policy=policy_document(statements))
        self.ref = SecureBucketRef(name=bucket.bucket, arn=bucket.arn)

    @property
    def arn(self) -> str:
        """The bucket's ARN (a token)."""
        return self.ref.arn

    @property
    def name(self) -> str:
        """The bucket's name (a token)."""
        return self.ref.name

    def _lifecycle(self, bucket: S3Bucket, props: SecureBucketProps, versioning: S3BucketVersioningA) -> None:
        transitions = (
            [
                S3BucketLifecycleConfigurationRuleTransition(
                    days=props.archive_after_days, storage_class="STANDARD_IA"
                )
            ]
            if props.archive_after_days
            else None
        )
        expiration = (
            [S3BucketLifecycleConfigurationRuleExpiration(days=props.expire_after_days)]
            if props.expire_after_days
            else None
        )
        S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=bucket.id,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="age-objects-expire-old-versions-and-uploads",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    transition=transitions,
                    expiration=expiration,
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                            noncurrent_days=props.noncurrent_version_days
                        )
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(
                            days_after_initiation=7
                        )
                    ],
                )
            ],
            depends_on=[versioning],
        )

"""SecureBucket: a private, versioned, KMS-encrypted S3 bucket that refuses plain HTTP."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
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

from marketplace_constructs.aws import policy_document
from marketplace_constructs.errors import check_pattern, check_range


@dataclass(frozen=True, slots=True, kw_only=True)
class SecureBucketProps:
    """Bucket name and how long old object versions are kept.

    Attributes:
        bucket_name: Globally unique S3 name (3-63 chars, lower case, digits, '-'). Changing it replaces the
            bucket. Required.
        noncurrent_version_days: Days a replaced or deleted object version is kept, 1-3650. Default: 90.
    """

    bucket_name: str
    noncurrent_version_days: int = 90

    def __post_init__(self) -> None:
        check_pattern(
            "SecureBucketProps", "bucket_name", self.bucket_name, r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]",
            "3-63 lower-case letters, digits or '-'",
        )  # fmt: skip
        check_range(
            "SecureBucketProps", "noncurrent_version_days", self.noncurrent_version_days, 1, 3650, " days"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SecureBucketRef:
    """Handle to a bucket: name and ARN (tokens)."""

    name: str
    arn: str


class SecureBucket(Construct):
    """Private, versioned, SSE-KMS (bucket keys), owner-enforced, TLS-only; never force-destroyed."""

    def __init__(
        self, scope: Construct, construct_id: str, *, props: SecureBucketProps, key_arn: str
    ) -> None:
        super().__init__(scope, construct_id)
        bucket = S3Bucket(self, "bucket", bucket=props.bucket_name, force_destroy=False)
        S3BucketPublicAccessBlock(
            self,
            "public_access_block",
            bucket=bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        S3BucketOwnershipControls(
            self,
            "ownership",
            bucket=bucket.id,
            rule=S3BucketOwnershipControlsRule(object_ownership="BucketOwnerEnforced"),
        )
        S3BucketVersioningA(
            self,
            "versioning",
            bucket=bucket.id,
            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )
        S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=bucket.id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                        sse_algorithm="aws:kms", kms_master_key_id=key_arn
                    ),
                    bucket_key_enabled=True,
                )
            ],
        )
        S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=bucket.id,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="expire-old-versions-and-uploads",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
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
        )
        S3BucketPolicy(
            self,
            "tls_only",
            bucket=bucket.id,
            policy=policy_document(
                [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": [bucket.arn, f"{bucket.arn}/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ]
            ),
        )
        self.ref = SecureBucketRef(name=bucket.bucket, arn=bucket.arn)

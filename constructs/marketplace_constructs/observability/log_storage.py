"""LogStorage: Loki's S3 bucket, aged in step with Loki's retention, and the IRSA role that lets only Loki's
service account use it. Foundation layer (AWS only); the platform layer receives the names as strings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from constructs import Construct

from marketplace_constructs.aws import AwsLocation, policy_document
from marketplace_constructs.eks.cluster import ClusterRef
from marketplace_constructs.eks.irsa import ServiceAccountRole
from marketplace_constructs.errors import ConfigError
from marketplace_constructs.naming import PROJECT, resource_name
from marketplace_constructs.observability.logs import LOKI_SERVICE_ACCOUNT
from marketplace_constructs.observability.logs_props import LogsProps
from marketplace_constructs.storage.props import SecureBucketProps
from marketplace_constructs.storage.secure_bucket import SecureBucket

# Loki's compactor deletes data once it is retention_days old (plus its 2 h delete delay). The lifecycle
# expires objects one day after that, counted from their creation, which is never before the newest line
# they hold: a backstop for anything the compactor missed (a crash, a bug) that can never cut retention short.
EXPIRY_MARGIN_DAYS: Final = 1
# Versioning keeps what Loki deletes (chunks at retention, index files on every compaction) as noncurrent
# versions: delete them a day later, so logs don't outlive retention by weeks and compaction costs nothing.
NONCURRENT_DAYS: Final = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class LogStorageRef:
    """What Loki's values need from LogStorage (tokens, read by the platform layer through remote state)."""

    bucket_name: str
    role_arn: str
    kms_key_arn: str


def loki_bucket_policy(bucket_arn: str, key_arn: str, region: str) -> str:
    """List the bucket; read, write and delete its objects; use ``key_arn`` only through S3. Nothing else."""
    return policy_document(
        [
            {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [bucket_arn]},
            {
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": [f"{bucket_arn}/*"],
            },
            {
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": [key_arn],
                "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
            },
        ]
    )


class LogStorage(Construct):
    """Bucket ``llm-marketplace-<env>-loki-<account>`` (SecureBucket: private, versioned, SSE-KMS with
    ``key_arn``, TLS only; expiring objects retention_days + 1 days after creation and replaced versions a
    day later) and role ``<env>-eks-loki`` for service account ``monitoring/loki``.

    ``access_log_bucket`` receives the bucket's server access logs. ``ref`` holds what ``loki_values``
    needs.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        env: str,
        props: LogsProps,
        location: AwsLocation,
        key_arn: str,
        cluster: ClusterRef,
        access_log_bucket: str | None = None,
        deletion_protection: bool = True,
    ) -> None:
        super().__init__(scope, construct_id)
        if props.storage != "s3":
            raise ConfigError(
                f"LogStorage needs LogsProps.storage='s3', got {props.storage!r}; with filesystem storage "
                "Loki uses no bucket, so create no LogStorage"
            )
        bucket = SecureBucket(
            self,
            "bucket",
            props=SecureBucketProps(
                bucket_name=f"{PROJECT}-{env}-loki-{location.account_id}",
                noncurrent_version_days=NONCURRENT_DAYS,
                expire_after_days=props.retention_days + EXPIRY_MARGIN_DAYS,
                access_log_bucket=access_log_bucket,
                deletion_protection=deletion_protection,
            ),
            location=location,
            key_arn=key_arn,
        )
        namespace, service_account = LOKI_SERVICE_ACCOUNT
        role = ServiceAccountRole(
            self,
            "role",
            name=resource_name(env, "eks", "loki"),  # next to the add-ons' <env>-eks-<add-on> roles
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_issuer_url=cluster.oidc_issuer_url,
            namespace=namespace,
            service_account=service_account,
            inline_policy=loki_bucket_policy(bucket.ref.arn, key_arn, location.region),
        )
        self.ref = LogStorageRef(bucket_name=bucket.ref.name, role_arn=role.arn, kms_key_arn=key_arn)

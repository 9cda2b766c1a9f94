"""SecureBucketProps: how a bucket keeps, ages and protects its objects (no provider imports)."""

from __future__ import annotations

from dataclasses import dataclass

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_pattern, check_range, is_known


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class SecureBucketProps:
    """One bucket and how it keeps, ages and protects its objects.

    Attributes:
        bucket_name: Globally unique S3 name (3-63 chars, lower case, digits, '-'). Changing it replaces the
            bucket. Required.
        noncurrent_version_days: Days a replaced or deleted object version is kept, 1-3650. Default: 90.
        archive_after_days: Move current objects to STANDARD_IA after this many days (>= 30). Default: None.
        expire_after_days: Expire current objects this many days after creation, 1-3650 (after
            archive_after_days when both are set). Versioning turns an expired object into a noncurrent
            version, deleted noncurrent_version_days later. Default: None = kept until deleted.
        object_lock_days: Object Lock in governance mode with this default retention; a deleted or overwritten
            backup stays recoverable for that long even with stolen credentials. Only at creation: turning it
            on later replaces the bucket. Default: 0 = off.
        access_log_bucket: Name of the bucket receiving this bucket's server access logs. Default: None.
        deletion_protection: Refuse ``terraform destroy``. Default: True.
        allow_access_log_delivery: Make this a target for server access logs: the S3 logging service may write
            here and objects use SSE-S3, because log delivery cannot write SSE-KMS objects. Default: False.
        allow_load_balancer_logs: Also let Elastic Load Balancing write access logs under ``alb/`` (needs
            allow_access_log_delivery: ALB logs too are SSE-S3 only). Default: False.
    """

    bucket_name: str
    noncurrent_version_days: int = 90
    archive_after_days: int | None = None
    expire_after_days: int | None = None
    object_lock_days: int = 0
    access_log_bucket: str | None = None
    deletion_protection: bool = True
    allow_access_log_delivery: bool = False
    allow_load_balancer_logs: bool = False

    def __post_init__(self) -> None:
        check_pattern(
            "SecureBucketProps", "bucket_name", self.bucket_name, r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]",
            "3-63 lower-case letters, digits or '-'",
        )  # fmt: skip
        check_range(
            "SecureBucketProps", "noncurrent_version_days", self.noncurrent_version_days, 1, 3650, " days"
        )
        if self.archive_after_days is not None:
            check_range("SecureBucketProps", "archive_after_days", self.archive_after_days, 30, 3650, " days")
        expire, archive = self.expire_after_days, self.archive_after_days
        if expire is not None:
            check_range("SecureBucketProps", "expire_after_days", expire, 1, 3650, " days")
        if expire is not None and archive is not None and is_known(expire, archive) and expire <= archive:
            raise ConfigError(
                f"SecureBucketProps.expire_after_days must be above archive_after_days ({archive} days), "
                f"got {expire}"
            )
        check_range("SecureBucketProps", "object_lock_days", self.object_lock_days, 0, 3650, " days")
        if self.allow_load_balancer_logs and not self.allow_access_log_delivery:
            raise ConfigError(
                "SecureBucketProps.allow_load_balancer_logs needs allow_access_log_delivery (an SSE-S3 log "
                "bucket)"
            )
        if self.allow_access_log_delivery and self.access_log_bucket:
            raise ConfigError(
                "SecureBucketProps.access_log_bucket must be None on a log bucket (it would log itself)"
            )

"""Props of the disaster-recovery constructs: bucket and registry replication, backup vaults and the hourly
backup plan (no provider imports, so environment configs can build and validate them cheaply)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_one_of, check_pattern, check_range, is_known
from marketplace_constructs.naming import PROJECT
from marketplace_constructs.regions import check_region
from marketplace_constructs.storage.props import SecureBucketProps

# AWS Backup Vault Lock (PutBackupVaultLockConfiguration): the shortest minimum retention AWS accepts, the
# longest maximum (about 100 years), and the 72-hour cooling-off before a compliance-mode lock is immutable.
LOCK_MIN_DAYS: Final = 1
LOCK_MAX_DAYS: Final = 36500
COMPLIANCE_MIN_GRACE_DAYS: Final = 3

# Recovery points of the hourly rule: at least a week (STYLE.md §5: backups kept >= 7 days), at most 35 days
# (24 points a day per resource; 35 days is also the longest point-in-time window RDS and AWS Backup's
# continuous backups keep). Longer retention belongs in a daily or monthly rule.
HOURLY_RETENTION_DAYS: Final = (7, 35)

_ROLE_PREFIX: Final = r"[A-Za-z0-9+=,.@_-]{1,49}"  # IAM role-name characters; the suffixes fit in 64
_VAULT_NAME: Final = r"[A-Za-z0-9_-]{2,50}"  # AWS Backup's BackupVaultName pattern
# ECR's RepositoryFilterValue pattern (botocore's ecr model), 2-256 characters.
_ECR_PREFIX: Final = r"(?:[a-z0-9]+(?:[._-][a-z0-9]*)*/)*[a-z0-9]*(?:[._-][a-z0-9]*)*"
_VAULT_ARN: Final = r"arn:aws:backup:[a-z0-9-]+:\d{12}:backup-vault:[A-Za-z0-9_-]{2,50}"


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class BucketReplicationProps:
    """Cross-region replication of one SSE-KMS bucket into a new, Object Lock protected bucket of the stack's
    region.

    Attributes:
        destination: The replica bucket. Needs ``object_lock_days`` > 0: S3 replicates an Object Lock source
            only into an Object Lock destination, and the lock keeps each replicated version for that long
            whatever happens in the source region. Not a log-delivery bucket (replicas are SSE-KMS). Required.
        source_region: Region of the source bucket and its KMS key, another than the stack's. Required.
        role_name_prefix: Names the replication role ``<prefix>-s3-replication``; IAM names are global, so
            include the environment (``production-backups``). Required.
    """

    destination: SecureBucketProps
    source_region: str
    role_name_prefix: str

    def __post_init__(self) -> None:
        lock_days = self.destination.object_lock_days
        if is_known(lock_days) and lock_days <= 0:
            raise ConfigError(
                "BucketReplicationProps.destination.object_lock_days must be above 0 (an Object Lock source "
                f"replicates only into an Object Lock bucket), got {lock_days}"
            )
        if self.destination.allow_access_log_delivery:
            raise ConfigError(
                "BucketReplicationProps.destination.allow_access_log_delivery must be False (replicas are "
                "SSE-KMS objects), got True"
            )
        check_region("BucketReplicationProps", "source_region", self.source_region)
        check_pattern(
            "BucketReplicationProps", "role_name_prefix", self.role_name_prefix, _ROLE_PREFIX,
            "1-49 letters, digits or '+=,.@_-'",
        )  # fmt: skip


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class RegistryReplicationProps:
    """Which repositories of the source registry are copied to the stack's region.

    Attributes:
        source_region: Region of the source registry, another than the stack's. Required.
        repository_prefix: Repositories whose names start with this are replicated (ECR's PREFIX_MATCH);
            2-256 characters. Default: "llm-marketplace/", every service repository.
    """

    source_region: str
    repository_prefix: str = f"{PROJECT}/"

    def __post_init__(self) -> None:
        check_region("RegistryReplicationProps", "source_region", self.source_region)
        prefix = self.repository_prefix
        if is_known(prefix) and not 2 <= len(prefix) <= 256:
            raise ConfigError(
                f"RegistryReplicationProps.repository_prefix must be 2-256 characters, got {prefix!r}"
            )
        check_pattern(
            "RegistryReplicationProps", "repository_prefix", prefix, _ECR_PREFIX,
            "the start of repository names such as 'llm-marketplace/' (a-z, 0-9, '.', '_', '-', '/')",
        )  # fmt: skip


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class VaultLockProps:
    """AWS Backup Vault Lock: no recovery point in the vault can be deleted before ``min_retention_days``,
    and backup or copy jobs whose retention lies outside [min, max] fail.

    Attributes:
        min_retention_days: 1-36500. Default: 7.
        max_retention_days: min_retention_days-36500. Default: 35.
        compliance_grace_days: None = governance mode: a principal allowed
            ``backup:DeleteBackupVaultLockConfiguration`` can still change or remove the lock, so a wrong
            value stays fixable. A number, 3-36500 = compliance mode: the lock can be changed for that many
            days, then it is irreversible: nobody (root and AWS included) can remove it, shorten a retention
            or delete the vault while it holds recovery points. Default: None.
    """

    min_retention_days: int = 7
    max_retention_days: int = 35
    compliance_grace_days: int | None = None

    def __post_init__(self) -> None:
        low, high = self.min_retention_days, self.max_retention_days
        check_range("VaultLockProps", "min_retention_days", low, LOCK_MIN_DAYS, LOCK_MAX_DAYS, " days")
        check_range("VaultLockProps", "max_retention_days", high, LOCK_MIN_DAYS, LOCK_MAX_DAYS, " days")
        if is_known(low, high) and high < low:
            raise ConfigError(
                f"VaultLockProps.max_retention_days ({high}) must be >= min_retention_days ({low})"
            )
        if self.compliance_grace_days is not None:
            check_range(
                "VaultLockProps", "compliance_grace_days", self.compliance_grace_days,
                COMPLIANCE_MIN_GRACE_DAYS, LOCK_MAX_DAYS, " days",
            )  # fmt: skip

    def admits(self, retention_days: int) -> bool:
        """True when a job keeping its recovery points ``retention_days`` days passes this lock."""
        return self.min_retention_days <= retention_days <= self.max_retention_days


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class BackupVaultProps:
    """A backup vault encrypted with a customer-managed KMS key.

    Attributes:
        name: Vault name, 2-50 letters, digits, '-' or '_', unique per account and region. Changing it
            replaces the vault. Required.
        lock: Vault Lock, or None for none (then anyone allowed ``backup:DeleteRecoveryPoint`` can delete
            backups). Default: VaultLockProps(), governance mode, 7-35 days.
        deletion_protection: Refuse ``terraform destroy``. Default: True.
    """

    name: str
    lock: VaultLockProps | None = field(default_factory=VaultLockProps)
    deletion_protection: bool = True

    def __post_init__(self) -> None:
        check_pattern("BackupVaultProps", "name", self.name, _VAULT_NAME, "2-50 letters, digits, '-' or '_'")


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class BackupPlanProps:
    """AWS Backup of listed resources every ``frequency_hours`` into a vault of the stack's region,
    optionally copied to a vault of another region.

    Attributes:
        vault: The vault the plan writes to; the plan, its selection and its role (``<name>-backup``) take
            its name. Its lock must admit retention_days. Required.
        resource_arns: ARNs of the resources to back up (RDS instances, DynamoDB tables, EFS...), at least
            one, no repeats. Required.
        frequency_hours: Hours between recovery points: 1 (the reference design's hourly), 2, 3, 4, 6, 8, 12
            or 24. Default: 1.
        retention_days: Days each recovery point, and its copy, is kept, 7-35. Default: 14.
        copy_to_vault_arn: ARN of a vault in another region (``BackupVault`` there) receiving a copy of each
            recovery point; its lock must admit retention_days too. Every hourly point is copied: 24
            cross-region copies a day per resource. Default: None = no copy.
    """

    vault: BackupVaultProps
    resource_arns: tuple[str, ...]
    retention_days: int = 14
    copy_to_vault_arn: str | None = None
    frequency_hours: int = 1

    def __post_init__(self) -> None:
        check_one_of("BackupPlanProps", "frequency_hours", self.frequency_hours, (1, 2, 3, 4, 6, 8, 12, 24))
        low, high = HOURLY_RETENTION_DAYS
        check_range("BackupPlanProps", "retention_days", self.retention_days, low, high, " days")
        lock = self.vault.lock
        if (
            lock is not None
            and is_known(self.retention_days, lock.min_retention_days, lock.max_retention_days)
            and not lock.admits(self.retention_days)
        ):
            raise ConfigError(
                f"BackupPlanProps.retention_days must lie within the vault lock's {lock.min_retention_days}-"
                f"{lock.max_retention_days} days (the vault fails other jobs), got {self.retention_days}"
            )
        if not self.resource_arns:
            raise ConfigError("BackupPlanProps.resource_arns must name at least one resource")
        for arn in self.resource_arns:
            check_pattern("BackupPlanProps", "resource_arns", arn, r"arn:aws:[a-z0-9-]+:.+", "resource ARNs")
        if len(set(self.resource_arns)) != len(self.resource_arns):
            raise ConfigError(
                f"BackupPlanProps.resource_arns must not repeat an ARN, got {self.resource_arns!r}"
            )
        if self.copy_to_vault_arn is not None:
            check_pattern(
                "BackupPlanProps", "copy_to_vault_arn", self.copy_to_vault_arn, _VAULT_ARN,
                "a backup vault ARN (arn:aws:backup:<region>:<account>:backup-vault:<name>)",
            )  # fmt: skip

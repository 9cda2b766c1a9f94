"""Disaster recovery: copies of production's storage in the dr region (S3 bucket and ECR registry replication)
and AWS Backup vaults and plans.

Names resolve on first use (PEP 562), so importing the props to validate configuration does not load the
provider bindings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from marketplace_constructs.lazy import lazy_attributes

if TYPE_CHECKING:
    from marketplace_constructs.recovery.backup_plan import (
        BackupPlan,
        BackupPlanRef,
        BackupVault,
        BackupVaultRef,
    )
    from marketplace_constructs.recovery.bucket_replication import (
        BucketReplication,
        BucketReplicationRef,
        ReplicationSource,
    )
    from marketplace_constructs.recovery.props import (
        BackupPlanProps,
        BackupVaultProps,
        BucketReplicationProps,
        RegistryReplicationProps,
        VaultLockProps,
    )
    from marketplace_constructs.recovery.registry_replication import RegistryReplication

_HOME: Final = {
    "BackupPlan": "backup_plan",
    "BackupPlanProps": "props",
    "BackupPlanRef": "backup_plan",
    "BackupVault": "backup_plan",
    "BackupVaultProps": "props",
    "BackupVaultRef": "backup_plan",
    "BucketReplication": "bucket_replication",
    "BucketReplicationProps": "props",
    "BucketReplicationRef": "bucket_replication",
    "RegistryReplication": "registry_replication",
    "RegistryReplicationProps": "props",
    "ReplicationSource": "bucket_replication",
    "VaultLockProps": "props",
}

__all__ = [
    "BackupPlan",
    "BackupPlanProps",
    "BackupPlanRef",
    "BackupVault",
    "BackupVaultProps",
    "BackupVaultRef",
    "BucketReplication",
    "BucketReplicationProps",
    "BucketReplicationRef",
    "RegistryReplication",
    "RegistryReplicationProps",
    "ReplicationSource",
    "VaultLockProps",
]


__getattr__ = lazy_attributes(__name__, _HOME, globals())

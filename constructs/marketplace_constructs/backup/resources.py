"""Velero's custom resources (velero.io/v1), for ``manifests.custom_resource`` in the layer after the one
whose release installs Velero's CRDs: the backup Schedule and a read-only BackupStorageLocation."""

from __future__ import annotations

from typing import Any, Final

from marketplace_constructs.backup.props import BackupLocation, VeleroProps
from marketplace_constructs.backup.velero import LOCATION_NAME, NAMESPACE, PROVIDER
from marketplace_constructs.errors import ConfigError, check_dns_label
from marketplace_constructs.manifests import metadata

API_VERSION: Final = "velero.io/v1"
SCHEDULE_NAME: Final = "marketplace"  # its backups are named marketplace-<UTC timestamp>


def velero_schedule(props: VeleroProps, services: tuple[str, ...]) -> dict[str, Any]:
    """Schedule ``marketplace``: at ``props.schedule``, a backup of every service's namespace (``services``)
    and ``props.namespaces`` to the chart's location, kept ``props.ttl``; EBS snapshots of their volumes when
    ``props.snapshot_volumes``, never file-system backup (no node agent runs).

    Cluster-scoped objects follow Velero's default for a namespace backup: those the namespaced ones use
    (their persistent volumes, the CRDs of their custom resources), not every one in the cluster. Backups
    outlive the Schedule (no owner references), so deleting it deletes no backup.
    """
    template: dict[str, Any] = {
        "includedNamespaces": [*services, *(name for name in props.namespaces if name not in services)],
        "ttl": props.ttl,
        "storageLocation": LOCATION_NAME,
        "snapshotVolumes": props.snapshot_volumes,
        "defaultVolumesToFsBackup": False,
    }
    if props.snapshot_volumes:
        template["volumeSnapshotLocations"] = [LOCATION_NAME]
    return {
        "apiVersion": API_VERSION,
        "kind": "Schedule",
        "metadata": metadata(SCHEDULE_NAME, NAMESPACE),
        "spec": {"schedule": props.schedule, "template": template, "useOwnerReferencesInBackup": False},
    }


def read_only_location(name: str, location: BackupLocation) -> dict[str, Any]:
    """BackupStorageLocation ``name`` over ``location`` with accessMode ReadOnly: Velero lists its backups
    (they appear as Backup objects) and restores from them, but never writes, deletes or expires anything
    there. dr points one at production's backups replicated to its region; the server's role must read
    the bucket (``VeleroRole(restore_from=location)``).

    The region is given, so the plugin never asks S3 where the bucket is; no ``kmsKeyId``, which only
    applies to writes (S3 decrypts reads with the key the objects were written with).
    """
    check_dns_label("read_only_location", "name", name)
    if name == LOCATION_NAME:
        raise ConfigError(
            f"read_only_location.name must not be {LOCATION_NAME!r}, got {name!r}; that is the chart's "
            "read-write location"
        )
    return {
        "apiVersion": API_VERSION,
        "kind": "BackupStorageLocation",
        "metadata": metadata(name, NAMESPACE),
        "spec": {
            "provider": PROVIDER,
            "objectStorage": {"bucket": location.bucket, "prefix": location.prefix},
            "config": {"region": location.region},
            "accessMode": "ReadOnly",
            "default": False,
        },
    }

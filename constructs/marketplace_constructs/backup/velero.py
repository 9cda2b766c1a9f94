"""Velero: the ``velero`` chart's value tree (server with the AWS plugin, credentials through IRSA, backups
to the environment's bucket, EBS snapshots), and the names the role and the custom resources share.

Layers: the release goes to the platform layer, after kube-prometheus-stack (its ServiceMonitor is a CRD
that release installs). The chart installs Velero's own CRDs (its ``crds/`` folder on install, and the
``upgradeCRDs`` hook Job on every upgrade), so the Schedule and any extra BackupStorageLocation
(``backup.resources``) are custom resources of the next layer, as for every CRD the platform installs.
"""

from __future__ import annotations

from typing import Any, Final

from marketplace_constructs.addons.external_secrets import ROLE_ANNOTATION
from marketplace_constructs.backup.props import VELERO_NAMESPACE, BackupLocation, VeleroProps
from marketplace_constructs.security.contexts import RESTRICTED_CONTAINER
from marketplace_constructs.workload.props import NamespaceProps

NAMESPACE: Final = VELERO_NAMESPACE
# Restricted Pod Security (every container below meets it) and outside the mesh: Velero calls only the API
# server and AWS (EC2 has no ServiceEntry under REGISTRY_ONLY), and Prometheus scrapes it in plain HTTP.
NAMESPACE_PROPS: Final = NamespaceProps(name=NAMESPACE, mesh_injection=False)
# The chart's own name for the server's account with release "velero" (<fullname>-server), set explicitly so
# the IRSA trust never depends on the release name. The upgradeCRDs Job runs as <this>-upgrade-crds, which
# the role does not trust: it needs no AWS access.
SERVICE_ACCOUNT: Final = (NAMESPACE, "velero-server")  # namespace, name
# The chart's BackupStorageLocation and VolumeSnapshotLocation; the Schedule names both.
LOCATION_NAME: Final = "default"
PROVIDER: Final = "aws"
# The plugin line paired with Velero 1.18 (the chart's appVersion 1.18.1) is v1.14.x (the plugin README's
# compatibility table); v1.14.2 is its newest tag (velero-io/velero-plugin-for-aws, 2026-06-16).
AWS_PLUGIN_IMAGE: Final = "docker.io/velero/velero-plugin-for-aws:v1.14.2"
# The Velero image's user is the name "cnb", which the kubelet cannot check against runAsNonRoot; the
# plugin image runs as 65532. One numeric user for the pod; fsGroup lets it read the projected IRSA token.
VELERO_UID: Final = 65532
# RESTRICTED_CONTAINER's read-only root: the chart then mounts an emptyDir at /tmp.


def _resources(props: VeleroProps) -> dict[str, Any]:
    spec = props.resources
    limits = {"memory": spec.memory_limit}
    if spec.cpu_limit is not None:
        limits["cpu"] = spec.cpu_limit
    return {"requests": {"cpu": spec.cpu_request, "memory": spec.memory_request}, "limits": limits}


def velero_values(
    props: VeleroProps, *, location: BackupLocation, region: str, role_arn: str
) -> dict[str, Any]:
    """The ``velero`` chart's value tree (12.1.0).

    - Backups go to ``location`` (BackupStorageLocation "default", read-write, SSE-KMS with its key),
      through the IRSA role ``role_arn`` on SERVICE_ACCOUNT: no credentials Secret exists.
    - With ``props.snapshot_volumes``, VolumeSnapshotLocation "default" takes EBS snapshots in ``region``
      (the cluster's, where its volumes are). EBS snapshots rather than file-system backup: they need no
      node agent (a DaemonSet running as root with every pod's volumes mounted from the host, which would
      make this namespace privileged) and copy no data through the nodes. They stay in ``region``: a
      restore in another region (dr) gets the objects, not the volumes' data.
    - The AWS plugin (AWS_PLUGIN_IMAGE) is copied into the server's plugin folder by an init container,
      as the chart expects; every container runs restricted as VELERO_UID.
    - CRDs: ``upgradeCRDs`` (a pre-install/pre-upgrade hook Job running ``velero install --crds-only``)
      keeps them at the chart's Velero version, since Helm installs a chart's ``crds/`` folder only once and
      never upgrades it; ``cleanUpCRDs`` stays off, as deleting the CRDs deletes every Backup and Schedule.
    - Metrics: a ServiceMonitor, always rendered (autodetect off, so it never silently disappears); the
      release must follow kube-prometheus-stack. Logs in JSON, whose ``level`` and ``msg`` fields are the
      ones the log pipeline reads.
    - Manual backups (``velero backup create``) default to the Schedule's TTL.
    """
    snapshot_locations = [{"name": LOCATION_NAME, "provider": PROVIDER, "config": {"region": region}}]
    return {
        "credentials": {"useSecret": False},
        "serviceAccount": {
            "server": {"create": True, "name": SERVICE_ACCOUNT[1], "annotations": {ROLE_ANNOTATION: role_arn}}
        },
        "initContainers": [
            {
                "name": "velero-plugin-for-aws",
                "image": AWS_PLUGIN_IMAGE,
                "imagePullPolicy": "IfNotPresent",
                "volumeMounts": [{"mountPath": "/target", "name": "plugins"}],
                "securityContext": RESTRICTED_CONTAINER,
                "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "128Mi"}},
            }
        ],
        "podSecurityContext": {
            "runAsNonRoot": True,
            "runAsUser": VELERO_UID,
            "runAsGroup": VELERO_UID,
            "fsGroup": VELERO_UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "containerSecurityContext": RESTRICTED_CONTAINER,  # the server's and the upgradeCRDs Job's
        "resources": _resources(props),
        "upgradeCRDs": True,
        "upgradeJobResources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}},
        "cleanUpCRDs": False,
        "deployNodeAgent": False,
        "backupsEnabled": True,
        "snapshotsEnabled": props.snapshot_volumes,
        "configuration": {
            "backupStorageLocation": [
                {
                    "name": LOCATION_NAME,
                    "provider": PROVIDER,
                    "bucket": location.bucket,
                    "prefix": location.prefix,
                    "default": True,
                    "accessMode": "ReadWrite",
                    # The plugin's default CRC32 upload checksum is what Object Lock requires on every write.
                    "config": {"region": location.region, "kmsKeyId": location.kms_key_arn},
                }
            ],
            "volumeSnapshotLocation": snapshot_locations if props.snapshot_volumes else [],
            "defaultBackupTTL": props.ttl,
            "logFormat": "json",
        },
        "metrics": {"enabled": True, "serviceMonitor": {"enabled": True, "autodetect": False}},
    }

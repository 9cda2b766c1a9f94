"""VeleroRole: the IAM role only Velero's server service account can assume (IRSA), allowed to write its
environment's backups, read another environment's replicated backups, and snapshot and restore EBS volumes.
Foundation layer (AWS only); the platform layer receives the ARN as a string."""

from __future__ import annotations

from typing import Any, Final

from cdktf import ITerraformDependable
from constructs import Construct

from marketplace_constructs.aws import AwsLocation, policy_document
from marketplace_constructs.backup.props import BackupLocation, VeleroProps
from marketplace_constructs.backup.velero import SERVICE_ACCOUNT
from marketplace_constructs.eks.cluster import ClusterRef
from marketplace_constructs.eks.irsa import ServiceAccountRole
from marketplace_constructs.errors import ConfigError
from marketplace_constructs.naming import resource_name

# Velero tags every snapshot it takes with the backup's name (pkg/backup/item_backupper.go), and a volume
# restored from one copies the snapshot's tags: the role may create, restore and delete only such snapshots.
BACKUP_TAG: Final = "velero.io/backup"
BACKUP_WRITE: Final = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:AbortMultipartUpload",
    "s3:ListMultipartUploadParts",
)


def _through_s3(key_arn: str, region: str, actions: list[str]) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Action": actions,
        "Resource": [key_arn],
        "Condition": {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}},
    }


def snapshot_statements(location: AwsLocation, volume_key_arn: str) -> list[dict[str, Any]]:
    """EBS snapshots of the cluster's volumes and volumes restored from them, in ``location`` only: the AWS
    plugin's documented EC2 actions, narrowed by resource and tag; ``volume_key_arn`` (the volumes' key)
    through EC2 only, so a restored volume can be created from an encrypted snapshot."""
    volumes = f"arn:aws:ec2:{location.region}:{location.account_id}:volume/*"
    snapshots = f"arn:aws:ec2:{location.region}::snapshot/*"  # snapshot ARNs carry no account
    tagged = {"Null": {f"aws:ResourceTag/{BACKUP_TAG}": "false"}}
    tagging = {"Null": {f"aws:RequestTag/{BACKUP_TAG}": "false"}}
    through_ec2 = {"kms:ViaService": f"ec2.{location.region}.amazonaws.com"}
    return [
        {
            "Effect": "Allow",
            "Action": ["ec2:DescribeVolumes", "ec2:DescribeSnapshots"],
            "Resource": ["*"],  # EC2's Describe calls take no resource-level permissions
            "Condition": {"StringEquals": {"aws:RequestedRegion": location.region}},
        },
        {"Effect": "Allow", "Action": ["ec2:CreateSnapshot"], "Resource": [volumes]},
        {"Effect": "Allow", "Action": ["ec2:CreateSnapshot"], "Resource": [snapshots], "Condition": tagging},
        {"Effect": "Allow", "Action": ["ec2:CreateVolume"], "Resource": [snapshots], "Condition": tagged},
        {"Effect": "Allow", "Action": ["ec2:CreateVolume"], "Resource": [volumes], "Condition": tagging},
        {
            "Effect": "Allow",
            "Action": ["ec2:CreateTags"],
            "Resource": [volumes, snapshots],
            "Condition": {"StringEquals": {"ec2:CreateAction": ["CreateSnapshot", "CreateVolume"]}},
        },
        {"Effect": "Allow", "Action": ["ec2:DeleteSnapshot"], "Resource": [snapshots], "Condition": tagged},
        {
            "Effect": "Allow",
            "Action": ["kms:CreateGrant"],
            "Resource": [volume_key_arn],
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}, "StringEquals": through_ec2},
        },
        {
            "Effect": "Allow",
            "Action": [
                "kms:Decrypt",
                "kms:DescribeKey",
                "kms:GenerateDataKeyWithoutPlaintext",
                "kms:ReEncrypt*",
            ],
            "Resource": [volume_key_arn],
            "Condition": {"StringEquals": through_ec2},
        },
    ]


def velero_policy(
    location: AwsLocation,
    *,
    backups: BackupLocation,
    restore_from: BackupLocation | None = None,
    volume_key_arn: str | None = None,
) -> str:
    """Velero's permissions, and nothing else:

    - ``backups``: list the bucket; read, write and delete objects under its prefix (and clean up multipart
      uploads); ``kms:GenerateDataKey`` and ``kms:Decrypt`` with its key, through S3 only. Never
      ``s3:BypassGovernanceRetention`` or version deletes: Object Lock still protects every backup.
    - ``restore_from`` (dr: production's backups replicated to its region): list the bucket, read objects
      under its prefix, ``kms:Decrypt`` with its key through S3. No write of any kind.
    - ``volume_key_arn`` given: ``snapshot_statements``.
    """
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [backups.bucket_arn]},
        {"Effect": "Allow", "Action": list(BACKUP_WRITE), "Resource": [backups.objects_arn]},
        _through_s3(backups.kms_key_arn, backups.region, ["kms:Decrypt", "kms:GenerateDataKey"]),
    ]
    if restore_from is not None:
        statements += [
            {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [restore_from.bucket_arn]},
            {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [restore_from.objects_arn]},
            _through_s3(restore_from.kms_key_arn, restore_from.region, ["kms:Decrypt"]),
        ]
    if volume_key_arn is not None:
        statements += snapshot_statements(location, volume_key_arn)
    return policy_document(statements)


class VeleroRole(Construct):
    """Role ``<env>-eks-velero``, trusted by service account ``velero/velero-server`` alone (SERVICE_ACCOUNT),
    with ``velero_policy``. ``arn`` goes to ``velero_values``; ``policies`` are what the release should wait
    for.

    ``volume_key_arn`` is the key of the cluster's EBS volumes (the foundation's ``ebs`` key): required when
    ``props.snapshot_volumes``, refused otherwise. ``restore_from`` is another environment's replicated
    backups, which this one may read (dr reading production's)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        env: str,
        props: VeleroProps,
        location: AwsLocation,
        cluster: ClusterRef,
        backups: BackupLocation,
        restore_from: BackupLocation | None = None,
        volume_key_arn: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if props.snapshot_volumes and volume_key_arn is None:
            raise ConfigError(
                "VeleroRole.volume_key_arn must be given with VeleroProps.snapshot_volumes=True, got None; "
                "pass the key of the cluster's EBS volumes (the foundation's ebs key)"
            )
        if not props.snapshot_volumes and volume_key_arn is not None:
            raise ConfigError(
                "VeleroRole.volume_key_arn must be None with VeleroProps.snapshot_volumes=False (no snapshot "
                f"is taken or restored), got {volume_key_arn!r}"
            )
        namespace, service_account = SERVICE_ACCOUNT
        role = ServiceAccountRole(
            self,
            "role",
            name=resource_name(env, "eks", "velero"),  # next to the add-ons' <env>-eks-<add-on> roles
            oidc_provider_arn=cluster.oidc_provider_arn,
            oidc_issuer_url=cluster.oidc_issuer_url,
            namespace=namespace,
            service_account=service_account,
            inline_policy=velero_policy(
                location, backups=backups, restore_from=restore_from, volume_key_arn=volume_key_arn
            ),
        )
        self.arn: str = role.arn
        self.policies: list[ITerraformDependable] = role.policies

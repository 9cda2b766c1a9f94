"""Velero: VeleroProps and BackupLocation validation, the chart values against the pinned chart's
values.yaml and values.schema.json, the IRSA role (trust pinned to one service account, every action and
resource), and the Schedule and read-only BackupStorageLocation against Velero's CRD schemas."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from marketplace_constructs import ClusterRef, ConfigError
from marketplace_constructs.backup.props import PLATFORM_STATE_NAMESPACES, BackupLocation, VeleroProps
from marketplace_constructs.backup.resources import read_only_location, velero_schedule
from marketplace_constructs.backup.role import VeleroRole
from marketplace_constructs.backup.velero import (
    AWS_PLUGIN_IMAGE,
    NAMESPACE,
    NAMESPACE_PROPS,
    SERVICE_ACCOUNT,
    VELERO_UID,
    velero_values,
)
from marketplace_constructs.workload.service_props import ResourceProps
from policy.chart_values import CHARTS_DIR, load_chart, release_problems
from stacks.charts import VELERO
from tests.conftest import policy
from tests.constructs.synth import LOCATION, synth_construct
from tfoffline.crds import CRD_DIR, manifest_errors

SERVICES = ("publishing", "discovery")  # hand-written: the construct backs up whatever services it is given
ROLE_ARN = "${TfToken[TOKEN.1]}"
BACKUPS_KEY = "arn:aws:kms:us-east-1:123456789012:key/backups"
REPLICA_KEY = "arn:aws:kms:us-west-2:123456789012:key/backups-replica"
EBS_KEY = "arn:aws:kms:us-east-1:123456789012:key/ebs"
BACKUPS = BackupLocation(
    bucket="llm-marketplace-t-backups-123456789012", prefix="t", region="us-east-1", kms_key_arn=BACKUPS_KEY
)
REPLICA = BackupLocation(
    bucket="llm-marketplace-production-backups-replica", prefix="production", region="us-west-2",
    kms_key_arn=REPLICA_KEY,
)  # fmt: skip
CLUSTER = ClusterRef(
    name="t-eks", region="us-east-1", endpoint="https://eks.example", certificate_authority_data="ca",
    security_group_id="sg-1", oidc_issuer_url="https://oidc.eks.us-east-1.amazonaws.com/id/X",
    oidc_provider_arn="arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X",
)  # fmt: skip
OBJECTS_ONLY = VeleroProps(snapshot_volumes=False)


def values(props: VeleroProps | None = None) -> dict[str, Any]:
    return velero_values(props or VeleroProps(), location=BACKUPS, region="us-east-1", role_arn=ROLE_ARN)


def release(chart_values: dict[str, Any]) -> dict[str, Any]:
    """Shaped like a synthesized helm_release."""
    return {
        "name": VELERO.name, "chart": VELERO.name, "version": VELERO.version,
        "values": [json.dumps(chart_values, sort_keys=True)],
    }  # fmt: skip


def role(scope: Any, props: VeleroProps | None = None, **overrides: Any) -> VeleroRole:
    arguments: dict[str, Any] = {"restore_from": REPLICA, "volume_key_arn": EBS_KEY, **overrides}
    return VeleroRole(
        scope, "velero_role", env="t", props=props or VeleroProps(), location=LOCATION, cluster=CLUSTER,
        backups=BACKUPS, **arguments,
    )  # fmt: skip


@pytest.mark.parametrize("props", [VeleroProps(), OBJECTS_ONLY], ids=["snapshots", "objects-only"])
def test_values_pass_the_chart_values_check_keys_and_schema(props: VeleroProps) -> None:
    assert load_chart(VELERO.name, VELERO.version).schema is not None  # so (b) validated the merged values
    assert release_problems("t", release(values(props))) == []


def test_a_misspelt_key_and_a_wrong_type_are_reported() -> None:
    wrong = values()
    wrong["configuration"]["logFromat"] = "json"
    wrong["metrics"]["serviceMonitor"]["enabled"] = "yes"
    assert release_problems("t", release(wrong)) == [
        f"t: helm_release 'velero' (velero {VELERO.version}): values key 'configuration.logFromat' is not in "
        "the chart's values.yaml",
        f"t: helm_release 'velero' (velero {VELERO.version}): values at 'metrics.serviceMonitor.enabled' "
        "fail values.schema.json: 'yes' is not of type 'boolean'",
    ]


def test_the_pinned_chart_runs_velero_1_18_whose_crds_are_vendored_and_pairs_the_aws_plugin_1_14() -> None:
    chart = load_chart(VELERO.name, VELERO.version)
    app_version = yaml.safe_load((CHARTS_DIR / VELERO.name / VELERO.version / "Chart.yaml").read_text())[
        "appVersion"
    ]
    assert (VELERO.version, app_version, chart.values["image"]["tag"]) == ("12.1.0", "1.18.1", "v1.18.1")
    for kind in ("Schedule", "BackupStorageLocation"):
        source = json.loads((CRD_DIR / "velero.io" / f"{kind}.json").read_text())["source"]
        assert source.startswith("vmware-tanzu/velero@v1.18.1 "), kind
    assert AWS_PLUGIN_IMAGE == "docker.io/velero/velero-plugin-for-aws:v1.14.2"  # v1.14.x <-> Velero 1.18.x


def test_credentials_come_only_from_irsa_on_the_pinned_service_account() -> None:
    given = values()
    assert given["credentials"] == {"useSecret": False}
    assert given["serviceAccount"]["server"] == {
        "create": True,
        "name": SERVICE_ACCOUNT[1],
        "annotations": {"eks.amazonaws.com/role-arn": ROLE_ARN},
    }
    assert SERVICE_ACCOUNT == (NAMESPACE, "velero-server") == ("velero", "velero-server")


def test_backups_go_to_the_environments_prefix_encrypted_with_its_key_and_snapshots_stay_in_region() -> None:
    configuration = values()["configuration"]
    assert configuration["backupStorageLocation"] == [
        {
            "name": "default", "provider": "aws", "bucket": BACKUPS.bucket, "prefix": "t", "default": True,
            "accessMode": "ReadWrite", "config": {"region": "us-east-1", "kmsKeyId": BACKUPS_KEY},
        }
    ]  # fmt: skip
    assert configuration["volumeSnapshotLocation"] == [
        {"name": "default", "provider": "aws", "config": {"region": "us-east-1"}}
    ]
    assert configuration["defaultBackupTTL"] == "720h0m0s"
    assert configuration["logFormat"] == "json"
    assert values()["snapshotsEnabled"] is True


def test_objects_only_renders_no_snapshot_location() -> None:
    given = values(OBJECTS_ONLY)
    assert given["snapshotsEnabled"] is False
    assert given["configuration"]["volumeSnapshotLocation"] == []


def test_every_container_meets_the_restricted_pod_security_standard_as_a_numeric_user() -> None:
    given = values()
    pod = given["podSecurityContext"]
    assert pod["runAsNonRoot"] is True and pod["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["runAsUser"] == pod["runAsGroup"] == pod["fsGroup"] == VELERO_UID  # the image's user is "cnb"
    (plugin,) = given["initContainers"]
    for context in (given["containerSecurityContext"], plugin["securityContext"]):
        assert context["allowPrivilegeEscalation"] is False
        assert context["capabilities"] == {"drop": ["ALL"]}
        assert context["readOnlyRootFilesystem"] is True and context["runAsNonRoot"] is True
    assert given["deployNodeAgent"] is False  # the node agent needs root and host paths
    assert NAMESPACE_PROPS.allow_pod_security == "restricted" and NAMESPACE_PROPS.mesh_injection is False


def test_the_aws_plugin_init_container_copies_the_pinned_plugin_into_the_plugins_volume() -> None:
    (plugin,) = values()["initContainers"]
    assert plugin["name"] == "velero-plugin-for-aws"
    assert plugin["image"] == AWS_PLUGIN_IMAGE
    assert plugin["volumeMounts"] == [{"mountPath": "/target", "name": "plugins"}]
    assert set(plugin["resources"]) == {"requests", "limits"}


def test_crds_follow_the_chart_and_are_never_deleted_and_the_service_monitor_is_always_rendered() -> None:
    given = values()
    assert given["upgradeCRDs"] is True and given["cleanUpCRDs"] is False
    assert given["metrics"] == {"enabled": True, "serviceMonitor": {"enabled": True, "autodetect": False}}


def test_server_resources_come_from_the_props() -> None:
    props = VeleroProps(resources=ResourceProps(cpu_request="1", memory_request="512Mi", memory_limit="2Gi"))
    assert values(props)["resources"] == {
        "requests": {"cpu": "1", "memory": "512Mi"},
        "limits": {"memory": "2Gi"},
    }
    assert values()["resources"] == {
        "requests": {"cpu": "500m", "memory": "256Mi"},
        "limits": {"memory": "1Gi"},
    }


def test_role_trust_is_pinned_to_exactly_one_service_account_and_the_sts_audience() -> None:
    resources = synth_construct(role)
    (iam_role,) = resources["aws_iam_role"].values()
    assert iam_role["name"] == "t-eks-velero"
    (trust,) = policy(iam_role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Federated": CLUSTER.oidc_provider_arn}
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert list(trust["Condition"]) == ["StringEquals"]
    assert sorted(trust["Condition"]["StringEquals"].values()) == [
        "sts.amazonaws.com",
        "system:serviceaccount:velero:velero-server",
    ]


def test_role_policy_lists_every_action_and_resource() -> None:
    (inline,) = synth_construct(role)["aws_iam_role_policy"].values()
    volumes, snapshots = "arn:aws:ec2:us-east-1:123456789012:volume/*", "arn:aws:ec2:us-east-1::snapshot/*"
    tagged = {"Null": {"aws:ResourceTag/velero.io/backup": "false"}}
    tagging = {"Null": {"aws:RequestTag/velero.io/backup": "false"}}
    via_ec2 = {"kms:ViaService": "ec2.us-east-1.amazonaws.com"}
    assert json.loads(inline["policy"])["Statement"] == [
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [f"arn:aws:s3:::{BACKUPS.bucket}"]},
        {
            "Effect": "Allow",
            "Action": [
                "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
                "s3:ListMultipartUploadParts",
            ],
            "Resource": [f"arn:aws:s3:::{BACKUPS.bucket}/t/*"],
        },
        {
            "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": [BACKUPS_KEY],
            "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
        },
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [f"arn:aws:s3:::{REPLICA.bucket}"]},
        {
            "Effect": "Allow", "Action": ["s3:GetObject"],
            "Resource": [f"arn:aws:s3:::{REPLICA.bucket}/production/*"],
        },
        {
            "Effect": "Allow", "Action": ["kms:Decrypt"], "Resource": [REPLICA_KEY],
            "Condition": {"StringEquals": {"kms:ViaService": "s3.us-west-2.amazonaws.com"}},
        },
        {
            "Effect": "Allow", "Action": ["ec2:DescribeVolumes", "ec2:DescribeSnapshots"], "Resource": ["*"],
            "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}},
        },
        {"Effect": "Allow", "Action": ["ec2:CreateSnapshot"], "Resource": [volumes]},
        {"Effect": "Allow", "Action": ["ec2:CreateSnapshot"], "Resource": [snapshots], "Condition": tagging},
        {"Effect": "Allow", "Action": ["ec2:CreateVolume"], "Resource": [snapshots], "Condition": tagged},
        {"Effect": "Allow", "Action": ["ec2:CreateVolume"], "Resource": [volumes], "Condition": tagging},
        {
            "Effect": "Allow", "Action": ["ec2:CreateTags"], "Resource": [volumes, snapshots],
            "Condition": {"StringEquals": {"ec2:CreateAction": ["CreateSnapshot", "CreateVolume"]}},
        },
        {"Effect": "Allow", "Action": ["ec2:DeleteSnapshot"], "Resource": [snapshots], "Condition": tagged},
        {
            "Effect": "Allow", "Action": ["kms:CreateGrant"], "Resource": [EBS_KEY],
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}, "StringEquals": via_ec2},
        },
        {
            "Effect": "Allow",
            "Action": [
                "kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*",
            ],
            "Resource": [EBS_KEY], "Condition": {"StringEquals": via_ec2},
        },
    ]  # fmt: skip


def test_role_without_snapshots_or_a_restore_source_touches_only_its_own_prefix_and_key() -> None:
    resources = synth_construct(
        lambda scope: role(scope, OBJECTS_ONLY, restore_from=None, volume_key_arn=None)
    )
    (inline,) = resources["aws_iam_role_policy"].values()
    statements = json.loads(inline["policy"])["Statement"]
    actions = {action for statement in statements for action in statement["Action"]}
    assert not any(action.startswith("ec2:") for action in actions)
    assert "s3:BypassGovernanceRetention" not in actions and "s3:DeleteObjectVersion" not in actions
    assert {resource for statement in statements for resource in statement["Resource"]} == {
        f"arn:aws:s3:::{BACKUPS.bucket}", f"arn:aws:s3:::{BACKUPS.bucket}/t/*", BACKUPS_KEY,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("props", "key", "message"),
    [
        (
            VeleroProps(),
            None,
            r"VeleroRole.volume_key_arn must be given with VeleroProps.snapshot_volumes=True",
        ),
        (OBJECTS_ONLY, EBS_KEY, r"VeleroRole.volume_key_arn must be None with VeleroProps.snapshot_volumes="),
    ],
    ids=["snapshots-without-key", "key-without-snapshots"],
)
def test_role_refuses_a_volume_key_that_does_not_match_the_snapshot_switch(
    props: VeleroProps, key: str | None, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        synth_construct(lambda scope: role(scope, props, volume_key_arn=key))


@pytest.mark.parametrize("props", [VeleroProps(), OBJECTS_ONLY], ids=["snapshots", "objects-only"])
def test_schedule_validates_against_velero_schedule_crd(props: VeleroProps) -> None:
    body = velero_schedule(props, SERVICES)
    assert manifest_errors(body) == []
    assert body["metadata"] == {"name": "marketplace", "namespace": "velero"}
    spec = body["spec"]
    assert spec["schedule"] == "0 3 * * *" and spec["useOwnerReferencesInBackup"] is False
    template = spec["template"]
    assert template["includedNamespaces"] == [*SERVICES, *PLATFORM_STATE_NAMESPACES]  # every service, always
    assert template["storageLocation"] == "default"
    assert template["snapshotVolumes"] is props.snapshot_volumes
    assert template["defaultVolumesToFsBackup"] is False
    assert template.get("volumeSnapshotLocations") == (["default"] if props.snapshot_volumes else None)


@pytest.mark.parametrize("days", [1, 7, 30, 400])
def test_schedule_ttl_equals_the_retention(days: int) -> None:
    props = VeleroProps(retention_days=days)
    assert velero_schedule(props, SERVICES)["spec"]["template"]["ttl"] == f"{days * 24}h0m0s"
    assert values(props)["configuration"]["defaultBackupTTL"] == f"{days * 24}h0m0s"


def test_the_crd_check_is_strict_about_unknown_fields() -> None:
    body = velero_schedule(VeleroProps(), SERVICES)
    body["spec"]["template"]["tll"] = "720h"
    assert manifest_errors(body) == [
        "spec.template: Additional properties are not allowed ('tll' was unexpected)"
    ]


def test_read_only_location_validates_against_velero_crd_and_never_writes() -> None:
    body = read_only_location("production", REPLICA)
    assert manifest_errors(body) == []
    assert body["metadata"] == {"name": "production", "namespace": "velero"}
    assert body["spec"] == {
        "provider": "aws",
        "objectStorage": {"bucket": REPLICA.bucket, "prefix": "production"},
        "config": {"region": "us-west-2"},
        "accessMode": "ReadOnly",
        "default": False,
    }


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("default", r"read_only_location.name must not be 'default', got 'default'; that is the chart's"),
        ("Prod", r"read_only_location.name must be a DNS-1123 label"),
    ],
)
def test_read_only_location_refuses_a_bad_name(name: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        read_only_location(name, REPLICA)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"schedule": "0 3 * *"},
            r"VeleroProps.schedule must be five cron fields .* got '0 3 \* \*'; it has 4",
        ),
        (
            {"schedule": "0 25 * * *"},
            r"its hour field '25' is not a list of values, ranges or steps within 0-23",
        ),
        ({"schedule": "*/0 * * * *"}, r"its minute field '\*/0'"),
        ({"schedule": "0 3 * * MON-SUN"}, r"its day-of-week field 'MON-SUN'"),
        ({"schedule": "@fortnightly"}, r"VeleroProps.schedule must be five cron fields"),
        ({"retention_days": 0}, r"VeleroProps.retention_days must be between 1 and 400 days, got 0"),
        ({"retention_days": 401}, r"VeleroProps.retention_days must be between 1 and 400 days, got 401"),
        ({"retention_days": "30"}, r"VeleroProps.retention_days must be an int, got str '30'"),
        ({"namespaces": ()}, r"VeleroProps.namespaces must name at least one namespace, got \(\)"),
        ({"namespaces": ["admin"]}, r"VeleroProps.namespaces must be .*; write a tuple: \('admin',\)"),
        (
            {"namespaces": ("admin", "Admin")},
            r"VeleroProps.namespaces must be a DNS-1123 label .* got 'Admin'",
        ),
        ({"namespaces": ("admin", "admin")}, r"VeleroProps.namespaces must not repeat a namespace"),
        ({"namespaces": ("admin", "velero")}, r"VeleroProps.namespaces must not include 'velero'"),
        (
            {"snapshot_volume": False},
            r"VeleroProps has no field 'snapshot_volume'; did you mean 'snapshot_volumes'",
        ),
    ],
)
def test_props_reject_bad_values(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        VeleroProps(**overrides)


@pytest.mark.parametrize(
    "schedule", ["0 3 * * *", "@daily", "30 */6 * * *", "0 2 * * sun", "0 1 1,15 JAN-JUN ?", "15 3-5 * * 1-5"]
)
def test_props_accept_the_cron_forms_velero_parses(schedule: str) -> None:
    assert VeleroProps(schedule=schedule).schedule == schedule


def test_defaults_back_up_the_platforms_certificate_authorities_for_30_days() -> None:
    props = VeleroProps()
    assert props.namespaces == ("cert-manager", "istio-system")  # the services' come from velero_schedule
    assert (props.schedule, props.retention_days, props.snapshot_volumes) == ("0 3 * * *", 30, True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"prefix": "/production"}, r"BackupLocation.prefix must be lower-case DNS labels joined by '/'"),
        ({"prefix": "production/"}, r"BackupLocation.prefix must be lower-case DNS labels joined by '/'"),
        ({"region": "us-west-3"}, r"BackupLocation.region must be one of"),
        ({"bucket": "Backups"}, r"BackupLocation.bucket must be an S3 bucket name, got 'Backups'"),
        ({"kms_key_arn": "alias/backups"}, r"BackupLocation.kms_key_arn must be a KMS key ARN"),
    ],
)
def test_location_rejects_bad_values(overrides: dict[str, str], message: str) -> None:
    arguments = {"bucket": "b-1", "prefix": "p", "region": "us-east-1", "kms_key_arn": BACKUPS_KEY}
    with pytest.raises(ConfigError, match=message):
        BackupLocation(**{**arguments, **overrides})


def test_location_accepts_tokens_from_another_stack() -> None:
    token = "${TfToken[TOKEN.9]}"
    location = BackupLocation(bucket=token, prefix="dr", region="us-west-2", kms_key_arn=token)
    assert location.objects_arn == f"arn:aws:s3:::{token}/dr/*"

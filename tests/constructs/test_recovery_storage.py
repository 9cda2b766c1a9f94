"""Disaster-recovery storage: S3 bucket replication, ECR registry replication, AWS Backup vaults and the
hourly plan; the synthesized resources and the props' validation."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from marketplace_constructs import AwsLocation, ConfigError, SecureBucketProps, SecureBucketRef
from marketplace_constructs.recovery import (
    BackupPlan,
    BackupPlanProps,
    BackupVault,
    BackupVaultProps,
    BucketReplication,
    BucketReplicationProps,
    RegistryReplication,
    RegistryReplicationProps,
    ReplicationSource,
    VaultLockProps,
)
from marketplace_constructs.recovery.bucket_replication import SOURCE_LINKS
from tests.constructs.synth import synth_construct

DR = AwsLocation(account_id="123456789012", region="us-west-2")
SOURCE = SecureBucketRef(
    name="llm-marketplace-production-backups-123456789012",
    arn="arn:aws:s3:::llm-marketplace-production-backups-123456789012",
)
SOURCE_KEY = "arn:aws:kms:us-east-1:123456789012:key/source"
DR_KEY = "arn:aws:kms:us-west-2:123456789012:key/dr"
REPLICA_PROPS = BucketReplicationProps(
    destination=SecureBucketProps(bucket_name="llm-marketplace-dr-backups-123456789012", object_lock_days=30),
    source_region="us-east-1",
    role_name_prefix="production-backups",
)
DB_ARN = "arn:aws:rds:us-east-1:123456789012:db:production-postgres"
DR_VAULT_ARN = "arn:aws:backup:us-west-2:123456789012:backup-vault:dr-copies"


def source_provider(scope: Construct) -> AwsProvider:
    return AwsProvider(scope, "source", region="us-east-1", alias="source")


def only(resources: dict[str, Any], kind: str) -> dict[str, Any]:
    (resource,) = resources[kind].values()
    return dict(resource)


@pytest.fixture(scope="module")
def replication() -> dict[str, Any]:
    return synth_construct(
        lambda scope: BucketReplication(
            scope, "backups_replica", props=REPLICA_PROPS, location=DR,
            source=ReplicationSource(bucket=SOURCE, key_arn=SOURCE_KEY, provider=source_provider(scope)),
            destination_key_arn=DR_KEY,
        )
    )  # fmt: skip


def replication_rule(resources: dict[str, Any]) -> dict[str, Any]:
    (rule,) = only(resources, "aws_s3_bucket_replication_configuration")["rule"]
    return dict(rule)


def test_replication_configuration_sits_on_the_source_bucket_through_the_aliased_provider(
    replication: dict[str, Any],
) -> None:
    configuration = only(replication, "aws_s3_bucket_replication_configuration")
    assert configuration["provider"] == "aws.source"
    assert configuration["bucket"] == SOURCE.name
    assert configuration["role"].startswith("${aws_iam_role.") and configuration["role"].endswith(".arn}")
    # The replica side uses the stack's default provider.
    for kind in ("aws_s3_bucket", "aws_iam_role", "aws_iam_role_policy", "aws_s3_bucket_versioning"):
        assert all("provider" not in resource for resource in replication[kind].values()), kind


def test_replication_rule_copies_every_sse_kms_object_within_15_minutes_under_the_dr_key(
    replication: dict[str, Any],
) -> None:
    rule = replication_rule(replication)
    assert rule["status"] == "Enabled" and rule["id"] == "all-objects-to-us-west-2"
    assert rule["filter"] == {"prefix": ""}
    assert rule["source_selection_criteria"] == {"sse_kms_encrypted_objects": {"status": "Enabled"}}
    destination = rule["destination"]
    assert destination["bucket"].startswith("${aws_s3_bucket.") and destination["bucket"].endswith(".arn}")
    assert destination["encryption_configuration"] == {"replica_kms_key_id": DR_KEY}
    assert destination["replication_time"] == {"status": "Enabled", "time": {"minutes": 15}}
    assert destination["metrics"] == {"status": "Enabled", "event_threshold": {"minutes": 15}}


def test_replication_keeps_the_dr_copy_when_production_deletes(replication: dict[str, Any]) -> None:
    assert replication_rule(replication)["delete_marker_replication"] == {"status": "Disabled"}
    (bucket,) = replication["aws_s3_bucket"].values()
    assert bucket["object_lock_enabled"] is True
    lock = only(replication, "aws_s3_bucket_object_lock_configuration")["rule"]["default_retention"]
    assert lock == {"mode": "GOVERNANCE", "days": 30}


def test_replication_waits_for_destination_versioning_and_role_policy(replication: dict[str, Any]) -> None:
    depends_on = only(replication, "aws_s3_bucket_replication_configuration")["depends_on"]
    assert sorted(reference.split(".")[0] for reference in depends_on) == [
        "aws_iam_role_policy",
        "aws_s3_bucket_versioning",
    ]


def test_replica_bucket_is_encrypted_with_the_dr_key(replication: dict[str, Any]) -> None:
    (rule,) = only(replication, "aws_s3_bucket_server_side_encryption_configuration")["rule"]
    assert rule["apply_server_side_encryption_by_default"] == {
        "sse_algorithm": "aws:kms",
        "kms_master_key_id": DR_KEY,
    }


def test_replication_role_is_trusted_by_s3_only(replication: dict[str, Any]) -> None:
    role = only(replication, "aws_iam_role")
    assert role["name"] == "production-backups-s3-replication"
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    assert statement["Principal"] == {"Service": "s3.amazonaws.com"}
    assert statement["Action"] == "sts:AssumeRole"


def test_replication_role_holds_exactly_the_least_privilege_set(replication: dict[str, Any]) -> None:
    statements = json.loads(only(replication, "aws_iam_role_policy")["policy"])["Statement"]
    granted = {(action, resource) for s in statements for action in s["Action"] for resource in s["Resource"]}
    (bucket_name,) = replication["aws_s3_bucket"]
    replica = f"${{aws_s3_bucket.{bucket_name}.arn}}"
    assert granted == {
        ("s3:GetReplicationConfiguration", SOURCE.arn),
        ("s3:ListBucket", SOURCE.arn),
        ("s3:GetObjectVersionForReplication", f"{SOURCE.arn}/*"),
        ("s3:GetObjectVersionAcl", f"{SOURCE.arn}/*"),
        ("s3:GetObjectVersionTagging", f"{SOURCE.arn}/*"),
        ("s3:GetObjectRetention", f"{SOURCE.arn}/*"),
        ("s3:GetObjectLegalHold", f"{SOURCE.arn}/*"),
        ("s3:ReplicateObject", f"{replica}/*"),
        ("s3:ReplicateTags", f"{replica}/*"),
        ("kms:Decrypt", SOURCE_KEY),
        ("kms:Encrypt", DR_KEY),
        ("kms:GenerateDataKey", DR_KEY),
    }
    assert all(s["Effect"] == "Allow" for s in statements)
    conditions = {s["Sid"]: s["Condition"] for s in statements if "Condition" in s}
    assert conditions == {
        "DecryptSourceObjects": {
            "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"},
            "StringLike": {"kms:EncryptionContext:aws:s3:arn": [SOURCE.arn, f"{SOURCE.arn}/*"]},
        },
        "EncryptReplicas": {
            "StringEquals": {"kms:ViaService": "s3.us-west-2.amazonaws.com"},
            "StringLike": {"kms:EncryptionContext:aws:s3:arn": [replica, f"{replica}/*"]},
        },
    }


def test_replication_rejects_a_same_region_source() -> None:
    props = replace(REPLICA_PROPS, source_region="us-west-2")
    with pytest.raises(ConfigError, match=r"BucketReplicationProps.source_region must be another region"):
        synth_construct(
            lambda scope: BucketReplication(
                scope, "r", props=props, location=DR,
                source=ReplicationSource(bucket=SOURCE, key_arn=SOURCE_KEY, provider=source_provider(scope)),
                destination_key_arn=DR_KEY,
            )
        )  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"destination": SecureBucketProps(bucket_name="dr-bucket")},
            r"BucketReplicationProps.destination.object_lock_days must be above 0 .*, got 0",
        ),
        ({"source_region": "us-east"}, r"BucketReplicationProps.source_region must be one of 'af-south-1'"),
        ({"role_name_prefix": "bad name"}, r"BucketReplicationProps.role_name_prefix must be 1-49 letters"),
    ],
)
def test_replication_props_reject_bad_values(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        replace(REPLICA_PROPS, **overrides)


def test_replication_props_reject_a_log_delivery_destination() -> None:
    destination = SecureBucketProps(bucket_name="dr-logs", object_lock_days=1, allow_access_log_delivery=True)
    with pytest.raises(
        ConfigError, match=r"destination.allow_access_log_delivery must be False .*, got True"
    ):
        replace(REPLICA_PROPS, destination=destination)


def test_registry_replication_copies_service_repositories_to_dr_through_the_aliased_provider() -> None:
    props = RegistryReplicationProps(source_region="us-east-1")
    resources = synth_construct(
        lambda scope: RegistryReplication(
            scope, "registry", props=props, location=DR, source_provider=source_provider(scope)
        )
    )
    configuration = only(resources, "aws_ecr_replication_configuration")
    assert configuration["provider"] == "aws.source"
    (rule,) = configuration["replication_configuration"]["rule"]
    assert rule["destination"] == [{"region": "us-west-2", "registry_id": "123456789012"}]
    assert rule["repository_filter"] == [{"filter": "llm-marketplace/", "filter_type": "PREFIX_MATCH"}]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"repository_prefix": "x"}, r"RegistryReplicationProps.repository_prefix must be 2-256 characters"),
        ({"repository_prefix": "Upper/"}, r"RegistryReplicationProps.repository_prefix must be the start of"),
        ({"source_region": "mars-1"}, r"RegistryReplicationProps.source_region must be one of"),
    ],
)
def test_registry_props_reject_bad_values(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        RegistryReplicationProps(**{"source_region": "us-east-1", **overrides})


def test_registry_replication_rejects_its_own_region() -> None:
    props = RegistryReplicationProps(source_region="us-west-2")
    with pytest.raises(ConfigError, match=r"RegistryReplicationProps.source_region must be another region"):
        synth_construct(
            lambda scope: RegistryReplication(
                scope, "registry", props=props, location=DR, source_provider=source_provider(scope)
            )
        )


PLAN_PROPS = BackupPlanProps(
    vault=BackupVaultProps(name="production-hourly"),
    resource_arns=(DB_ARN,),
    retention_days=30,
    copy_to_vault_arn=DR_VAULT_ARN,
)
PRODUCTION = AwsLocation(account_id="123456789012", region="us-east-1")
VAULT_KEY = "arn:aws:kms:us-east-1:123456789012:key/backup"


@pytest.fixture(scope="module")
def backup() -> dict[str, Any]:
    return synth_construct(
        lambda scope: BackupPlan(scope, "backup", props=PLAN_PROPS, location=PRODUCTION, key_arn=VAULT_KEY)
    )


def test_backup_plan_runs_hourly_and_keeps_points_for_the_retention(backup: dict[str, Any]) -> None:
    plan = only(backup, "aws_backup_plan")
    assert plan["name"] == "production-hourly"
    (rule,) = plan["rule"]
    assert rule["rule_name"] == "hourly"
    assert rule["schedule"] == "cron(0 * ? * * *)"
    assert rule["start_window"] == 60 and rule["completion_window"] == 120
    assert rule["lifecycle"] == {"delete_after": 30}
    assert rule["target_vault_name"].startswith("${aws_backup_vault.")


def test_backup_plan_copies_each_point_to_the_dr_vault_with_the_same_retention(
    backup: dict[str, Any],
) -> None:
    (rule,) = only(backup, "aws_backup_plan")["rule"]
    assert rule["copy_action"] == [{"destination_vault_arn": DR_VAULT_ARN, "lifecycle": {"delete_after": 30}}]


def test_backup_plan_without_copy_has_no_copy_action() -> None:
    props = replace(PLAN_PROPS, copy_to_vault_arn=None)
    resources = synth_construct(
        lambda scope: BackupPlan(scope, "backup", props=props, location=PRODUCTION, key_arn=VAULT_KEY)
    )
    (rule,) = only(resources, "aws_backup_plan")["rule"]
    assert "copy_action" not in rule


def test_backup_selection_lists_the_resources_with_the_backup_role(backup: dict[str, Any]) -> None:
    selection = only(backup, "aws_backup_selection")
    assert selection["resources"] == [DB_ARN]
    assert selection["name"] == "production-hourly"
    assert selection["plan_id"].startswith("${aws_backup_plan.")
    assert selection["iam_role_arn"].startswith("${aws_iam_role.")


def test_backup_role_is_trusted_by_backup_with_the_managed_policies(backup: dict[str, Any]) -> None:
    role = only(backup, "aws_iam_role")
    assert role["name"] == "production-hourly-backup"
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    assert statement["Principal"] == {"Service": "backup.amazonaws.com"}
    attached = sorted(a["policy_arn"] for a in backup["aws_iam_role_policy_attachment"].values())
    assert attached == [
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
        "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    ]


def test_backup_vault_is_encrypted_with_the_key_and_locked_in_governance_mode(backup: dict[str, Any]) -> None:
    vault = only(backup, "aws_backup_vault")
    assert vault["kms_key_arn"] == VAULT_KEY
    assert vault["force_destroy"] is False
    assert vault["lifecycle"] == {"prevent_destroy": True}
    lock = only(backup, "aws_backup_vault_lock_configuration")
    assert lock["min_retention_days"] == 7 and lock["max_retention_days"] == 35
    assert "changeable_for_days" not in lock  # governance mode: the lock stays removable


def test_destination_vault_alone_with_a_compliance_lock_and_no_plan() -> None:
    props = BackupVaultProps(
        name="dr-copies",
        lock=VaultLockProps(min_retention_days=30, max_retention_days=30, compliance_grace_days=3),
    )
    key = "arn:aws:kms:us-west-2:123456789012:key/dr"
    resources = synth_construct(lambda scope: BackupVault(scope, "copies", props=props, key_arn=key))
    assert set(resources) == {"aws_backup_vault", "aws_backup_vault_lock_configuration"}
    assert only(resources, "aws_backup_vault")["kms_key_arn"] == key
    lock = only(resources, "aws_backup_vault_lock_configuration")
    assert (lock["min_retention_days"], lock["max_retention_days"], lock["changeable_for_days"]) == (
        30,
        30,
        3,
    )


def test_unlocked_vault_has_no_lock_configuration() -> None:
    props = BackupVaultProps(name="dr-copies", lock=None)
    resources = synth_construct(lambda scope: BackupVault(scope, "copies", props=props, key_arn="arn:key"))
    assert set(resources) == {"aws_backup_vault"}


def test_backup_plan_rejects_a_copy_into_its_own_region() -> None:
    props = replace(PLAN_PROPS, copy_to_vault_arn="arn:aws:backup:us-east-1:123456789012:backup-vault:same")
    with pytest.raises(ConfigError, match=r"BackupPlanProps.copy_to_vault_arn must name a vault of another"):
        synth_construct(
            lambda scope: BackupPlan(scope, "backup", props=props, location=PRODUCTION, key_arn=VAULT_KEY)
        )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"retention_days": 6}, r"BackupPlanProps.retention_days must be between 7 and 35 days, got 6"),
        ({"retention_days": 36}, r"BackupPlanProps.retention_days must be between 7 and 35 days, got 36"),
        (
            {"vault": BackupVaultProps(name="v1", lock=VaultLockProps(min_retention_days=31))},
            r"BackupPlanProps.retention_days must lie within the vault lock's 31-35 days .*, got 30",
        ),
        ({"resource_arns": ()}, r"BackupPlanProps.resource_arns must name at least one resource"),
        ({"resource_arns": ("db-1",)}, r"BackupPlanProps.resource_arns must be resource ARNs, got 'db-1'"),
        ({"resource_arns": (DB_ARN, DB_ARN)}, r"BackupPlanProps.resource_arns must not repeat an ARN"),
        ({"copy_to_vault_arn": "dr-copies"}, r"BackupPlanProps.copy_to_vault_arn must be a backup vault ARN"),
    ],
)
def test_backup_plan_props_reject_bad_values(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        replace(PLAN_PROPS, **overrides)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: BackupVaultProps(name="has space"), r"BackupVaultProps.name must be 2-50 letters"),
        (
            lambda: VaultLockProps(min_retention_days=0),
            r"VaultLockProps.min_retention_days must be between 1 and 36500 days, got 0",
        ),
        (
            lambda: VaultLockProps(min_retention_days=10, max_retention_days=9),
            r"VaultLockProps.max_retention_days \(9\) must be >= min_retention_days \(10\)",
        ),
        (
            lambda: VaultLockProps(compliance_grace_days=2),
            r"VaultLockProps.compliance_grace_days must be between 3 and 36500 days, got 2",
        ),
        (
            lambda: VaultLockProps(compliance_grace_days=True),
            r"VaultLockProps.compliance_grace_days must be an int",
        ),
    ],
)
def test_vault_props_reject_bad_values(make: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make()


def test_without_a_source_only_the_replica_bucket_stays_at_the_same_addresses() -> None:
    def build(scope: Construct, source: ReplicationSource | None) -> None:
        BucketReplication(
            scope,
            "backups_replica",
            props=REPLICA_PROPS,
            location=DR,
            source=source,
            destination_key_arn=DR_KEY,
        )

    linked = synth_construct(
        lambda scope: build(
            scope, ReplicationSource(bucket=SOURCE, key_arn=SOURCE_KEY, provider=source_provider(scope))
        )
    )
    kept = synth_construct(lambda scope: build(scope, None))
    assert set(kept) <= set(linked)
    gone = {(kind, name) for kind, names in linked.items() for name in names} - {
        (kind, name) for kind, names in kept.items() for name in names
    }
    assert {kind for kind, _ in gone} == {kind for kind, _ in SOURCE_LINKS}
    for kind in kept:
        assert kept[kind].keys() <= linked[kind].keys()

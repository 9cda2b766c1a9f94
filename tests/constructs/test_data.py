"""Data-store props validation and wiring: PostgreSQL, Redis, Kafka, backups bucket, ECR, secrets."""

from __future__ import annotations

import pytest

from marketplace_constructs import (
    AppSecret,
    ConfigError,
    ContainerRepository,
    DataStorePlacement,
    KafkaCluster,
    KafkaProps,
    PostgresProps,
    RedisProps,
    RegistryProps,
    SecureBucket,
    SecureBucketProps,
)
from tests.constructs.synth import LOCATION, synth_construct


def test_defaults_are_the_production_reference() -> None:
    db, cache, kafka = PostgresProps(), RedisProps(), KafkaProps()
    assert (db.instance_class, db.multi_az, db.storage_gb, db.max_storage_gb) == (
        "db.r6g.xlarge",
        True,
        100,
        1000,
    )
    assert (cache.node_type, cache.node_count) == ("cache.r6g.xlarge", 3)
    assert (kafka.broker_instance_type, kafka.broker_count, kafka.volume_gb) == ("kafka.m5.xlarge", 3, 1000)
    assert db.deletion_protection and cache.deletion_protection and kafka.deletion_protection


@pytest.mark.parametrize(
    ("factory", "overrides", "message"),
    [
        (
            PostgresProps,
            {"engine_version": "16.2"},
            r"PostgresProps.engine_version must be '15' or '15.<minor>'",
        ),
        (
            PostgresProps,
            {"backup_retention_days": 36},
            r"backup_retention_days must be between 1 and 35 days, got 36",
        ),
        (
            PostgresProps,
            {"max_storage_gb": 50},
            r"PostgresProps.max_storage_gb \(50\) must be >= storage_gb \(100\)",
        ),
        (
            PostgresProps,
            {"maintenance_window": "mon:03:30-mon:04:30"},
            r"PostgresProps.backup_window \(03:00-04:00\) must not overlap maintenance_window",
        ),
        (
            PostgresProps,
            {"backup_window": "3am"},
            r"PostgresProps.backup_window must be a UTC window like '03:00-04:00'",
        ),
        (
            RedisProps,
            {"engine_version": "6.2"},
            r"RedisProps.engine_version must be a Redis 7 version like '7.1'",
        ),
        (RedisProps, {"node_count": 7}, r"RedisProps.node_count must be between 1 and 6, got 7"),
        (
            RedisProps,
            {"maintenance_window": "sun:04:30-sun:05:30"},
            r"snapshot_window \(04:00-05:00\) must not overlap",
        ),
        (KafkaProps, {"kafka_version": "latest"}, r"KafkaProps.kafka_version must be like '3.8.x'"),
        (KafkaProps, {"broker_count": 2}, r"KafkaProps.broker_count must be between 3 and 30, got 2"),
        (
            KafkaProps,
            {"enhanced_monitoring": "ALL"},
            r"KafkaProps.enhanced_monitoring must be one of 'DEFAULT'",
        ),
        (
            RegistryProps,
            {"keep_tagged_images": 0},
            r"RegistryProps.keep_tagged_images must be between 1 and 1000",
        ),
        (
            SecureBucketProps,
            {"bucket_name": "b-logs", "allow_access_log_delivery": True, "access_log_bucket": "x"},
            r"access_log_bucket must be None on a log bucket",
        ),
        (
            SecureBucketProps,
            {"bucket_name": "t-b", "archive_after_days": 7},
            r"archive_after_days must be between 30",
        ),
    ],
)
def test_props_reject_bad_values(factory: type, overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        factory(**overrides)


def test_kafka_rejects_brokers_that_cannot_spread_evenly_over_the_subnets() -> None:
    with pytest.raises(ConfigError, match=r"broker_count \(3\) must be a multiple of the zone count \(2\)"):
        synth_construct(
            lambda scope: KafkaCluster(
                scope, "kafka", props=KafkaProps(), name="t", log_key_arn="l",
                placement=DataStorePlacement(
                    vpc_id="v", subnet_ids=("a", "b"), client_security_group_id="sg", key_arn="k"
                ),
            )
        )  # fmt: skip


def test_backup_bucket_locks_objects_in_governance_mode_and_logs_access() -> None:
    props = SecureBucketProps(
        bucket_name="t-backups", object_lock_days=14, access_log_bucket="t-logs", archive_after_days=30
    )
    resources = synth_construct(
        lambda scope: SecureBucket(scope, "b", props=props, location=LOCATION, key_arn="arn:k")
    )
    (bucket,) = resources["aws_s3_bucket"].values()
    assert bucket["object_lock_enabled"] is True and bucket["lifecycle"] == {"prevent_destroy": True}
    (lock,) = resources["aws_s3_bucket_object_lock_configuration"].values()
    assert lock["rule"]["default_retention"] == {"mode": "GOVERNANCE", "days": 14}
    (logging,) = resources["aws_s3_bucket_logging"].values()
    assert (logging["target_bucket"], logging["target_prefix"]) == ("t-logs", "t-backups/")


def test_log_bucket_admits_only_s3_log_delivery_from_its_own_account() -> None:
    props = SecureBucketProps(bucket_name="t-logs", allow_access_log_delivery=True, deletion_protection=False)
    resources = synth_construct(
        lambda scope: SecureBucket(scope, "b", props=props, location=LOCATION, key_arn=None)
    )
    (policy,) = resources["aws_s3_bucket_policy"].values()
    assert '"logging.s3.amazonaws.com"' in policy["policy"] and '"123456789012"' in policy["policy"]
    (bucket,) = resources["aws_s3_bucket"].values()
    assert "lifecycle" not in bucket and "object_lock_enabled" not in bucket


def test_a_kms_bucket_needs_its_key() -> None:
    with pytest.raises(ConfigError, match="SecureBucket needs key_arn"):
        synth_construct(
            lambda scope: SecureBucket(
                scope, "b", props=SecureBucketProps(bucket_name="t-b"), location=LOCATION, key_arn=None
            )
        )


def test_repository_expires_untagged_images_and_keeps_the_newest_tagged() -> None:
    props = RegistryProps(keep_tagged_images=10, untagged_expiry_days=3)
    resources = synth_construct(
        lambda scope: ContainerRepository(scope, "r", props=props, name="p/svc", key_arn="k")
    )
    (policy,) = resources["aws_ecr_lifecycle_policy"].values()
    assert '"countNumber": 3' in policy["policy"] and '"countNumber": 10' in policy["policy"]


def test_app_secret_holds_no_value_and_is_kms_encrypted() -> None:
    resources = synth_construct(
        lambda scope: AppSecret(
            scope, "s", name="dev/svc/app", description="d", key_arn="arn:k", recovery_days=7
        )
    )
    (secret,) = resources["aws_secretsmanager_secret"].values()
    assert (secret["kms_key_id"], secret["recovery_window_in_days"]) == ("arn:k", 7)
    assert set(resources) == {"aws_secretsmanager_secret"}

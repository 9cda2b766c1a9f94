"""Props of the data stores (no provider imports, so environments load fast): PostgresProps, RedisProps,
KafkaProps, KafkaReplicatorProps."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal, get_args

from marketplace_constructs.aws_models import check_instance_type, enumeration
from marketplace_constructs.checked import checked
from marketplace_constructs.data.windows import check_windows_apart
from marketplace_constructs.errors import ConfigError, check_one_of, check_pattern, check_range, is_known
from marketplace_constructs.network.props import LOG_RETENTION_DAYS

MasterPasswordSource = Literal["rds-managed", "write-only"]
MASTER_PASSWORD_VARIABLE: Final = "database_master_password"  # the stack's ephemeral input variable


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class PostgresProps:
    """RDS PostgreSQL instance.

    Attributes:
        engine_version: "15" (RDS picks the newest 15.x and upgrades minors itself, so Terraform never fights
            an automatic minor upgrade) or a full "15.x". Default: "15".
        instance_class: "db." and an EC2 instance type (botocore's list). Default: "db.r6g.xlarge".
        multi_az: Synchronous standby in a second zone. Default: True.
        storage_gb, max_storage_gb: gp3 size at creation, storage-autoscaling ceiling. Default: 100, 1000.
        backup_retention_days: Automated backups and point-in-time recovery, 1-35. Default: 30.
        backup_window: Daily UTC window. Default: "03:00-04:00".
        maintenance_window: Weekly UTC window, apart from backup_window. Default: "sun:05:00-sun:06:00".
        log_retention_days: Retention of the ``postgresql`` and ``upgrade`` log groups, one of CloudWatch's
            values. Default: 365.
        deletion_protection: Deletion protection plus a final snapshot on delete. Default: True.
        master_password_source: Who holds the master user's password. "rds-managed": RDS generates it, keeps
            it in Secrets Manager and rotates it (nothing passes through Terraform), but RDS then refuses to
            make a read replica of the instance. "write-only": the deploy supplies it through the ephemeral
            variable ``MASTER_PASSWORD_VARIABLE`` (``TF_VAR_database_master_password``, read by the deployer
            from the ``<env>/postgres/master`` secret) into the write-only ``password_wo``: never in a plan or
            the state; an instance with cross-region replicas needs it. Default: "rds-managed".
        master_password_version: Raise it to apply a new "write-only" password (Terraform cannot see the value
            change), 1-1000. Default: 1.
    """

    engine_version: str = "15"
    instance_class: str = "db.r6g.xlarge"
    multi_az: bool = True
    storage_gb: int = 100
    max_storage_gb: int = 1000
    backup_retention_days: int = 30
    backup_window: str = "03:00-04:00"
    maintenance_window: str = "sun:05:00-sun:06:00"
    log_retention_days: int = 365
    deletion_protection: bool = True
    master_password_source: MasterPasswordSource = "rds-managed"
    master_password_version: int = 1

    def __post_init__(self) -> None:
        check_one_of("PostgresProps", "log_retention_days", self.log_retention_days, LOG_RETENTION_DAYS)
        check_one_of(
            "PostgresProps",
            "master_password_source",
            self.master_password_source,
            get_args(MasterPasswordSource),
        )
        check_range("PostgresProps", "master_password_version", self.master_password_version, 1, 1000)
        check_pattern(
            "PostgresProps", "engine_version", self.engine_version, r"15(\.\d+)?", "'15' or '15.<minor>'"
        )
        check_instance_type("PostgresProps", "instance_class", self.instance_class, prefix="db.")
        check_range("PostgresProps", "storage_gb", self.storage_gb, 20, 65536, " GB")
        if self.max_storage_gb < self.storage_gb:
            raise ConfigError(
                f"PostgresProps.max_storage_gb ({self.max_storage_gb}) must be >= storage_gb "
                f"({self.storage_gb})"
            )
        check_range("PostgresProps", "backup_retention_days", self.backup_retention_days, 1, 35, " days")
        check_windows_apart(
            "PostgresProps",
            "backup_window",
            self.backup_window,
            "maintenance_window",
            self.maintenance_window,
        )


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class RedisProps:
    """Replication group: a primary and replicas spread over the zones.

    Attributes:
        engine_version: Redis OSS 7 minor, e.g. "7.1". Default: "7.1".
        node_type: "cache." and an EC2 instance type (botocore's list). Default: "cache.r6g.xlarge".
        node_count: Primary plus replicas, 1-6; 2+ turns on automatic failover and Multi-AZ. Default: 3.
        snapshot_retention_days: Daily snapshots kept, 1-35. Default: 7.
        snapshot_window: Daily UTC window. Default: "04:00-05:00".
        maintenance_window: Weekly UTC window, apart from snapshot_window. Default: "sun:06:00-sun:07:00".
        log_retention_days: Slow-log and engine-log retention, one of CloudWatch's values. Default: 365.
        deletion_protection: Keep a final snapshot and refuse ``terraform destroy``. Default: True.
    """

    engine_version: str = "7.1"
    node_type: str = "cache.r6g.xlarge"
    node_count: int = 3
    snapshot_retention_days: int = 7
    snapshot_window: str = "04:00-05:00"
    maintenance_window: str = "sun:06:00-sun:07:00"
    log_retention_days: int = 365
    deletion_protection: bool = True

    def __post_init__(self) -> None:
        check_pattern(
            "RedisProps", "engine_version", self.engine_version, r"7\.\d+", "a Redis 7 version like '7.1'"
        )
        check_instance_type("RedisProps", "node_type", self.node_type, prefix="cache.")
        check_range("RedisProps", "node_count", self.node_count, 1, 6)
        check_range("RedisProps", "snapshot_retention_days", self.snapshot_retention_days, 1, 35, " days")
        check_windows_apart(
            "RedisProps",
            "snapshot_window",
            self.snapshot_window,
            "maintenance_window",
            self.maintenance_window,
        )
        check_one_of("RedisProps", "log_retention_days", self.log_retention_days, LOG_RETENTION_DAYS)

    @property
    def highly_available(self) -> bool:
        return self.node_count > 1


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class KafkaProps:
    """MSK provisioned cluster.

    Attributes:
        kafka_version: An MSK version. Default: "3.8.x" (MSK's recommended line; 3.5.1 of the reference design
            left MSK support on 2025-10-23; "x" takes MSK's patch releases).
        broker_instance_type: "kafka." and an EC2 instance type (botocore's list). Default: "kafka.m5.xlarge".
        broker_count: A multiple of the zone count (MSK spreads brokers evenly), >= 3 for a replication factor
            of 3. Default: 3.
        volume_gb, max_volume_gb: EBS per broker at creation and the storage-autoscaling ceiling. Default:
            1000, 4000.
        enhanced_monitoring: CloudWatch metric level, one of MSK's ``EnhancedMonitoring`` values in botocore's
            model. Default: "PER_TOPIC_PER_BROKER".
        log_retention_days: Broker log retention, one of CloudWatch's values. Default: 365.
        deletion_protection: Refuse ``terraform destroy`` (MSK has no deletion protection). Default: True.
    """

    kafka_version: str = "3.8.x"
    broker_instance_type: str = "kafka.m5.xlarge"
    broker_count: int = 3
    volume_gb: int = 1000
    max_volume_gb: int = 4000
    enhanced_monitoring: str = "PER_TOPIC_PER_BROKER"
    log_retention_days: int = 365
    deletion_protection: bool = True

    def __post_init__(self) -> None:
        check_pattern(
            "KafkaProps", "kafka_version", self.kafka_version, r"[34]\.\d+\.(\d+|x)", "like '3.8.x'"
        )
        check_instance_type("KafkaProps", "broker_instance_type", self.broker_instance_type, prefix="kafka.")
        check_range("KafkaProps", "broker_count", self.broker_count, 3, 30)
        check_one_of("KafkaProps", "log_retention_days", self.log_retention_days, LOG_RETENTION_DAYS)
        check_range("KafkaProps", "volume_gb", self.volume_gb, 1, 16384, " GB")
        if self.max_volume_gb < self.volume_gb:
            raise ConfigError(
                f"KafkaProps.max_volume_gb ({self.max_volume_gb}) must be >= volume_gb ({self.volume_gb})"
            )
        check_one_of(
            "KafkaProps",
            "enhanced_monitoring",
            self.enhanced_monitoring,
            sorted(enumeration("kafka", "EnhancedMonitoring")),
        )


# MSK Replicator's values (CreateReplicator; tests hold them equal to botocore's kafka model).
ReplicationStart = Literal["EARLIEST", "LATEST"]
ReplicationCompression = Literal["NONE", "GZIP", "SNAPPY", "LZ4", "ZSTD"]
# Kafka's (__consumer_offsets, __transaction_state) and MSK's (__amazon_msk_canary, __amazon_msk_connect_*)
# internal topics all start with "__"; every cluster keeps its own.
MSK_INTERNAL_TOPICS: Final = ("__.*",)


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class KafkaReplicatorProps:
    """MSK Replicator copying a source cluster of another region into this region's cluster (a standby).

    Attributes:
        topics: Regular expressions of the topics to copy, at least one. Default: (".*",).
        excluded_topics: Regular expressions of topics never copied. Default: MSK_INTERNAL_TOPICS.
        consumer_groups: Regular expressions of the consumer groups to copy, at least one. Default: (".*",).
        excluded_consumer_groups: Regular expressions of groups never copied. Default: ().
        starting_position: Where the copy of a topic starts: "EARLIEST" also copies what the source still
            retains, "LATEST" only what arrives later. Fixed once the replicator exists. Default: "EARLIEST".
        identical_topic_names: Keep each topic's name on the target, so clients fail over unchanged; False
            prefixes them with the source cluster's alias. Default: True.
        copy_topic_configurations: Keep the target topics' settings in step with the source's. Default: True.
        copy_access_control_lists: Copy the topics' Kafka ACLs (read ACLs only; MSK never copies write ACLs).
            Default: True.
        sync_consumer_group_offsets: Write translated committed offsets to the target, so consumers resume
            there where they stopped. Default: True.
        compression: Codec of the records written to the target; AWS advises the source's codec if any.
            Default: "NONE".
    """

    topics: tuple[str, ...] = (".*",)
    excluded_topics: tuple[str, ...] = MSK_INTERNAL_TOPICS
    consumer_groups: tuple[str, ...] = (".*",)
    excluded_consumer_groups: tuple[str, ...] = ()
    starting_position: ReplicationStart = "EARLIEST"
    identical_topic_names: bool = True
    copy_topic_configurations: bool = True
    copy_access_control_lists: bool = True
    sync_consumer_group_offsets: bool = True
    compression: ReplicationCompression = "NONE"

    def __post_init__(self) -> None:
        for field in ("topics", "consumer_groups"):
            if not getattr(self, field):
                raise ConfigError(f"KafkaReplicatorProps.{field} must hold at least one regular expression")
        for field in ("topics", "excluded_topics", "consumer_groups", "excluded_consumer_groups"):
            for pattern in getattr(self, field):
                _check_regex(field, pattern)


def _check_regex(field: str, pattern: str) -> None:
    """Reject a pattern the replicator could not compile (Java and Python agree on these basics)."""
    if not is_known(pattern):
        return
    try:
        re.compile(pattern)
    except re.error as err:
        raise ConfigError(
            f"KafkaReplicatorProps.{field} must hold regular expressions, got {pattern!r} ({err})"
        ) from None

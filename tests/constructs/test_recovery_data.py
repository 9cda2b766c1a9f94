"""Cross-region disaster recovery of the data stores: PostgreSQL read replica and backup replication, Redis
Global Datastore, MSK Replicator; and the existing callers' output, unchanged by the new arguments."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, get_args

import cdktf
import pytest
from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from marketplace_constructs import (
    AwsLocation,
    ConfigError,
    DataStorePlacement,
    KafkaCluster,
    KafkaProps,
    PostgresProps,
    RedisProps,
)
from marketplace_constructs.aws_models import enumeration
from marketplace_constructs.data.kafka_replicator import KafkaReplicator
from marketplace_constructs.data.postgres import (
    MASTER_USERNAME,
    AutomatedBackupsReplication,
    PostgresDatabase,
)
from marketplace_constructs.data.props import (
    MSK_INTERNAL_TOPICS,
    KafkaReplicatorProps,
    ReplicationCompression,
    ReplicationStart,
)
from marketplace_constructs.data.redis import RedisCache, RedisGlobalDatastore
from marketplace_constructs.security.boundary import BOUNDARY_CONTEXT
from tests.constructs.synth import LOCATION, WORKLOAD_BOUNDARY_ARN, synth_construct

DR = AwsLocation(account_id="123456789012", region="us-west-2")
SOURCE_DB = "arn:aws:rds:us-east-1:123456789012:db:production-postgres"
SOURCE_KAFKA = "arn:aws:kafka:us-east-1:123456789012:cluster/production-kafka/0a1b2c3d-1"
TARGET_KAFKA = "arn:aws:kafka:us-west-2:123456789012:cluster/dr-kafka/4e5f6a7b-1"
DR_KEY = "arn:aws:kms:us-west-2:123456789012:key/dr-data"
PLACEMENT = DataStorePlacement(
    vpc_id="vpc-dr", subnet_ids=("dr-a", "dr-b", "dr-c"), client_security_group_id="sg-nodes", key_arn=DR_KEY
)
# What the AWS provider refuses next to global_replication_group_id (ConflictsWith in
# internal/service/elasticache/replication_group.go), of which RedisCache sets these.
GLOBAL_SECONDARY_CONFLICTS = (
    "engine",
    "engine_version",
    "node_type",
    "parameter_group_name",
    "num_node_groups",
    "at_rest_encryption_enabled",
    "transit_encryption_enabled",
    "transit_encryption_mode",
    "security_group_names",
    "snapshot_arns",
    "snapshot_name",
)


def synth_document(build: Callable[[Construct], object]) -> dict[str, Any]:
    """The whole Terraform JSON of a stack (resources, locals, outputs) built by ``build``."""
    stack = TerraformStack(cdktf.Testing.app(), "test")
    stack.node.set_context(BOUNDARY_CONTEXT, WORKLOAD_BOUNDARY_ARN)
    AwsProvider(stack, "aws", region=DR.region)
    build(stack)
    document: dict[str, Any] = json.loads(cdktf.Testing.synth(stack))
    return document


def only(resources: dict[str, Any], resource_type: str) -> dict[str, Any]:
    (resource,) = resources[resource_type].values()
    body: dict[str, Any] = resource
    return body


def database(scope: Construct, replica_of: str | None = None, **overrides: Any) -> PostgresDatabase:
    return PostgresDatabase(
        scope, "db", props=PostgresProps(**overrides), name="dr-postgres", location=DR, placement=PLACEMENT,
        log_key_arn="arn:logs", replica_of=replica_of,
    )  # fmt: skip


# --- PostgreSQL -------------------------------------------------------------------------------------------


def test_replica_names_its_source_and_sets_no_master_user() -> None:
    instance = only(synth_construct(lambda scope: database(scope, SOURCE_DB)), "aws_db_instance")
    assert instance["replicate_source_db"] == SOURCE_DB
    for rejected in ("username", "db_name", "password", "manage_master_user_password"):
        assert rejected not in instance
    assert "master_user_secret_kms_key_id" not in instance


def test_replica_is_encrypted_with_the_key_of_its_own_region() -> None:
    instance = only(synth_construct(lambda scope: database(scope, SOURCE_DB)), "aws_db_instance")
    assert (instance["storage_encrypted"], instance["kms_key_id"]) == (True, DR_KEY)
    assert instance["performance_insights_kms_key_id"] == DR_KEY


def test_replica_keeps_its_groups_availability_backups_and_telemetry() -> None:
    resources = synth_construct(lambda scope: database(scope, SOURCE_DB))
    instance = only(resources, "aws_db_instance")
    assert instance["parameter_group_name"].startswith("${aws_db_parameter_group.")
    assert instance["db_subnet_group_name"].startswith("${aws_db_subnet_group.")
    assert instance["vpc_security_group_ids"] == ["${aws_security_group.db_security_group_24B1B782.id}"]
    assert (instance["multi_az"], instance["backup_retention_period"]) == (True, 30)
    assert (instance["monitoring_interval"], instance["performance_insights_enabled"]) == (60, True)
    assert instance["enabled_cloudwatch_logs_exports"] == ["postgresql", "upgrade"]
    assert instance["deletion_protection"] is True
    assert instance["lifecycle"] == {"prevent_destroy": True}


def test_promotion_changes_nothing_that_replaces_the_instance() -> None:
    """Dropping replica_of leaves every shared argument as it was: only the replica's source disappears and
    the primary's master-user arguments appear, none of which forces a new instance (username equals the
    master user the replica inherited)."""
    replica = only(synth_construct(lambda scope: database(scope, SOURCE_DB)), "aws_db_instance")
    primary = only(synth_construct(lambda scope: database(scope)), "aws_db_instance")
    assert set(replica) - set(primary) == {"replicate_source_db"}
    assert set(primary) - set(replica) == {
        "username",
        "manage_master_user_password",
        "master_user_secret_kms_key_id",
    }
    assert {key: replica[key] for key in primary if key in replica} == {
        key: primary[key] for key in replica if key in primary
    }
    assert replica["identifier"] == primary["identifier"] == "dr-postgres"
    assert (primary["username"], primary["manage_master_user_password"]) == (MASTER_USERNAME, True)
    assert primary["master_user_secret_kms_key_id"] == DR_KEY


def test_replica_master_secret_output_is_empty_instead_of_failing() -> None:
    def build(scope: Construct) -> None:
        TerraformOutput(scope, "secret", value=database(scope, SOURCE_DB).master_secret_arn)

    value = synth_document(build)["output"]["secret"]["value"]
    assert value == '${try(aws_db_instance.db_instance_5A659807.master_user_secret[0].secret_arn, "")}'


@pytest.mark.parametrize(
    ("replica_of", "message"),
    [
        ("production-postgres", r"PostgresDatabase.replica_of must be the source DB instance's ARN"),
        (
            "arn:aws:rds:us-west-2:123456789012:db:other",
            r"replica_of must name an instance of another region than 'us-west-2'",
        ),
    ],
)
def test_replica_source_must_be_an_instance_arn_of_another_region(replica_of: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        synth_construct(lambda scope: database(scope, replica_of))


def test_automated_backups_are_copied_with_the_destination_key() -> None:
    resources = synth_construct(
        lambda scope: AutomatedBackupsReplication(
            scope, "backups", source_db_instance_arn=SOURCE_DB, key_arn=DR_KEY, retention_days=14
        )
    )
    replication = only(resources, "aws_db_instance_automated_backups_replication")
    assert replication == {"source_db_instance_arn": SOURCE_DB, "kms_key_id": DR_KEY, "retention_period": 14}


@pytest.mark.parametrize(
    ("source", "days", "message"),
    [
        (SOURCE_DB, 0, r"AutomatedBackupsReplication.retention_days must be between 1 and 35 days, got 0"),
        (SOURCE_DB, 36, r"retention_days must be between 1 and 35 days, got 36"),
        (
            "production-postgres",
            7,
            r"AutomatedBackupsReplication.source_db_instance_arn must be a DB instance",
        ),
    ],
)
def test_automated_backups_replication_rejects_bad_input(source: str, days: int, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        synth_construct(
            lambda scope: AutomatedBackupsReplication(
                scope, "backups", source_db_instance_arn=source, key_arn=DR_KEY, retention_days=days
            )
        )


# --- Redis -----------------------------------------------------------------------------------------------


def global_datastore(scope: Construct, **overrides: Any) -> RedisGlobalDatastore:
    primary = AwsProvider(scope, "primary_region", alias="primary", region="us-east-1")
    return RedisGlobalDatastore(
        scope, "global", props=RedisProps(**overrides), name_suffix="marketplace-redis",
        primary_replication_group_id="production-redis", primary_provider=primary,
    )  # fmt: skip


def secondary(scope: Construct, **overrides: Any) -> RedisCache:
    return RedisCache(
        scope, "cache", props=RedisProps(**overrides), name="dr-redis", placement=PLACEMENT,
        log_key_arn="arn:logs", global_group_id="ldgnf-marketplace-redis",
    )  # fmt: skip


def test_global_datastore_is_created_in_the_primary_region_from_the_primary_group() -> None:
    datastore = only(synth_construct(global_datastore), "aws_elasticache_global_replication_group")
    assert datastore["provider"] == "aws.primary"
    assert datastore["primary_replication_group_id"] == "production-redis"
    assert datastore["global_replication_group_id_suffix"] == "marketplace-redis"
    # inherited from the primary: nothing set that would upgrade or resize its members
    for inherited in (
        "engine",
        "engine_version",
        "cache_node_type",
        "num_node_groups",
        "parameter_group_name",
    ):
        assert inherited not in datastore


def test_global_datastore_survives_a_failover_and_refuses_destroy() -> None:
    datastore = only(synth_construct(global_datastore), "aws_elasticache_global_replication_group")
    assert datastore["lifecycle"] == {
        "ignore_changes": ["primary_replication_group_id"],
        "prevent_destroy": True,
    }


def test_secondary_joins_the_datastore_and_omits_what_it_inherits() -> None:
    group = only(synth_construct(secondary), "aws_elasticache_replication_group")
    assert group["global_replication_group_id"] == "ldgnf-marketplace-redis"
    assert not set(GLOBAL_SECONDARY_CONFLICTS) & set(group)


def test_secondary_keeps_its_own_network_key_users_and_logs() -> None:
    resources = synth_construct(secondary)
    group = only(resources, "aws_elasticache_replication_group")
    assert (group["kms_key_id"], group["num_cache_clusters"], group["port"]) == (DR_KEY, 3, 6379)
    assert group["subnet_group_name"].startswith("${aws_elasticache_subnet_group.")
    assert group["security_group_ids"] == ["${aws_security_group.cache_security_group_6D100879.id}"]
    assert group["user_group_ids"] == ["${aws_elasticache_user_group.cache_users_DDAD368D.user_group_id}"]
    assert (group["automatic_failover_enabled"], group["multi_az_enabled"]) == (True, True)
    assert len(group["log_delivery_configuration"]) == 2
    users = {user["user_name"]: user for user in resources["aws_elasticache_user"].values()}
    assert users["dr-redis-app"]["authentication_mode"] == {"type": "iam"}


@pytest.mark.parametrize(
    "node_type", ["cache.t4g.medium", "cache.m6g.medium", "cache.r4.large", "cache.r7i.large"]
)
def test_global_datastore_refuses_unsupported_node_types(node_type: str) -> None:
    with pytest.raises(
        ConfigError, match=rf"RedisProps.node_type must be a Global Datastore node type.*{node_type}"
    ):
        synth_construct(lambda scope: global_datastore(scope, node_type=node_type))
    with pytest.raises(ConfigError, match=r"RedisProps.node_type must be a Global Datastore node type"):
        synth_construct(lambda scope: secondary(scope, node_type=node_type))


@pytest.mark.parametrize(
    "node_type", ["cache.r6g.xlarge", "cache.m5.large", "cache.r7g.12xlarge", "cache.c7gn.large"]
)
def test_global_datastore_accepts_supported_node_types(node_type: str) -> None:
    datastore = only(
        synth_construct(lambda scope: global_datastore(scope, node_type=node_type)),
        "aws_elasticache_global_replication_group",
    )
    assert datastore["primary_replication_group_id"] == "production-redis"


# --- Kafka -----------------------------------------------------------------------------------------------


def source_cluster(scope: Construct) -> KafkaCluster:
    return KafkaCluster(
        scope, "kafka", props=KafkaProps(), name="production-kafka", placement=PLACEMENT,
        log_key_arn="arn:logs", replication_source=True,
    )  # fmt: skip


def replicator(
    scope: Construct, props: KafkaReplicatorProps | None = None, **overrides: Any
) -> KafkaReplicator:
    arguments: dict[str, Any] = {
        "source_cluster_arn": SOURCE_KAFKA,
        "source_subnet_ids": ("prod-a", "prod-b", "prod-c"),
        "target_cluster_arn": TARGET_KAFKA,
        "target_placement": PLACEMENT,
        "target_security_group_id": "sg-dr-kafka",
    } | overrides
    return KafkaReplicator(
        scope, "replicator", props=props or KafkaReplicatorProps(), name="dr-kafka", location=DR, **arguments
    )


def role_statements(resources: dict[str, Any]) -> dict[str, dict[str, Any]]:
    policy = json.loads(only(resources, "aws_iam_role_policy")["policy"])
    return {statement["Sid"]: statement for statement in policy["Statement"]}


def test_replication_source_turns_on_private_connectivity_for_iam() -> None:
    cluster = only(synth_construct(source_cluster), "aws_msk_cluster")
    assert cluster["broker_node_group_info"]["connectivity_info"] == {
        "vpc_connectivity": {"client_authentication": {"sasl": {"iam": True}}}
    }
    assert cluster["client_authentication"] == {"sasl": {"iam": True}, "unauthenticated": False}


def test_replication_source_policy_admits_only_the_replicator_service() -> None:
    policy = json.loads(only(synth_construct(source_cluster), "aws_msk_cluster_policy")["policy"])
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Service": "kafka.amazonaws.com"}
    assert sorted(statement["Action"]) == [
        "kafka:CreateVpcConnection",
        "kafka:DescribeCluster",
        "kafka:DescribeClusterV2",
        "kafka:GetBootstrapBrokers",
    ]
    assert statement["Resource"] == "${aws_msk_cluster.kafka_cluster_4FCB1297.arn}"


def test_replicator_reaches_the_source_through_its_region_subnets_without_security_groups() -> None:
    source, target = only(synth_construct(replicator), "aws_msk_replicator")["kafka_cluster"]
    assert source == {
        "amazon_msk_cluster": {"msk_cluster_arn": SOURCE_KAFKA},
        "vpc_config": {"subnet_ids": ["prod-a", "prod-b", "prod-c"]},
    }
    assert target["amazon_msk_cluster"] == {"msk_cluster_arn": TARGET_KAFKA}
    assert target["vpc_config"]["subnet_ids"] == ["dr-a", "dr-b", "dr-c"]
    (group,) = target["vpc_config"]["security_groups_ids"]
    assert group.startswith("${aws_security_group.replicator_security_group_")


def test_replicator_copies_all_but_internal_topics_with_settings_acls_and_offsets() -> None:
    info = only(synth_construct(replicator), "aws_msk_replicator")["replication_info_list"]
    assert (info["source_kafka_cluster_arn"], info["target_kafka_cluster_arn"]) == (
        SOURCE_KAFKA,
        TARGET_KAFKA,
    )
    assert info["target_compression_type"] == "NONE"
    (topics,) = info["topic_replication"]
    assert (topics["topics_to_replicate"], topics["topics_to_exclude"]) == ([".*"], ["__.*"])
    assert topics["starting_position"] == {"type": "EARLIEST"}
    assert topics["topic_name_configuration"] == {"type": "IDENTICAL"}
    assert topics["copy_topic_configurations"] and topics["copy_access_control_lists_for_topics"]
    assert topics["detect_and_copy_new_topics"]
    (groups,) = info["consumer_group_replication"]
    assert groups["consumer_groups_to_replicate"] == [".*"] and "consumer_groups_to_exclude" not in groups
    assert groups["synchronise_consumer_group_offsets"] and groups["detect_and_copy_new_consumer_groups"]


def test_replicator_opens_only_9098_between_itself_and_the_target_cluster() -> None:
    resources = synth_construct(replicator)
    group = only(resources, "aws_security_group")
    assert "egress" not in group and "ingress" not in group
    egress = only(resources, "aws_vpc_security_group_egress_rule")
    ingress = only(resources, "aws_vpc_security_group_ingress_rule")
    assert (egress["from_port"], egress["to_port"], egress["referenced_security_group_id"]) == (
        9098, 9098, "sg-dr-kafka",
    )  # fmt: skip
    assert (ingress["security_group_id"], ingress["from_port"], ingress["to_port"]) == (
        "sg-dr-kafka",
        9098,
        9098,
    )
    assert ingress["referenced_security_group_id"] == egress["security_group_id"]


def test_replicator_role_is_assumed_by_msk_for_this_account_only() -> None:
    role = only(synth_construct(replicator), "aws_iam_role")
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    assert statement["Principal"] == {"Service": "kafka.amazonaws.com"}
    assert statement["Condition"] == {"StringEquals": {"aws:SourceAccount": DR.account_id}}


def test_replicator_role_acts_only_on_the_two_clusters_and_their_topics_and_groups() -> None:
    document = synth_document(replicator)
    statements = role_statements(document["resource"])
    locals_ = document["locals"]
    for name, kind, arn in (
        ("source_topic", "topic", SOURCE_KAFKA), ("target_topic", "topic", TARGET_KAFKA),
        ("source_group", "group", SOURCE_KAFKA), ("target_group", "group", TARGET_KAFKA),
    ):  # fmt: skip
        (local,) = (
            value for key, value in locals_.items() if key.startswith(f"replicator_{name}_arn_prefix")
        )
        assert local == f'${{replace("{arn}", ":cluster/", ":{kind}/")}}'
    for statement in statements.values():
        assert statement["Effect"] == "Allow"
        assert all(action.startswith("kafka-cluster:") for action in statement["Action"])
        for resource in statement["Resource"]:
            assert resource in (SOURCE_KAFKA, TARGET_KAFKA) or resource.startswith("${local.replicator_")
    assert statements["SourceCluster"]["Resource"] == [SOURCE_KAFKA]
    assert statements["TargetCluster"]["Resource"] == [TARGET_KAFKA]
    assert "kafka-cluster:AlterCluster" in statements["TargetCluster"]["Action"]  # copied ACLs
    assert "kafka-cluster:AlterCluster" not in statements["SourceCluster"]["Action"]


def test_replicator_role_never_writes_the_source_data_topics() -> None:
    statements = role_statements(synth_construct(replicator))
    source = statements["SourceTopics"]
    assert source["Action"] == [
        "kafka-cluster:DescribeTopic",
        "kafka-cluster:DescribeTopicDynamicConfiguration",
        "kafka-cluster:ReadData",
    ]
    (resource,) = source["Resource"]
    assert resource.startswith("${local.replicator_source_topic_arn_prefix") and resource.endswith("}/*")
    writers = [
        sid for sid, statement in statements.items() if "kafka-cluster:WriteData" in statement["Action"]
    ]
    assert sorted(writers) == ["InternalTopics", "TargetTopics"]
    internal = statements["InternalTopics"]["Resource"]
    assert len(internal) == 6 and all(
        resource.split("}/")[1]
        in ("*__amazon_msk_replicator_*", "mskr-offset-syncs.*", "*.checkpoints.internal")
        for resource in internal
    )


def test_replicator_permissions_follow_the_enabled_features() -> None:
    props = KafkaReplicatorProps(
        copy_access_control_lists=False, copy_topic_configurations=False, sync_consumer_group_offsets=False
    )
    statements = role_statements(synth_construct(lambda scope: replicator(scope, props)))
    assert "kafka-cluster:AlterCluster" not in statements["TargetCluster"]["Action"]
    assert "kafka-cluster:AlterTopic" not in statements["TargetTopics"]["Action"]
    assert {"SourceGroups", "TargetGroups"}.isdisjoint(statements)
    (groups,) = statements["InternalGroups"]["Resource"]
    assert groups.endswith("}/*__amazon_msk_replicator_*")


def test_replicator_props_shape_the_replication() -> None:
    props = KafkaReplicatorProps(
        topics=("orders\\..*", "usage"), excluded_topics=(), consumer_groups=("billing-.*",),
        excluded_consumer_groups=("tmp-.*",), starting_position="LATEST", identical_topic_names=False,
        compression="ZSTD",
    )  # fmt: skip
    info = only(synth_construct(lambda scope: replicator(scope, props)), "aws_msk_replicator")[
        "replication_info_list"
    ]
    (topics,) = info["topic_replication"]
    assert topics["topics_to_replicate"] == ["orders\\..*", "usage"] and "topics_to_exclude" not in topics
    assert topics["starting_position"] == {"type": "LATEST"}
    assert topics["topic_name_configuration"] == {"type": "PREFIXED_WITH_SOURCE_CLUSTER_ALIAS"}
    (groups,) = info["consumer_group_replication"]
    assert (groups["consumer_groups_to_replicate"], groups["consumer_groups_to_exclude"]) == (
        ["billing-.*"], ["tmp-.*"],
    )  # fmt: skip
    assert info["target_compression_type"] == "ZSTD"


def test_replicator_props_default_to_a_full_standby() -> None:
    props = KafkaReplicatorProps()
    assert (props.topics, props.excluded_topics, props.consumer_groups) == (
        (".*",),
        MSK_INTERNAL_TOPICS,
        (".*",),
    )
    assert (props.starting_position, props.identical_topic_names, props.compression) == (
        "EARLIEST",
        True,
        "NONE",
    )
    assert props.copy_topic_configurations and props.copy_access_control_lists
    assert props.sync_consumer_group_offsets


def test_replicator_values_are_those_of_botocore_kafka_model() -> None:
    assert set(get_args(ReplicationStart)) == enumeration("kafka", "ReplicationStartingPositionType")
    assert set(get_args(ReplicationCompression)) == enumeration("kafka", "TargetCompressionType")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"topics": ()}, r"KafkaReplicatorProps.topics must hold at least one regular expression"),
        ({"consumer_groups": ()}, r"KafkaReplicatorProps.consumer_groups must hold at least one"),
        (
            {"topics": ("orders(",)},
            r"KafkaReplicatorProps.topics must hold regular expressions, got 'orders\('",
        ),
        ({"excluded_consumer_groups": ("[",)}, r"excluded_consumer_groups must hold regular expressions"),
        ({"starting_position": "NOW"}, r"KafkaReplicatorProps.starting_position must be one of"),
        ({"compression": "BROTLI"}, r"KafkaReplicatorProps.compression must be one of"),
        ({"topics": [".*"]}, r"write a tuple"),
    ],
)
def test_replicator_props_reject_bad_values(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        KafkaReplicatorProps(**overrides)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"source_subnet_ids": ("prod-a",)},
            r"KafkaReplicator.source_subnet_ids must hold 2 or 3 subnets.*got 1",
        ),
        (
            {
                "target_placement": DataStorePlacement(
                    vpc_id="v", subnet_ids=("a", "b", "c", "d"), client_security_group_id="sg", key_arn="k"
                )
            },
            r"KafkaReplicator.target_placement.subnet_ids must hold 2 or 3 subnets.*got 4",
        ),
        (
            {"source_cluster_arn": "production-kafka"},
            r"KafkaReplicator.source_cluster_arn must be an MSK cluster ARN",
        ),
        (
            {"source_cluster_arn": TARGET_KAFKA.replace("dr-kafka", "other")},
            r"source_cluster_arn must be a cluster of another region than 'us-west-2'",
        ),
        (
            {"target_cluster_arn": SOURCE_KAFKA},
            r"KafkaReplicator.target_cluster_arn must be a cluster of the stack's region 'us-west-2'",
        ),
    ],
)
def test_replicator_rejects_what_cross_region_replication_cannot_use(
    overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        synth_construct(lambda scope: replicator(scope, **overrides))


# --- Existing callers: the new arguments at their defaults change nothing --------------------------------


def test_defaults_leave_postgres_output_unchanged() -> None:
    def build(replica: dict[str, Any]) -> Callable[[Construct], object]:
        return lambda scope: PostgresDatabase(
            scope, "db", props=PostgresProps(), name="t-postgres", location=LOCATION, placement=PLACEMENT,
            log_key_arn="arn:logs", **replica,
        )  # fmt: skip

    default = synth_construct(build({}))
    assert default == synth_construct(build({"replica_of": None}))
    instance = only(default, "aws_db_instance")
    assert "replicate_source_db" not in instance
    assert (instance["username"], instance["manage_master_user_password"]) == (MASTER_USERNAME, True)
    assert set(default) == {
        "aws_cloudwatch_log_group", "aws_db_instance", "aws_db_parameter_group", "aws_db_subnet_group",
        "aws_iam_role", "aws_iam_role_policy_attachment", "aws_security_group",
        "aws_vpc_security_group_ingress_rule",
    }  # fmt: skip


def test_defaults_leave_redis_output_unchanged() -> None:
    def build(secondary: dict[str, Any]) -> Callable[[Construct], object]:
        return lambda scope: RedisCache(
            scope, "cache", props=RedisProps(), name="t-redis", placement=PLACEMENT, log_key_arn="arn:logs",
            **secondary,
        )  # fmt: skip

    default = synth_construct(build({}))
    assert default == synth_construct(build({"global_group_id": None}))
    group = only(default, "aws_elasticache_replication_group")
    assert "global_replication_group_id" not in group
    assert (group["engine"], group["engine_version"], group["node_type"]) == (
        "redis",
        "7.1",
        "cache.r6g.xlarge",
    )
    assert (group["at_rest_encryption_enabled"], group["transit_encryption_enabled"]) == ("true", True)
    assert group["transit_encryption_mode"] == "required"


def test_defaults_leave_kafka_output_unchanged() -> None:
    def build(source: dict[str, Any]) -> Callable[[Construct], object]:
        return lambda scope: KafkaCluster(
            scope, "kafka", props=KafkaProps(), name="t-kafka", placement=PLACEMENT, log_key_arn="arn:logs",
            **source,
        )  # fmt: skip

    default = synth_construct(build({}))
    assert default == synth_construct(build({"replication_source": False}))
    assert "connectivity_info" not in only(default, "aws_msk_cluster")["broker_node_group_info"]
    assert "aws_msk_cluster_policy" not in default

"""The data layer of every environment: sizes, encryption keys, TLS, access and protection."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

import environments
import services
from environments.base import EnvironmentConfig
from tests.conftest import ALL_STACK_IDS, GUARDED, StackDoc, resources

Reader = Callable[[str], StackDoc]
ENVS = {env.name: env for env in environments.ALL}
ALL = pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)


def one(doc: StackDoc, resource_type: str) -> dict[str, Any]:
    return only_named(doc, resource_type)[1]


def only_named(doc: StackDoc, resource_type: str) -> tuple[str, dict[str, Any]]:
    (found,) = resources(doc, resource_type).items()
    return found


def key_ref(purpose: str) -> str:
    return f"${{aws_kms_key.{purpose}_key_"


def foundation(stack_doc: Reader, env: EnvironmentConfig) -> StackDoc:
    return stack_doc(f"{env.name}-foundation")


@pytest.mark.parametrize(
    ("name", "instance_class", "multi_az", "retention"),
    [("dev", "db.t4g.medium", False, 7), ("staging", "db.r6g.large", True, 14),
     ("production", "db.r6g.xlarge", True, 30), ("dr", "db.r6g.xlarge", True, 30)],
)  # fmt: skip
def test_postgres_size_standby_and_backups(
    stack_doc: Reader, name: str, instance_class: str, multi_az: bool, retention: int
) -> None:
    db = one(foundation(stack_doc, ENVS[name]), "aws_db_instance")
    assert (db["instance_class"], db["multi_az"], db["backup_retention_period"]) == (
        instance_class,
        multi_az,
        retention,
    )
    assert db["engine"] == "postgres" and db["engine_version"].split(".")[0] == "15"


def test_production_postgres_storage_grows_from_100_gb_to_1_tb(stack_doc: Reader) -> None:
    db = one(foundation(stack_doc, ENVS["production"]), "aws_db_instance")
    assert (db["storage_type"], db["allocated_storage"], db["max_allocated_storage"]) == ("gp3", 100, 1000)


@ALL
def test_postgres_is_encrypted_tls_only_iam_authenticated_and_never_holds_a_password(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = foundation(stack_doc, env)
    db = one(doc, "aws_db_instance")
    key = key_ref("replicas" if env.standby else "data")  # a standby's database is its primary's replica
    for field in ("kms_key_id", "performance_insights_kms_key_id"):
        assert db[field].startswith(key), field
    assert db["storage_encrypted"] and db["iam_database_authentication_enabled"]
    if env.standing_by:  # a replica: the master user and its password belong to the primary
        assert db["replicate_source_db"].startswith(
            "${data.terraform_remote_state.cross-stack-reference-input-"
        )
        assert not {"username", "password_wo", "manage_master_user_password"} & db.keys()
    elif (
        env.database.master_password_source == "write-only"
    ):  # a primary with a replica: RDS may not manage it
        assert "manage_master_user_password" not in db
        assert db["password_wo"] == "${var.database_master_password}" and db["password_wo_version"] == 1
        assert doc["variable"]["database_master_password"] | {"description": ""} == {
            "type": "string", "sensitive": True, "nullable": False, "ephemeral": True, "description": "",
        }  # fmt: skip
    else:
        assert db["manage_master_user_password"]
        assert db["master_user_secret_kms_key_id"].startswith(key_ref("data"))
    assert "password" not in db and db["publicly_accessible"] is False
    parameters = {p["name"]: p["value"] for p in one(doc, "aws_db_parameter_group")["parameter"]}
    assert parameters["rds.force_ssl"] == "1" and int(parameters["max_connections"]) >= 500
    assert db["enabled_cloudwatch_logs_exports"] == ["postgresql", "upgrade"]
    assert db["monitoring_interval"] == 60 and db["monitoring_role_arn"].startswith("${aws_iam_role.")
    assert db["auto_minor_version_upgrade"] and db["copy_tags_to_snapshot"]


@pytest.mark.parametrize("name", GUARDED)
def test_shared_environments_protect_the_database_and_keep_a_final_snapshot(
    stack_doc: Reader, name: str
) -> None:
    db = one(foundation(stack_doc, ENVS[name]), "aws_db_instance")
    assert db["deletion_protection"] is True and db["skip_final_snapshot"] is False
    assert db["final_snapshot_identifier"] == f"{name}-postgres-final"


@pytest.mark.parametrize(
    ("name", "node_type", "nodes", "snapshots"),
    [("dev", "cache.t4g.small", 1, 1), ("staging", "cache.r6g.large", 3, 3),
     ("production", "cache.r6g.xlarge", 3, 7), ("dr", "cache.r6g.xlarge", 3, 7)],
)  # fmt: skip
def test_redis_size_replicas_failover_and_snapshots(
    stack_doc: Reader, name: str, node_type: str, nodes: int, snapshots: int
) -> None:
    doc = foundation(stack_doc, ENVS[name])
    redis = one(doc, "aws_elasticache_replication_group")
    if ENVS[name].standby:  # a Global Datastore secondary: the node type is the primary's
        assert "node_type" not in redis
        one(doc, "aws_elasticache_global_replication_group")
    else:
        assert redis["node_type"] == node_type
    assert (redis["num_cache_clusters"], redis["snapshot_retention_limit"]) == (nodes, snapshots)
    assert redis["automatic_failover_enabled"] is (nodes > 1) and redis["multi_az_enabled"] is (nodes > 1)


@ALL
def test_redis_is_encrypted_requires_tls_and_authenticates_with_iam(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = foundation(stack_doc, env)
    redis = one(doc, "aws_elasticache_replication_group")
    assert redis["kms_key_id"].startswith(key_ref("data"))
    if env.standby:  # a secondary inherits encryption at rest and in transit from production's primary
        datastore_name, datastore = only_named(doc, "aws_elasticache_global_replication_group")
        assert redis["global_replication_group_id"] == (
            f"${{aws_elasticache_global_replication_group.{datastore_name}.global_replication_group_id}}"
        )
        assert datastore["provider"] == "aws.primary"
        assert datastore["primary_replication_group_id"].startswith("${data.terraform_remote_state.")
        assert not {"at_rest_encryption_enabled", "transit_encryption_enabled", "engine"} & redis.keys()
    else:
        assert redis["at_rest_encryption_enabled"] == "true"
        assert redis["transit_encryption_enabled"] is True and redis["transit_encryption_mode"] == "required"
    assert "auth_token" not in redis and redis["user_group_ids"]
    users = {u["user_name"]: u for u in resources(doc, "aws_elasticache_user").values()}
    assert users["default"]["access_string"].startswith("off")
    assert users[f"{env.name}-redis-app"]["authentication_mode"]["type"] == "iam"
    assert sorted(d["log_type"] for d in redis["log_delivery_configuration"]) == ["engine-log", "slow-log"]


@pytest.mark.parametrize(
    ("name", "instance_type", "volume", "monitoring"),
    [("dev", "kafka.t3.small", 100, "DEFAULT"), ("staging", "kafka.m5.large", 500, "PER_BROKER"),
     ("production", "kafka.m5.xlarge", 1000, "PER_TOPIC_PER_BROKER"),
     ("dr", "kafka.m5.xlarge", 1000, "PER_TOPIC_PER_BROKER")],
)  # fmt: skip
def test_kafka_brokers_storage_and_monitoring(
    stack_doc: Reader, name: str, instance_type: str, volume: int, monitoring: str
) -> None:
    msk = one(foundation(stack_doc, ENVS[name]), "aws_msk_cluster")
    nodes = msk["broker_node_group_info"]
    assert (msk["number_of_broker_nodes"], nodes["instance_type"], msk["enhanced_monitoring"]) == (
        3,
        instance_type,
        monitoring,
    )
    assert nodes["storage_info"]["ebs_storage_info"]["volume_size"] == volume
    assert len(nodes["client_subnets"]) == 3


@ALL
def test_kafka_is_tls_only_iam_authenticated_with_safe_topic_defaults(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = foundation(stack_doc, env)
    msk = one(doc, "aws_msk_cluster")
    assert msk["encryption_info"]["encryption_at_rest_kms_key_arn"].startswith(key_ref("data"))
    assert msk["encryption_info"]["encryption_in_transit"] == {"client_broker": "TLS", "in_cluster": True}
    assert msk["client_authentication"] == {"sasl": {"iam": True}, "unauthenticated": False}
    prometheus = msk["open_monitoring"]["prometheus"]
    assert (
        prometheus["jmx_exporter"]["enabled_in_broker"] and prometheus["node_exporter"]["enabled_in_broker"]
    )
    properties = one(doc, "aws_msk_configuration")["server_properties"]
    for line in ("auto.create.topics.enable=false", "default.replication.factor=3", "min.insync.replicas=2"):
        assert line in properties.splitlines()
    target = one(doc, "aws_appautoscaling_target")
    assert target["scalable_dimension"] == "kafka:broker-storage:VolumeSize"
    assert target["max_capacity"] == env.kafka.max_volume_gb


@ALL
def test_data_stores_admit_only_the_workload_tier(stack_doc: Reader, env: EnvironmentConfig) -> None:
    doc = foundation(stack_doc, env)
    groups = {
        name
        for name in resources(doc, "aws_security_group")
        if name.split("_")[0] in ("database", "cache", "kafka") and not name.startswith("kafka_replicator")
    }
    assert len(groups) == 3
    rules = [r for r in resources(doc, "aws_vpc_security_group_ingress_rule").values()
             if r["security_group_id"].split(".")[1] in groups]  # fmt: skip
    # a standby's Kafka also admits the MSK Replicator writing into it (IAM over TLS)
    replicator = [r for r in rules if "kafka_replicator_security_group" in r["referenced_security_group_id"]]
    assert [(r["from_port"], r["to_port"]) for r in replicator] == ([(9098, 9098)] if env.standing_by else [])
    rules = [r for r in rules if r not in replicator]
    # each store's port; Kafka also its open-monitoring exporters (11001-11002), scraped from the cluster
    assert sorted((r["from_port"], r["to_port"]) for r in rules) == [
        (5432, 5432), (6379, 6379), (9098, 9098), (11001, 11002),
    ]  # fmt: skip
    for rule in rules:
        assert "cidr_ipv4" not in rule and "cidr_ipv6" not in rule
        assert rule["referenced_security_group_id"].endswith(".vpc_config[0].cluster_security_group_id}")
    egress = resources(doc, "aws_vpc_security_group_egress_rule").values()
    assert not [rule for rule in egress if rule["security_group_id"].split(".")[1] in groups]


@ALL
def test_backups_bucket_is_locked_aged_logged_and_kms_encrypted(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = foundation(stack_doc, env)
    buckets = {name.split("_bucket_")[0]: b for name, b in resources(doc, "aws_s3_bucket").items()}
    assert buckets["backups"]["object_lock_enabled"] is True
    locks = {
        name.split("_object_lock_")[0]: config["rule"]["default_retention"]
        for name, config in resources(doc, "aws_s3_bucket_object_lock_configuration").items()
    }
    assert locks["backups"] == {"mode": "GOVERNANCE", "days": env.backup_lock_days}
    lifecycle = {
        name.split("_lifecycle_")[0]: config["rule"][0]
        for name, config in resources(doc, "aws_s3_bucket_lifecycle_configuration").items()
    }
    backups = lifecycle["backups"]
    assert backups["transition"] == [{"days": 30, "storage_class": "STANDARD_IA"}]
    assert backups["noncurrent_version_expiration"] == [{"noncurrent_days": 90}]
    assert backups["abort_incomplete_multipart_upload"] == [{"days_after_initiation": 7}]
    logged = {
        logging["bucket"].split(".")[1].split("_bucket_")[0]: logging["target_bucket"]
        for logging in resources(doc, "aws_s3_bucket_logging").values()
    }
    expected = {"backups", "log_storage"} if env.logs.storage == "s3" else {"backups"}
    # the account's audit-trail bucket lives with the environment owning the account; a standby keeps the
    # replica of its primary's backups
    expected |= {"audit"} if env.owns_account else set()
    expected |= {"backups_replica_destination"} if env.standby else set()
    assert set(logged) == expected
    assert all(target.startswith("${aws_s3_bucket.access_logs_") for target in logged.values())
    encryption = {
        name.split("_encryption_")[0]: config["rule"][0]["apply_server_side_encryption_by_default"]
        for name, config in resources(doc, "aws_s3_bucket_server_side_encryption_configuration").items()
    }
    assert encryption["backups"]["kms_master_key_id"].startswith(key_ref("backups"))
    assert encryption["access_logs"] == {"sse_algorithm": "AES256"}


@ALL
def test_service_images_are_immutable_scanned_encrypted_and_pruned(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = foundation(stack_doc, env)
    repositories = resources(doc, "aws_ecr_repository").values()
    names = sorted(f"llm-marketplace/{spec.name}" for spec in services.SPECS)
    assert sorted(r["name"] for r in repositories) == names
    for repository in repositories:
        assert repository["image_tag_mutability"] == "IMMUTABLE"
        assert repository["image_scanning_configuration"] == {"scan_on_push": True}
        assert repository["encryption_configuration"][0]["kms_key"].startswith(key_ref("registry"))
    for policy in resources(doc, "aws_ecr_lifecycle_policy").values():
        rules = json.loads(policy["policy"])["rules"]
        assert [r["selection"]["tagStatus"] for r in rules] == ["untagged", "tagged"]


@pytest.mark.parametrize("stack_id", ALL_STACK_IDS)
def test_no_secret_value_is_synthesized(stack_doc: Reader, stack_id: str) -> None:
    doc = stack_doc(stack_id)
    assert "aws_secretsmanager_secret_version" not in doc.get("resource", {})
    text = json.dumps(doc)
    # a key naming a credential may only hold an External Secrets template reference ("{{ .password }}")
    credential = r'"(password|auth_token|secret_string|master_password)"\s*:(?!\s*"\{\{ \.\w+ \}\}")'
    assert not re.search(credential, text)
    for secret in resources(doc, "aws_secretsmanager_secret").values():
        assert secret["kms_key_id"].startswith(key_ref("data"))


@ALL
def test_one_key_per_purpose(stack_doc: Reader, env: EnvironmentConfig) -> None:
    aliases = sorted(a["name"] for a in resources(foundation(stack_doc, env), "aws_kms_alias").values())
    purposes = [
        "alerts",
        "audit",
        "backups",
        "data",
        "dns-logs",  # in us-east-1, beside the zone's query logs
        "dnssec",  # the zone's asymmetric key-signing key, in us-east-1
        "ebs",
        "eks-secrets",
        "logs",
        "loki",
        "registry",
        "replicas",
    ]
    if env.logs.storage != "s3":
        purposes.remove("loki")  # dev keeps its logs on Loki's volume (the ebs key)
    if not env.owns_account:
        purposes.remove("audit")  # the account's trail (and its key) belongs to its owner's stack
    if not env.standby:
        purposes.remove("replicas")  # only a standby receives replicas
    assert aliases == [f"alias/{env.name}-{p}" for p in purposes]


# Resource types that hold data; any of them in a shared environment must be protected from destroy.
STATEFUL = re.compile(
    r"aws_(db_instance|rds_cluster|dynamodb_table|efs_file_system|elasticache_(replication_group|cluster)|"
    r"msk_cluster|s3_bucket|kms_key|secretsmanager_secret|ecr_repository|eks_cluster|opensearch_domain|"
    r"docdb_cluster|neptune_cluster|redshift_cluster|ebs_volume|backup_vault)$"
)


@pytest.mark.parametrize("stack_id", [s for s in ALL_STACK_IDS if s.rsplit("-", 1)[0] in GUARDED])
def test_every_stateful_resource_in_shared_environments_is_protected(
    stack_doc: Reader, stack_id: str
) -> None:
    unprotected = [
        f"{resource_type}.{name}"
        for resource_type, found in stack_doc(stack_id).get("resource", {}).items()
        if STATEFUL.match(resource_type)
        for name, body in found.items()
        if body.get("deletion_protection") is not True
        and body.get("lifecycle", {}).get("prevent_destroy") is not True
    ]
    assert unprotected == []


@ALL
def test_a_replication_source_declares_private_connectivity_and_waits_long_enough_to_enable_it(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    """MSK refuses CreateCluster with vpcConnectivity authentication on; provider 6.25.0 creates without it
    and turns it on with UpdateConnectivity inside the same create (kafka._private_connectivity), which can
    take hours: the create must not time out and taint the cluster."""
    (cluster,) = resources(stack_doc(f"{env.name}-foundation"), "aws_msk_cluster").values()
    connectivity = cluster["broker_node_group_info"].get("connectivity_info")
    source = any(other.standby and other.standby.primary == env.name for other in environments.ALL)
    if source:
        assert connectivity == {"vpc_connectivity": {"client_authentication": {"sasl": {"iam": True}}}}
        assert cluster["timeouts"] == {"create": "360m", "update": "360m"}
    else:  # never an all-false block: the provider would send an UpdateConnectivity MSK refuses
        assert connectivity is None and "timeouts" not in cluster

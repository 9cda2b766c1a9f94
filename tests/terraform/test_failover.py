"""Failover rehearsal, offline: dr switched to "active" plans against the state its standby deploy left,
reads nothing of production, keeps every resource, and forgets (not destroys) its links into us-east-1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import environments
import services
from tfoffline import harness

DR = next(env for env in environments.ALL if env.name == "dr")
# the alarms on replication into dr, which end with it
LAG_ALARMS = (
    "database_replication_lag", "cache_replication_lag", "kafka_replication_lag", "kafka_replicator_failure",
    "backups_replication_latency",
)  # fmt: skip
PRODUCTION = next(env for env in environments.ALL if env.name == "production")


@pytest.fixture(scope="module")
def active_dr(failed_over_dir: Path) -> dict[str, dict[str, Any]]:
    """dr's stacks synthesized with the role switched to "active", alone (as `cdktf deploy 'dr-*'` would)."""
    return {
        path.parent.name: json.loads(path.read_text())
        for path in (failed_over_dir / "stacks").glob("*/cdk.tf.json")
    }


def test_active_dr_reads_nothing_of_production(active_dr: dict[str, dict[str, Any]]) -> None:
    assert sorted(active_dr) == ["dr-apps", "dr-bootstrap", "dr-foundation", "dr-platform"]
    for doc in active_dr.values():
        assert "terraform_remote_state" not in doc.get("data", {}) or all(
            remote["config"]["key"].startswith("dr-")
            for remote in doc["data"]["terraform_remote_state"].values()
        )
        assert "production-foundation" not in json.dumps(doc)


def test_active_dr_runs_production_sizes(active_dr: dict[str, dict[str, Any]]) -> None:
    groups = active_dr["dr-foundation"]["resource"]["aws_eks_node_group"].values()
    sizes = {g["node_group_name"]: g["scaling_config"]["min_size"] for g in groups}
    assert sizes == {name: group.min_size for name, group in PRODUCTION.node_groups.by_name().items()}
    autoscalers = active_dr["dr-apps"]["resource"]["kubernetes_horizontal_pod_autoscaler_v2"].values()
    minimums = {hpa["metadata"]["name"]: hpa["spec"]["min_replicas"] for hpa in autoscalers}
    assert minimums == {spec.name: spec.autoscaling.min_replicas for spec in services.SPECS}


def test_active_dr_forgets_its_links_into_the_primary_region(active_dr: dict[str, dict[str, Any]]) -> None:
    doc = active_dr["dr-foundation"]
    forgotten = {block["from"].split(".")[0] for block in doc["removed"]}
    assert forgotten == {
        "aws_iam_role", "aws_iam_role_policy", "aws_s3_bucket_replication_configuration",
        "aws_ecr_replication_configuration", "aws_route53_record", "aws_elasticache_global_replication_group",
        "aws_db_instance_automated_backups_replication",
    }  # fmt: skip
    assert all(block["lifecycle"] == {"destroy": False} for block in doc["removed"])
    # No STS call of their own in us-east-1, so a deploy with -refresh=false works while it is down.
    for alias in ("primary", "route53_home"):
        (provider,) = [p for p in doc["provider"]["aws"] if p.get("alias") == alias]
        assert provider["skip_credentials_validation"] and provider["skip_requesting_account_id"]
    certificate = next(iter(doc["resource"]["aws_acm_certificate"].values()))
    # still answers for production's names
    assert certificate["subject_alternative_names"][-2:] == [
        PRODUCTION.edge.domain,
        PRODUCTION.edge.operator_domain,
    ]


def test_active_dr_promotes_its_database_and_keeps_its_cache(active_dr: dict[str, dict[str, Any]]) -> None:
    doc = active_dr["dr-foundation"]
    (database,) = doc["resource"]["aws_db_instance"].values()
    assert "replicate_source_db" not in database and database["username"]  # promoted in place
    assert database["password_wo"] == "${var.database_master_password}"
    assert doc["variable"]["database_master_password"]["ephemeral"] is True
    (cache,) = doc["resource"]["aws_elasticache_replication_group"].values()
    assert "global_replication_group_id" not in cache and "engine" not in cache  # same shape, no replacement
    assert cache["lifecycle"]["ignore_changes"] == ["global_replication_group_id"]
    assert "aws_msk_replicator" not in doc["resource"]


def test_failover_plans_over_the_standby_state_destroying_only_the_replication(
    chain: dict[str, harness.StackResult],
    workspace: harness.Workspace,
    active_dr: dict[str, dict[str, Any]],
    stack_doc: Any,
) -> None:
    assert chain["dr-apps"].error == "", "the standby chain must have been applied first"
    standby = stack_doc("dr-foundation")
    replication_only = [
        name
        for resources in standby["resource"].values()
        for name, resource in resources.items()
        if resource["//"]["metadata"]["path"].split("/")[1] in ("kafka_replicator", *LAG_ALARMS)
        and not name.startswith("kafka_replicator_role")  # IAM is forgotten (its control plane is us-east-1)
    ]
    result = harness.run_stack(workspace, active_dr["dr-foundation"], apply=False, validate=False)
    assert result.error == ""
    # node groups grow and the replica is promoted; only the Kafka replicator and the lag alarms go
    assert result.planned > 0 and result.destroyed == len(replication_only) > 0

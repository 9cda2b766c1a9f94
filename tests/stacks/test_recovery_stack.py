"""dr as production's warm standby, as synthesized: what replicates from production into dr, how, and
with what lag alarm; production's backups and their copies; the audit trail per account; Velero."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import environments
from tests.conftest import StackDoc, resources

Reader = Callable[[str], StackDoc]
ENVS = {env.name: env for env in environments.ALL}
# a standby and its primary, whatever the registry names them
DR = next(env for env in environments.ALL if env.standby)
PRODUCTION = ENVS[DR.standby.primary]  # type: ignore[union-attr]
ACCOUNT = PRODUCTION.location.account_id
FROM_PRODUCTION = (
    f"${{data.terraform_remote_state.cross-stack-reference-input-{PRODUCTION.name}-foundation.outputs."
)


def only(doc: StackDoc, resource_type: str) -> dict[str, Any]:
    (found,) = resources(doc, resource_type).values()
    return found


@pytest.fixture(scope="module")
def dr(stack_doc: Reader) -> StackDoc:
    return stack_doc("dr-foundation")


@pytest.fixture(scope="module")
def production(stack_doc: Reader) -> StackDoc:
    return stack_doc(f"{PRODUCTION.name}-foundation")


def test_the_database_is_a_cross_region_replica_with_replicated_backups(dr: StackDoc) -> None:
    database = only(dr, "aws_db_instance")
    assert database["replicate_source_db"].startswith(FROM_PRODUCTION)
    assert database["kms_key_id"].startswith("${aws_kms_key.replicas_key_")
    backups = only(dr, "aws_db_instance_automated_backups_replication")
    assert backups["source_db_instance_arn"] == database["replicate_source_db"]
    assert backups["kms_key_id"].startswith("${aws_kms_key.replicas_key_")
    assert backups["retention_period"] == PRODUCTION.database.backup_retention_days


def test_kafka_replicates_every_topic_and_group_from_production_with_iam(
    dr: StackDoc, production: StackDoc
) -> None:
    replicator = only(dr, "aws_msk_replicator")
    source, target = replicator["kafka_cluster"]
    assert source["amazon_msk_cluster"]["msk_cluster_arn"].startswith(FROM_PRODUCTION)
    assert all(subnet.startswith(FROM_PRODUCTION) for subnet in source["vpc_config"]["subnet_ids"])
    assert target["amazon_msk_cluster"]["msk_cluster_arn"].startswith("${aws_msk_cluster.kafka_cluster_")
    replication = replicator["replication_info_list"]
    (topics,) = replication["topic_replication"]
    assert topics["topics_to_replicate"] == [".*"] and topics["topics_to_exclude"] == ["__.*"]
    (groups,) = replication["consumer_group_replication"]
    assert groups["synchronise_consumer_group_offsets"] is True
    # production's cluster admits the replicator: multi-VPC connectivity with IAM, and a cluster policy
    cluster = only(production, "aws_msk_cluster")
    connectivity = cluster["broker_node_group_info"]["connectivity_info"]["vpc_connectivity"]
    assert connectivity["client_authentication"]["sasl"]["iam"] is True
    policy = json.loads(only(production, "aws_msk_cluster_policy")["policy"])
    assert {s["Principal"]["Service"] for s in policy["Statement"]} == {"kafka.amazonaws.com"}


def test_every_replication_has_a_lag_alarm_at_the_configured_recovery_point(dr: StackDoc) -> None:
    assert DR.standby is not None
    seconds = DR.standby.max_lag_minutes * 60
    alarms = {a["alarm_name"]: a for a in resources(dr, "aws_cloudwatch_metric_alarm").values()}
    database, cache = alarms["dr-database-replication-lag"], alarms["dr-cache-replication-lag"]
    kafka = alarms["dr-kafka-replication-lag"]
    assert database["threshold"] == cache["threshold"] == seconds
    assert kafka["threshold"] == seconds * 1000  # milliseconds
    assert kafka["dimensions"] == {"ReplicatorName": "dr-from-production"}
    assert {q["metric"]["metric_name"] for q in cache["metric_query"] if "metric" in q} == {
        "GlobalDatastoreReplicationLag"
    }
    # silence is a fault where the metric is published all the time, normal where it is not (idle topics)
    assert (database["treat_missing_data"], cache["treat_missing_data"]) == ("breaching", "breaching")
    assert kafka["treat_missing_data"] == "notBreaching"
    topic = "${aws_sns_topic.alerts."
    for alarm in (database, cache, kafka, alarms["dr-kafka-replicator-failure"]):
        assert [a.startswith(topic) for a in alarm["alarm_actions"]] == [True], alarm["alarm_name"]


def test_production_backups_replicate_with_rtc_into_a_locked_dr_bucket(dr: StackDoc) -> None:
    configuration = only(dr, "aws_s3_bucket_replication_configuration")
    assert configuration["provider"] == "aws.primary" and configuration["bucket"].startswith(FROM_PRODUCTION)
    (rule,) = configuration["rule"]
    destination = rule["destination"]
    assert destination["replication_time"] == {"status": "Enabled", "time": {"minutes": 15}}
    assert destination["encryption_configuration"]["replica_kms_key_id"].startswith(
        "${aws_kms_key.replicas_key_"
    )
    assert rule["delete_marker_replication"] == {"status": "Disabled"}
    buckets = {b["bucket"] for b in resources(dr, "aws_s3_bucket").values()}
    assert f"llm-marketplace-dr-production-backups-{ACCOUNT}" in buckets
    (primary,) = [p for p in dr["provider"]["aws"] if p.get("alias") == "primary"]
    assert primary["region"] == PRODUCTION.location.region


def test_images_replicate_to_dr_from_production_registry(dr: StackDoc) -> None:
    configuration = only(dr, "aws_ecr_replication_configuration")
    assert configuration["provider"] == "aws.primary"
    (rule,) = configuration["replication_configuration"]["rule"]
    assert rule["destination"] == [{"region": DR.location.region, "registry_id": ACCOUNT}]
    assert rule["repository_filter"] == [{"filter": "llm-marketplace/", "filter_type": "PREFIX_MATCH"}]


def test_production_snapshots_hourly_into_a_locked_vault_and_copies_to_dr(
    dr: StackDoc, production: StackDoc
) -> None:
    (rule,) = only(production, "aws_backup_plan")["rule"]
    assert rule["schedule"] == "cron(0 * ? * * *)" and rule["lifecycle"] == {"delete_after": 30}
    copies = f"arn:aws:backup:{DR.location.region}:{ACCOUNT}:backup-vault:production-copies"
    assert rule["copy_action"] == [{"destination_vault_arn": copies, "lifecycle": {"delete_after": 30}}]
    vaults = {v["name"]: v for v in resources(dr, "aws_backup_vault").values()}
    assert vaults["production-copies"]["kms_key_arn"].startswith("${aws_kms_key.replicas_key_")
    locks = [lock for lock in resources(production, "aws_backup_vault_lock_configuration").values()]
    assert [(lock["min_retention_days"], lock["max_retention_days"]) for lock in locks] == [(30, 30)]


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_each_account_has_one_multi_region_trail_and_each_region_guardduty(
    stack_doc: Reader, env: environments.EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-foundation")
    assert len(resources(doc, "aws_guardduty_detector")) == 1
    features = {f["name"] for f in resources(doc, "aws_guardduty_detector_feature").values()}
    assert features == {"S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "RUNTIME_MONITORING"}
    trails = list(resources(doc, "aws_cloudtrail").values())
    if not env.owns_account:  # the account's owner's trail records every region and every environment
        assert trails == []
        return
    (trail,) = trails
    assert trail["is_multi_region_trail"] and trail["enable_log_file_validation"]
    watched = {
        value.removesuffix("/")
        for selector in trail["advanced_event_selector"]
        for field in selector["field_selector"]
        if field["field"] == "resources.ARN"
        for value in field["starts_with"]
    }
    account = env.location.account_id
    expected = set()
    for member in environments.ALL:
        if member.location.account_id != account:
            continue
        # each environment of the account: its backups and its state; a standby of env: the replica it keeps
        expected.add(f"arn:aws:s3:::llm-marketplace-{member.name}-backups-{account}")
        if member.backend.kind == "s3":
            expected.add(f"arn:aws:s3:::{member.backend.bucket}")
        if member.standby:  # the replica of its primary's backups it keeps
            expected.add(
                f"arn:aws:s3:::llm-marketplace-{member.name}-{member.standby.primary}-backups-{account}"
            )
    assert watched == expected


def test_dr_restores_production_backups_from_the_replica_read_only(stack_doc: Reader) -> None:
    manifests = [m["manifest"] for m in resources(stack_doc("dr-apps"), "kubernetes_manifest").values()]
    (location,) = [m for m in manifests if m["kind"] == "BackupStorageLocation"]
    assert location["spec"]["accessMode"] == "ReadOnly"
    assert location["spec"]["objectStorage"]["prefix"] == PRODUCTION.name
    schedules = [m for m in manifests if m["kind"] == "Schedule"]
    assert len(schedules) == 1 and schedules[0]["spec"]["template"]["ttl"] == "720h0m0s"


def test_links_go_from_dr_to_production_only_and_order_the_deploy(synth_dir: Path) -> None:
    manifest = json.loads((synth_dir / "manifest.json").read_text())["stacks"]
    assert f"{PRODUCTION.name}-foundation" in manifest[f"{DR.name}-foundation"]["dependencies"]
    for stack, entry in manifest.items():
        if stack.startswith("production-"):  # production never waits for, nor reads, dr
            assert not [d for d in entry.get("dependencies", []) if d.startswith("dr-")], stack
            text = (synth_dir / "stacks" / stack / "cdk.tf.json").read_text()
            assert "cross-stack-reference-input-dr-" not in text, stack


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_alarms_and_cost_alerts_notify_an_encrypted_topic_only_services_of_the_account_may_publish_to(
    stack_doc: Reader, env: environments.EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-foundation")
    topic = only(doc, "aws_sns_topic")
    assert topic["name"] == f"{env.name}-alerts" and topic["kms_master_key_id"].startswith(
        "${aws_kms_key.alerts_"
    )
    statements = json.loads(only(doc, "aws_sns_topic_policy")["policy"])["Statement"]
    allow, deny = statements
    assert (
        allow["Principal"]
        == {"Service": ["cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com"]}
        and allow["Action"] == "sns:Publish"
    )
    assert allow["Condition"] == {"StringEquals": {"aws:SourceAccount": env.location.account_id}}
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    for alarm in resources(doc, "aws_cloudwatch_metric_alarm").values():
        if "alarm_actions" in alarm:
            assert alarm["alarm_actions"] == alarm["ok_actions"]
    if env.standby or any(o.standby and o.standby.primary == env.name for o in environments.ALL):
        actions = [a for a in resources(doc, "aws_cloudwatch_metric_alarm").values() if "alarm_actions" in a]
        assert actions  # the failover health alarm (primary) or the replication-lag alarms (standby)


@pytest.mark.parametrize("env", [e for e in environments.ALL if e.backend.kind == "s3"], ids=lambda e: e.name)
def test_bootstrap_holds_the_environments_ci_roles_pinned_to_repository_and_environment(
    stack_doc: Reader, env: environments.EnvironmentConfig
) -> None:
    from environments.repository import REPOSITORY

    doc = stack_doc(f"{env.name}-bootstrap")
    names = {role["name"]: role for role in resources(doc, "aws_iam_role").values()}
    assert set(names) == {env.plan_role_arn.split("/")[-1], env.deploy_role_arn.split("/")[-1]}
    # deploys in the environment (its reviewer gates them), plans and drift in its plan environment
    for role, environment in ((env.deploy_role_arn, env.name), (env.plan_role_arn, f"{env.name}-plan")):
        (statement,) = json.loads(names[role.split("/")[-1]]["assume_role_policy"])["Statement"]
        subject = statement["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"]
        assert subject == f"repo:{REPOSITORY}:environment:{environment}"
    providers = resources(doc, "aws_iam_openid_connect_provider")
    assert len(providers) == (1 if env.owns_account else 0)  # one per account: the others trust the owner's


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_velero_backs_up_every_service_of_the_registry(
    stack_doc: Reader, env: environments.EnvironmentConfig
) -> None:
    import services

    manifests = [
        m["manifest"] for m in resources(stack_doc(f"{env.name}-apps"), "kubernetes_manifest").values()
    ]
    (schedule,) = [m for m in manifests if m["kind"] == "Schedule"]
    included = schedule["spec"]["template"]["includedNamespaces"]
    assert {spec.name for spec in services.SPECS} <= set(included)
    assert set(env.velero.namespaces) <= set(included)

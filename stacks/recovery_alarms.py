"""The alarms behind the recovery point: every replication into a standby has an alarm on a metric AWS
publishes for it, in the region it is published in, with a missing-data treatment that cannot page on a
legitimate silence (and stays quiet on nothing only where a silence is itself the symptom)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import (
    CloudwatchMetricAlarm,
    CloudwatchMetricAlarmMetricQuery,
)
from constructs import Construct

from environments.base import EnvironmentConfig
from marketplace_constructs.naming import PROJECT, resource_name
from marketplace_constructs.recovery.bucket_replication import replication_rule_id

Missing = Literal["breaching", "notBreaching", "ignore", "missing"]
CHECK_SECONDS: Final = 60
BACKUP_METRIC_SECONDS: Final = 300  # AWS Backup publishes its metrics every 5 minutes


@dataclass(frozen=True, slots=True)
class Watch:
    """One alarm: ``metric`` of ``namespace`` with ``dimensions`` (or, with ``nodes``, the largest of that
    metric over each node's ``CacheClusterId``), compared with ``threshold`` over ``period`` seconds (no
    shorter than the metric's publication interval). A lag alarms when three periods in a row breach; a
    failure count (``failures``) on its first datapoint, since one failure is already the news and its
    metric stays silent otherwise."""

    namespace: str
    metric: str
    dimensions: dict[str, str]
    statistic: str
    threshold: float
    missing: Missing
    comparison: str = "GreaterThanThreshold"
    nodes: tuple[str, ...] = ()
    failures: bool = False
    period: int = CHECK_SECONDS


def alarm(
    scope: Construct, construct_id: str, *, name: str, description: str, watch: Watch, topic: str
) -> None:
    """A CloudWatch alarm of ``watch`` (see ``Watch``), notifying ``topic`` both ways."""
    common: dict[str, Any] = {
        "alarm_name": name,
        "alarm_description": description,
        "evaluation_periods": 1 if watch.failures else 3,
        "threshold": watch.threshold,
        "comparison_operator": watch.comparison,
        "treat_missing_data": watch.missing,
        "alarm_actions": [topic],
        "ok_actions": [topic],
    }
    if not watch.nodes:
        CloudwatchMetricAlarm(
            scope,
            construct_id,
            namespace=watch.namespace,
            metric_name=watch.metric,
            dimensions=watch.dimensions,
            statistic=watch.statistic,
            period=watch.period,
            **common,
        )
        return
    # MAX over the nodes: the metric comes from whichever node is the group's primary at the time
    queries = [
        CloudwatchMetricAlarmMetricQuery(
            id=f"node{index}",
            return_data=False,
            metric={
                "namespace": watch.namespace,
                "metric_name": watch.metric,
                "period": watch.period,
                "stat": watch.statistic,
                "dimensions": {"CacheClusterId": node},
            },
        )
        for index, node in enumerate(watch.nodes, start=1)
    ]
    ids = ", ".join(query.id for query in queries)
    queries.append(
        CloudwatchMetricAlarmMetricQuery(
            id="lag", expression=f"MAX([{ids}])", label=watch.metric, return_data=True
        )
    )
    CloudwatchMetricAlarm(scope, construct_id, metric_query=queries, **common)


def cache_nodes(group: str, count: int) -> tuple[str, ...]:
    """ElastiCache's member cluster ids of a replication group without cluster mode: ``<group>-001``..."""
    return tuple(f"{group}-{index:03d}" for index in range(1, count + 1))


def standby_lag_alarms(
    scope: Construct, *, env: EnvironmentConfig, database: str, cache: str, replicator: str, topic: str
) -> None:
    """In the standby's region, each replication more than ``StandbyConfig.max_lag_minutes`` behind:

    - RDS ``ReplicaLag`` of the replica (published every minute while it replicates: silence is a fault);
    - ElastiCache ``GlobalDatastoreReplicationLag``, reported by the secondary group's primary node, which
      moves on a failover inside the group: the largest over every node (a fixed node would go silent);
    - MSK Replicator ``ReplicationLatency``, not published while topics are idle (silence is normal), and
      ``ReplicatorFailure``, the replicator's own failure count (Amazon MSK developer guide, "Replicator
      metrics").
    """
    assert env.standby is not None
    standby = env.standby
    seconds = standby.max_lag_minutes * 60
    behind = f"replication from {standby.primary} is over {standby.max_lag_minutes} minutes behind"
    watches = {
        "database_replication_lag": (
            "database",
            Watch(
                "AWS/RDS", "ReplicaLag", {"DBInstanceIdentifier": database}, "Maximum", seconds, "breaching"
            ),
        ),
        "cache_replication_lag": (
            "cache",
            Watch(
                "AWS/ElastiCache",
                "GlobalDatastoreReplicationLag",
                {},
                "Maximum",
                seconds,
                "breaching",
                nodes=cache_nodes(cache, env.cache.node_count),
            ),
        ),
        "kafka_replication_lag": (
            "kafka",
            Watch(
                "AWS/Kafka",
                "ReplicationLatency",
                {"ReplicatorName": replicator},
                "Maximum",
                seconds * 1000,
                "notBreaching",
            ),
        ),
    }
    for construct_id, (store, watch) in watches.items():
        alarm(
            scope,
            construct_id,
            name=f"{env.name}-{store}-replication-lag",
            description=f"{env.name}: {store} {behind}",
            watch=watch,
            topic=topic,
        )
    alarm(
        scope,
        "kafka_replicator_failure",
        name=f"{env.name}-kafka-replicator-failure",
        description=f"{env.name}: the MSK Replicator from {standby.primary} reports failures",
        watch=Watch(
            "AWS/Kafka",
            "ReplicatorFailure",
            {"ReplicatorName": replicator},
            "Sum",
            0,
            "notBreaching",
            failures=True,
        ),
        topic=topic,
    )


def replica_latency_alarm(
    scope: Construct,
    *,
    env: EnvironmentConfig,
    source_bucket: str,
    replica_bucket: str,
    rule_id: str,
    topic: str,
) -> None:
    """In the standby's (the destination's) region: S3 ``ReplicationLatency`` of the backups bucket's
    replication above the recovery point (S3 user guide, "Replication metrics": published in the
    destination's region). Missing data is not breaching: a gap in reporting is not lag, and failures have
    their own alarm in the source's region."""
    assert env.standby is not None
    alarm(
        scope,
        "backups_replication_latency",
        name=f"{env.name}-backups-replication-latency",
        description=f"{env.name}: backups from {env.standby.primary} replicate over "
        f"{env.standby.max_lag_minutes} minutes late",
        watch=Watch(
            "AWS/S3",
            "ReplicationLatency",
            {"SourceBucket": source_bucket, "DestinationBucket": replica_bucket, "RuleId": rule_id},
            "Maximum",
            env.standby.max_lag_minutes * 60,
            "notBreaching",
        ),
        topic=topic,
    )


def source_failure_alarms(
    scope: Construct, *, env: EnvironmentConfig, standby: EnvironmentConfig, topic: str
) -> None:
    """In the primary's (the source's) region, where AWS publishes them: objects of the backups bucket S3
    failed to replicate to ``standby``'s replica (``OperationsFailedReplication``), and AWS Backup copy
    jobs into ``standby``'s copies vault that failed (``NumberOfCopyJobsFailed``, dimension the destination
    vault; AWS Backup developer guide, "Monitoring with CloudWatch"). Both publish nothing while nothing
    fails."""
    account = env.location.account_id
    source = f"{PROJECT}-{env.name}-backups-{account}"
    replica = f"{PROJECT}-{standby.name}-{env.name}-backups-{account}"
    watches = {
        "backups_replication_failures": (
            f"{env.name}-backups-replication-failures",
            f"objects of {source} failed to replicate to {standby.name}",
            Watch(
                "AWS/S3",
                "OperationsFailedReplication",
                {
                    "SourceBucket": source,
                    "DestinationBucket": replica,
                    "RuleId": replication_rule_id(standby.location.region),
                },
                "Sum",
                0,
                "notBreaching",
                failures=True,
            ),
        ),
    }
    if env.backup.copy_region == standby.location.region:
        watches["backup_copy_failures"] = (
            f"{env.name}-backup-copy-failures",
            f"database snapshots failed to copy to {standby.name}",
            Watch(
                "AWS/Backup",
                "NumberOfCopyJobsFailed",
                {"BackupVaultName": copies_vault(env.name)},
                "Sum",
                0,
                "notBreaching",
                failures=True,
                period=BACKUP_METRIC_SECONDS,
            ),
        )
    for construct_id, (name, what, watch) in watches.items():
        alarm(scope, construct_id, name=name, description=f"{env.name}: {what}", watch=watch, topic=topic)


def copies_vault(primary: str) -> str:
    """The vault a standby keeps for ``primary``'s copied snapshots."""
    return f"{primary}-copies"


def alerts_topic(env: EnvironmentConfig) -> str:
    """The ARN of ``env``'s alerts topic (its name is fixed: ``<env>-alerts`` in its region)."""
    return f"arn:aws:sns:{env.location.region}:{env.location.account_id}:{resource_name(env.name, 'alerts')}"

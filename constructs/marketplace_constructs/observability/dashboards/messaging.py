"""Message Queue: consumer lag, throughput, consumer groups and broker health of the Amazon MSK cluster, from
MSK open monitoring: the brokers' JMX exporter (port 11001) and node exporter (port 11002).

Metric names. MSK's JMX exporter exports without renaming rules, so names follow the Prometheus JMX exporter's
default format, ``<domain>_<type>_<attribute>`` with the MBean's other keys as labels, case kept
(https://prometheus.github.io/jmx_exporter/configuration/rules). The meter ``kafka.server:type=
BrokerTopicMetrics,name=MessagesInPerSec,topic=T`` is ``kafka_server_BrokerTopicMetrics_Count{name=
"MessagesInPerSec", topic="T"}``, a counter (the series without ``topic`` is the broker's total), and the
consumer-lag MBean ``kafka.consumer.group:type=ConsumerLagMetrics`` is
``kafka_consumer_group_ConsumerLagMetrics_Value`` with ``groupId``, ``topic`` and ``name`` (SumOffsetLag,
MaxOffsetLag, EstimatedMaxTimeLag, OffsetLag, EstimatedTimeLag). Ports and the lag MBean:
https://docs.aws.amazon.com/msk/latest/developerguide/prometheus-metrics.html; the lag metrics, emitted only
for groups that are STABLE or EMPTY and have committed an offset:
https://docs.aws.amazon.com/msk/latest/developerguide/consumer-lag.html. Public MSK dashboards query the same
names.

Several brokers may report the same group's lag, so lag is taken as the maximum across brokers, never summed.
The brokers' node-exporter series share their names with the cluster nodes'; they are told apart by MSK's
fixed port in ``instance``.
"""

from __future__ import annotations

from typing import Final

from marketplace_constructs.observability.alerts import NODE_FILESYSTEMS
from marketplace_constructs.observability.dashboards._grafana import (
    Dashboard,
    Query,
    Section,
    board,
    stat,
    timeseries,
)

LAG: Final = "kafka_consumer_group_ConsumerLagMetrics_Value"
TOPICS: Final = "kafka_server_BrokerTopicMetrics_Count"
BROKER_NODES: Final = 'instance=~".+:11002"'  # MSK's node exporter port
BY_GROUP: Final = "{{groupId}} {{topic}}"
BY_BROKER: Final = "{{instance}}"


def _lag(name: str) -> str:
    return f'max by (groupId, topic) ({LAG}{{name="{name}"}})'


def _per_topic(name: str) -> str:
    return f'sum by (topic) (rate({TOPICS}{{name="{name}", topic!=""}}[$__rate_interval]))'


def _partitions(mbean: str, name: str) -> Query:
    return Query(f'sum({mbean}{{name="{name}"}})')


def _overview() -> Section:
    problems = ((None, "green"), (1, "red"))
    return Section(
        "Overview",
        (
            stat(
                "Consumer groups",
                "short",
                Query(f'count(count by (groupId) ({LAG}{{name="SumOffsetLag"}}))'),
                description="Groups MSK reports lag for: STABLE or EMPTY ones that have committed an offset.",
            ),
            stat("Total consumer lag", "short", Query(f"sum({_lag('SumOffsetLag')})")),
            stat(
                "Under-replicated partitions",
                "short",
                _partitions("kafka_server_ReplicaManager_Value", "UnderReplicatedPartitions"),
                thresholds=problems,
            ),
            stat(
                "Offline partitions",
                "short",
                _partitions("kafka_controller_KafkaController_Value", "OfflinePartitionsCount"),
                thresholds=problems,
            ),
        ),
    )


def _lag_section() -> Section:
    return Section(
        "Consumer lag",
        (
            timeseries(
                "Lag (messages)",
                "short",
                Query(_lag("SumOffsetLag"), BY_GROUP),
                description="Messages not yet consumed, summed over the topic's partitions.",
                width=8,
            ),
            timeseries(
                "Worst partition lag (messages)",
                "short",
                Query(_lag("MaxOffsetLag"), BY_GROUP),
                description="The most messages any one partition is behind: a stuck consumer shows here.",
                width=8,
            ),
            timeseries(
                "Estimated time lag",
                "s",
                Query(_lag("EstimatedMaxTimeLag"), BY_GROUP),
                description="How far behind the slowest partition's consumer is, in time.",
                width=8,
            ),
        ),
    )


def _throughput() -> Section:
    return Section(
        "Throughput",
        (
            timeseries(
                "Messages in per topic", "ops", Query(_per_topic("MessagesInPerSec"), "{{topic}}"), width=8
            ),
            timeseries("Bytes in per topic", "Bps", Query(_per_topic("BytesInPerSec"), "{{topic}}"), width=8),
            timeseries(
                "Bytes out per topic",
                "Bps",
                Query(_per_topic("BytesOutPerSec"), "{{topic}}"),
                description="What consumers (and replicas) fetched.",
                width=8,
            ),
        ),
    )


def _brokers() -> Section:
    filesystems = (
        f"node_filesystem_avail_bytes{{{BROKER_NODES}, {NODE_FILESYSTEMS}}} "
        f"/ node_filesystem_size_bytes{{{BROKER_NODES}, {NODE_FILESYSTEMS}}}"
    )
    idle = f'rate(node_cpu_seconds_total{{{BROKER_NODES}, mode="idle"}}[$__rate_interval])'
    return Section(
        "Brokers",
        (
            timeseries("Broker CPU used", "percentunit", Query(f"1 - avg by (instance) ({idle})", BY_BROKER)),
            timeseries(
                "Broker fullest filesystem",
                "percentunit",
                Query(f"max by (instance) (1 - {filesystems})", BY_BROKER),
                description="MSK storage: a broker whose data volume fills stops accepting writes.",
            ),
        ),
    )


def dashboard() -> Dashboard:
    """The Message Queue dashboard."""
    return board(
        folder="Messaging",
        uid="marketplace-message-queue",
        title="Message Queue",
        description="Kafka (MSK) consumer lag, throughput, consumer groups and broker health.",
        sections=(_overview(), _lag_section(), _throughput(), _brokers()),
    )

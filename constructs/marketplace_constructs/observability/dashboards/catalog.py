"""Where every metric comes from: each metric a dashboard or an alert rule queries, mapped to the components
of this project that produce it, so a query naming a metric nothing here exports fails a test, not a night.

Exporter settings the metrics depend on (the integrator sets them):

- kube-state-metrics: ``kube_node_labels`` carries the node-group labels only with
  ``KUBE_STATE_METRICS_LABELS_ALLOWLIST`` as ``kube-state-metrics.metricLabelsAllowlist``
  (kube-prometheus-stack values).
- postgres-exporter: default collectors only; its database user needs the ``pg_monitor`` role to see other
  sessions and the replicas (``pg_stat_activity``, ``pg_stat_replication``). Per-statement timings would need
  ``--collector.stat_statements`` (chart ``config.extraArgs``) and the pg_stat_statements extension; the
  dashboards do without (see ``database.py``).
- MSK: open monitoring with both the JMX exporter (port 11001) and the node exporter (port 11002) on, scraped
  with the default ``instance`` label (host:port).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from marketplace_constructs.observability.alerts import recording_rules
from marketplace_constructs.observability.dashboards.contract import CONTRACT


class Producer(enum.StrEnum):
    """The components of this project that export metrics Prometheus scrapes (or, for the recording rules and
    the contract, that Prometheus and the services produce themselves)."""

    ISTIO_PROXY = "istio-proxy"
    NODE_EXPORTER = "node-exporter"
    KUBE_STATE_METRICS = "kube-state-metrics"
    CADVISOR = "kubelet/cAdvisor"
    POSTGRES_EXPORTER = "postgres-exporter"
    REDIS_EXPORTER = "redis-exporter"
    MSK_JMX_EXPORTER = "msk-jmx-exporter"
    MSK_NODE_EXPORTER = "msk-node-exporter"
    RECORDING_RULE = "recording-rule (marketplace-alerts)"
    SERVICES_CONTRACT = "services-contract"


# node-exporter's metrics that both the cluster's nodes and MSK's brokers export.
_NODE_METRICS: Final = (
    "node_cpu_seconds_total",
    "node_filesystem_avail_bytes",
    "node_filesystem_size_bytes",
)

_PRODUCED: Final[Mapping[Producer, tuple[str, ...]]] = {
    Producer.ISTIO_PROXY: ("istio_requests_total", "istio_request_duration_milliseconds_bucket"),
    Producer.NODE_EXPORTER: (
        *_NODE_METRICS,
        "node_memory_MemAvailable_bytes",
        "node_memory_MemTotal_bytes",
        "node_network_receive_bytes_total",
        "node_network_transmit_bytes_total",
    ),
    Producer.KUBE_STATE_METRICS: (
        "kube_node_labels",
        "kube_pod_info",
        "kube_deployment_status_replicas_available",
    ),
    Producer.CADVISOR: ("container_cpu_usage_seconds_total", "container_memory_working_set_bytes"),
    Producer.POSTGRES_EXPORTER: (
        "pg_settings_max_connections",  # collector settings
        "pg_stat_database_numbackends",  # collector stat_database, and the rest of its counters
        "pg_stat_database_xact_commit",
        "pg_stat_database_xact_rollback",
        "pg_stat_database_blks_hit",
        "pg_stat_database_blks_read",
        "pg_stat_database_deadlocks",
        "pg_stat_database_temp_files",
        "pg_stat_activity_count",  # collector stat_activity
        "pg_stat_activity_max_tx_duration",
        "pg_stat_replication_pg_wal_lsn_diff",  # collector stat_replication
        "pg_replication_lag_seconds",  # collector replication
    ),
    Producer.REDIS_EXPORTER: (
        "redis_up",
        "redis_keyspace_hits_total",
        "redis_keyspace_misses_total",
        "redis_memory_used_bytes",
        "redis_memory_max_bytes",
        "redis_evicted_keys_total",
        "redis_expired_keys_total",
        "redis_connected_clients",
        "redis_rejected_connections_total",
        "redis_commands_processed_total",
        "redis_db_keys",
    ),
    Producer.MSK_JMX_EXPORTER: (
        "kafka_consumer_group_ConsumerLagMetrics_Value",
        "kafka_server_BrokerTopicMetrics_Count",
        "kafka_server_ReplicaManager_Value",
        "kafka_controller_KafkaController_Value",
    ),
    Producer.MSK_NODE_EXPORTER: _NODE_METRICS,
    Producer.RECORDING_RULE: tuple(rule["record"] for rule in recording_rules()),
    Producer.SERVICES_CONTRACT: tuple(series for metric in CONTRACT for series in metric.series),
}


def _by_metric() -> Mapping[str, frozenset[Producer]]:
    producers: dict[str, set[Producer]] = {}
    for producer, metrics in _PRODUCED.items():
        for metric in metrics:
            producers.setdefault(metric, set()).add(producer)
    return MappingProxyType({metric: frozenset(found) for metric, found in sorted(producers.items())})


# Metric name -> the components that produce it (two only for the node-exporter metrics MSK brokers share).
CATALOG: Final = _by_metric()

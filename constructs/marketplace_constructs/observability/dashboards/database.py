"""Database Performance: connections against ``max_connections``, slow work, throughput and replication of the
RDS PostgreSQL 15 database, from postgres_exporter v0.20.1 (chart prometheus-postgres-exporter 8.2.0) with its
default collectors only.

Slow queries. Per-statement timings need the stat_statements collector, which is off by default
(``--collector.stat_statements``, plus ``CREATE EXTENSION pg_stat_statements``), and its ``queryid`` label
grows with every distinct statement. The dashboard uses the default stat_activity collector instead:
``pg_stat_activity_max_tx_duration`` is, per database and state, the age of the oldest open transaction, so a
slow query shows as a long ``active`` transaction, and a client holding a transaction open (and its locks) as
a long ``idle in transaction``. For both, the exporter's user needs the ``pg_monitor`` role: without it,
PostgreSQL hides other users' sessions.

Replication. A Multi-AZ DB instance replicates below PostgreSQL, so its standby is invisible here; the panels
show read replicas (``pg_stat_replication``, on the primary) and, when the exporter watches a replica, its
replay lag.
"""

from __future__ import annotations

from typing import Final

from marketplace_constructs.observability.dashboards._grafana import (
    Dashboard,
    Query,
    Section,
    board,
    gauge,
    timeseries,
)
from marketplace_constructs.observability.thresholds import AlertThresholds

DATABASES: Final = 'datname!~"template0|template1|rdsadmin"'  # RDS's own and the templates
BACKENDS: Final = f"sum(pg_stat_database_numbackends{{{DATABASES}}})"
MAX_CONNECTIONS: Final = "max(pg_settings_max_connections)"
POOL_LIMIT: Final = AlertThresholds().connection_pool_percent / 100  # DatabaseConnectionPoolExhausted
BY_DATABASE: Final = "{{datname}}"


def _rate(metric: str) -> str:
    return f"sum by (datname) (rate({metric}{{{DATABASES}}}[$__rate_interval]))"


def _connections() -> Section:
    return Section(
        "Connections",
        (
            gauge(
                "Connections in use",
                "percentunit",
                Query(f"{BACKENDS} / {MAX_CONNECTIONS}"),
                maximum=1,
                thresholds=((None, "green"), (POOL_LIMIT, "red")),
                description="Backends of max_connections; red from the pool-exhausted alert's threshold.",
            ),
            timeseries(
                "Connections",
                "short",
                Query(f"sum by (datname) (pg_stat_database_numbackends{{{DATABASES}}})", BY_DATABASE),
                Query(MAX_CONNECTIONS, "max_connections"),
                width=9,
            ),
            timeseries(
                "Connections by state",
                "short",
                Query(f"sum by (state) (pg_stat_activity_count{{{DATABASES}}})", "{{state}}"),
                width=9,
            ),
        ),
    )


def _slow() -> Section:
    oldest = "max by (datname) (pg_stat_activity_max_tx_duration{{{0}, state{1}}})"
    return Section(
        "Slow work",
        (
            timeseries(
                "Longest running active transaction",
                "s",
                Query(oldest.format(DATABASES, '="active"'), BY_DATABASE),
                description="Age of the oldest transaction running a statement: a slow query shows here.",
            ),
            timeseries(
                "Longest idle transaction",
                "s",
                Query(oldest.format(DATABASES, '=~"idle in transaction.*"'), BY_DATABASE),
                description="Age of the oldest transaction a client holds open without running anything.",
            ),
        ),
    )


def _throughput() -> Section:
    hits = _rate("pg_stat_database_blks_hit")
    reads = _rate("pg_stat_database_blks_read")
    return Section(
        "Throughput",
        (
            timeseries(
                "Transactions per second",
                "ops",
                Query(_rate("pg_stat_database_xact_commit"), f"{BY_DATABASE} commits"),
                Query(_rate("pg_stat_database_xact_rollback"), f"{BY_DATABASE} rollbacks"),
                width=8,
            ),
            timeseries(
                "Buffer cache hit ratio",
                "percentunit",
                Query(f"{hits} / ({hits} + {reads})", BY_DATABASE),
                width=8,
            ),
            timeseries(
                "Deadlocks and temporary files",
                "ops",
                Query(_rate("pg_stat_database_deadlocks"), f"{BY_DATABASE} deadlocks"),
                Query(_rate("pg_stat_database_temp_files"), f"{BY_DATABASE} temp files"),
                description="Temporary files: queries whose sorts or hashes outgrew work_mem.",
                width=8,
            ),
        ),
    )


def _replication() -> Section:
    return Section(
        "Replication",
        (
            timeseries(
                "Replica lag behind the primary",
                "bytes",
                Query(
                    "max by (application_name) (pg_stat_replication_pg_wal_lsn_diff)", "{{application_name}}"
                ),
                description="WAL the primary has written that each read replica has not replayed yet.",
            ),
            timeseries(
                "Replay lag (on a replica)",
                "s",
                Query("max(pg_replication_lag_seconds)", "replay lag"),
                description="0 on a primary; on a replica, the age of the last transaction it replayed.",
            ),
        ),
    )


def dashboard() -> Dashboard:
    """The Database Performance dashboard."""
    return board(
        folder="Databases",
        uid="marketplace-database-performance",
        title="Database Performance",
        description="PostgreSQL connections against max_connections, slow work, throughput and replication.",
        sections=(_connections(), _slow(), _throughput(), _replication()),
    )

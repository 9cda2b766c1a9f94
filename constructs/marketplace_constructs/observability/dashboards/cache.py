"""Cache: hit rate, memory, evictions, clients and load of the ElastiCache Redis replication group, from
oliver006/redis_exporter v1.89.0 (chart prometheus-redis-exporter 6.29.0), whose metrics all come from INFO.

The exporter watches the primary endpoint, so reads served by replicas are not in the hit rate.
"""

from __future__ import annotations

from typing import Final

from marketplace_constructs.observability.dashboards._grafana import (
    Dashboard,
    Query,
    Section,
    board,
    stat,
    timeseries,
)

BY_INSTANCE: Final = "{{instance}}"


def _rate(metric: str) -> str:
    return f"sum by (instance) (rate({metric}[$__rate_interval]))"


HITS: Final = _rate("redis_keyspace_hits_total")
MISSES: Final = _rate("redis_keyspace_misses_total")
HIT_RATE: Final = f"{HITS} / ({HITS} + {MISSES})"
# maxmemory 0 means no limit; the comparison drops those series rather than divide by zero.
MEMORY_USE: Final = "redis_memory_used_bytes / (redis_memory_max_bytes > 0)"


def _overview() -> Section:
    return Section(
        "Overview",
        (
            stat("Up", "short", Query("min(redis_up)"), thresholds=((None, "red"), (1, "green"))),
            stat(
                "Hit rate",
                "percentunit",
                Query(HIT_RATE, BY_INSTANCE),
                thresholds=((None, "red"), (0.8, "orange"), (0.9, "green")),
            ),
            stat(
                "Memory used of maxmemory",
                "percentunit",
                Query(MEMORY_USE, BY_INSTANCE),
                thresholds=((None, "green"), (0.8, "orange"), (0.9, "red")),
            ),
            stat(
                "Evictions (range)",
                "short",
                Query("sum(increase(redis_evicted_keys_total[$__range]))"),
                description="Keys dropped to make room: any means the working set outgrew the cache.",
                thresholds=((None, "green"), (1, "orange")),
            ),
        ),
    )


def _detail() -> Section:
    return Section(
        "Detail",
        (
            timeseries("Hit rate", "percentunit", Query(HIT_RATE, BY_INSTANCE)),
            timeseries(
                "Memory",
                "bytes",
                Query("sum by (instance) (redis_memory_used_bytes)", f"{BY_INSTANCE} used"),
                Query("sum by (instance) (redis_memory_max_bytes)", f"{BY_INSTANCE} maxmemory"),
            ),
            timeseries(
                "Evicted and expired keys",
                "ops",
                Query(_rate("redis_evicted_keys_total"), f"{BY_INSTANCE} evicted"),
                Query(_rate("redis_expired_keys_total"), f"{BY_INSTANCE} expired"),
            ),
            timeseries(
                "Clients",
                "short",
                Query("sum by (instance) (redis_connected_clients)", f"{BY_INSTANCE} connected"),
                Query(
                    f"{_rate('redis_rejected_connections_total')} * 60", f"{BY_INSTANCE} rejected per minute"
                ),
            ),
            timeseries(
                "Commands per second", "ops", Query(_rate("redis_commands_processed_total"), BY_INSTANCE)
            ),
            timeseries("Keys", "short", Query("sum by (db) (redis_db_keys)", "{{db}}")),
        ),
    )


def dashboard() -> Dashboard:
    """The Cache dashboard."""
    return board(
        folder="Cache",
        uid="marketplace-cache",
        title="Cache",
        description="Redis hit rate, memory against maxmemory, evictions, clients and load.",
        sections=(_overview(), _detail()),
    )

"""All six dashboards: the services first, then what they run on and with, then the business."""

from __future__ import annotations

from collections.abc import Sequence

from marketplace_constructs.observability.dashboards import (
    business,
    cache,
    database,
    infrastructure,
    messaging,
    service_overview,
)
from marketplace_constructs.observability.dashboards._grafana import Dashboard


def dashboards(services: Sequence[str]) -> tuple[Dashboard, ...]:
    """The six dashboards, each in its own folder, the service overview offering ``services`` (namespaces);
    the same output on every call (nothing in them depends on time, chance or the environment)."""
    return (
        service_overview.dashboard(services),
        *(area.dashboard() for area in (infrastructure, database, cache, messaging, business)),
    )

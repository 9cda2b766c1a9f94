"""All six dashboards: the services first, then what they run on and with, then the business."""

from __future__ import annotations

from marketplace_constructs.observability.dashboards import (
    business,
    cache,
    database,
    infrastructure,
    messaging,
    service_overview,
)
from marketplace_constructs.observability.dashboards._grafana import Dashboard


def dashboards() -> tuple[Dashboard, ...]:
    """The six dashboards, each in its own folder; the same output on every call (nothing in them depends on
    time, chance or the environment)."""
    return tuple(
        area.dashboard() for area in (service_overview, infrastructure, database, cache, messaging, business)
    )

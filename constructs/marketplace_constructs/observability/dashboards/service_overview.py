"""Service Overview: traffic, latency, errors and the availability objective of each marketplace service,
from the Istio sidecars' metrics (reporter destination: what the service's own proxy saw), plus the pods'
saturation.

The error ratio, thresholds and burn-rate windows are the alert rules' own (``alerts.py``), so a line crossing
a threshold here is the alert firing there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from marketplace_constructs.observability.alerts import BURN_RATES, BY, LATENCY, RATIO, REQUESTS, error_ratio
from marketplace_constructs.observability.dashboards._grafana import (
    Dashboard,
    Query,
    Section,
    board,
    stat,
    timeseries,
    variable,
)
from marketplace_constructs.observability.thresholds import AlertThresholds

THRESHOLDS: Final = AlertThresholds()
SELECTED: Final = 'destination_service_namespace=~"$service"'
NAMESPACES: Final = 'namespace=~"$service"'
LEGEND: Final = "{{destination_service_namespace}}"
QUANTILES: Final = (0.5, 0.95, 0.99)
# The burn-rate alerts' long windows, and their rates as dashed lines (red: pages, orange: warns).
BURN_WINDOWS: Final = tuple(long for _, _, _, long, _, _ in BURN_RATES)
BURN_LINES: Final = tuple(
    sorted((rate, "red" if severity == "critical" else "orange") for _, severity, rate, *_ in BURN_RATES)
)


def _selected(series: str, *matchers: str) -> str:
    """``series`` (a selector ending in ``}``) narrowed by ``matchers`` to the chosen services."""
    return f"{series[:-1]}, {', '.join((*matchers, SELECTED))}}}"


def _over_range(requests: str) -> str:
    return f"sum by ({BY}) (increase({requests}[$__range]))"


def _latency(quantile: float) -> Query:
    buckets = f'{LATENCY}{{reporter="destination", {SELECTED}}}'
    expr = f"histogram_quantile({quantile:g}, sum by (le, {BY}) (rate({buckets}[$__rate_interval])))"
    return Query(expr, f"{LEGEND} p{quantile * 100:g}")


def _traffic() -> Section:
    requests = _selected(REQUESTS)
    good = _selected(REQUESTS, 'response_code!~"5.."')
    t = THRESHOLDS
    return Section(
        "Traffic and errors",
        (
            timeseries(
                "Requests per second",
                "reqps",
                Query(f"sum by ({BY}) (rate({requests}[$__rate_interval]))", LEGEND),
            ),
            timeseries(
                "Error ratio (5xx)",
                "percentunit",
                Query(error_ratio("$__rate_interval", f", {SELECTED}"), LEGEND),
                description="Share of requests answered 5xx; dashed: the alerts' warning and critical level.",
                thresholds=(
                    (t.warning_error_rate_percent / 100, "orange"),
                    (t.critical_error_rate_percent / 100, "red"),
                ),
            ),
            stat(
                f"Availability over the range (objective {t.availability_percent:g} %)",
                "percentunit",
                Query(f"{_over_range(good)} / {_over_range(requests)}", LEGEND),
                description="Share of requests not answered 5xx over the dashboard's time range.",
                width=24,
                thresholds=((None, "red"), (t.availability_percent / 100, "green")),
            ),
        ),
    )


def _latency_section() -> Section:
    t = THRESHOLDS
    return Section(
        "Latency",
        (
            timeseries(
                "Request latency p50 / p95 / p99",
                "ms",
                *(_latency(q) for q in QUANTILES),
                description="Dashed: the p95 warning and critical alert thresholds.",
                width=24,
                thresholds=((t.warning_p95_ms, "orange"), (t.critical_p95_ms, "red")),
            ),
        ),
    )


def _objective() -> Section:
    budget = THRESHOLDS.error_budget
    hourly = f'{RATIO.format(window="1h")}{{service=~"$service"}}'
    return Section(
        f"Error budget ({THRESHOLDS.availability_percent:g} % availability, 30 days)",
        (
            stat(
                "Error budget left (30 days)",
                "percentunit",
                Query(f"1 - avg_over_time({hourly}[30d]) / {budget:g}", "{{service}}"),
                description=(
                    "1 - the 30-day mean of the recorded hourly error ratio over the budget "
                    f"({budget:g}); every hour weighs the same, whatever its traffic. Below 0: the objective "
                    "is missed. No data: the service has answered no 5xx since its pods started."
                ),
                width=24,
                thresholds=((None, "red"), (0.25, "orange"), (0.5, "green")),
            ),
            timeseries(
                "Error budget burn rate",
                "short",
                *(
                    Query(
                        f'{RATIO.format(window=window)}{{service=~"$service"}} / {budget:g}',
                        f"{{{{service}}}} {window}",
                    )
                    for window in BURN_WINDOWS
                ),
                description=(
                    "Error ratio over each burn-rate alert's long window, in budgets: 1 spends the budget in "
                    "exactly 30 days. Dashed: the alerts' burn rates (red pages, orange warns)."
                ),
                width=24,
                thresholds=BURN_LINES,
            ),
        ),
    )


def _saturation() -> Section:
    containers = f'{NAMESPACES}, container!=""'  # container="" is the pod's own cgroup, a sum of the rest
    cpu = f"rate(container_cpu_usage_seconds_total{{{containers}}}[$__rate_interval])"
    return Section(
        "Saturation",
        (
            timeseries(
                "CPU used (cores)",
                "short",
                Query(f"sum by (namespace) ({cpu})", "{{namespace}}"),
                width=8,
            ),
            timeseries(
                "Memory working set",
                "bytes",
                Query(
                    f"sum by (namespace) (container_memory_working_set_bytes{{{containers}}})",
                    "{{namespace}}",
                ),
                width=8,
            ),
            timeseries(
                "Available replicas",
                "short",
                Query(
                    f"sum by (namespace) (kube_deployment_status_replicas_available{{{NAMESPACES}}})",
                    "{{namespace}}",
                ),
                width=8,
            ),
        ),
    )


def dashboard(services: Sequence[str]) -> Dashboard:
    """The Service Overview dashboard, filtered by the ``service`` variable (all four by default)."""
    return board(
        folder="Services",
        uid="marketplace-service-overview",
        title="Service Overview",
        description="Rate, errors, latency and the availability objective of each marketplace service.",
        variables=(
            variable(
                "service",
                "Service",
                REQUESTS,
                "destination_service_namespace",
                regex=f"/^({'|'.join(services)})$/",
            ),
        ),
        sections=(_traffic(), _latency_section(), _objective(), _saturation()),
    )

"""The alert rules of the reference design as Prometheus rule groups, generated from AlertThresholds.

What each alert means, in PromQL over metrics this project deploys (the README repeats it):

- ServiceDown (critical): a service's Deployments have no available replica for ``service_down_minutes``
  (kube-state-metrics ``kube_deployment_status_replicas_available``).
- ServiceErrorRateHigh (critical above 1 %, warning above 0.5 %, for 5 minutes): the share of 5xx responses
  among the requests a service's sidecars received (Istio ``istio_requests_total``, reporter destination).
- ServiceLatencyHigh (critical above 1 s, warning above 500 ms, for 5 minutes): the p95 of the same requests
  (Istio ``istio_request_duration_milliseconds_bucket``).
- DatabaseConnectionPoolExhausted (critical, 5 minutes): PostgreSQL backends at ``connection_pool_percent``
  of ``max_connections`` (postgres_exporter ``pg_stat_database_numbackends``,
  ``pg_settings_max_connections``).
- NodeDiskUsageHigh, NodeMemoryUsageHigh (warning, 15 minutes): node-exporter filesystem and memory use.
- ErrorBudgetBurnRateHigh: multi-window, multi-burn-rate alerts on the availability objective (Google SRE
  workbook, "Alerting on SLOs"): 14.4x over 1 h and 5 m, 6x over 6 h and 30 m (critical); 3x over 1 d and
  2 h, 1x over 3 d and 6 h (warning).

Every service-level alert carries a ``service`` label (the service's namespace), so Alertmanager groups by
alert and service, and a warning and its critical share an alert name, so the critical one inhibits it.
"""

from __future__ import annotations

from typing import Any, Final

from marketplace_constructs.observability.thresholds import AlertThresholds, ServiceObjective

BY: Final = "destination_service_namespace, destination_service_name"
REQUESTS: Final = 'istio_requests_total{reporter="destination"}'
ERRORS: Final = 'istio_requests_total{reporter="destination", response_code=~"5.."}'
LATENCY: Final = "istio_request_duration_milliseconds_bucket"
WINDOWS: Final = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
RATIO: Final = "marketplace:service_error_ratio:rate{window}"
# (name, severity, burn rate, long window, short window, for): the SRE workbook's table for a 30-day budget.
BURN_RATES: Final = (
    ("fast", "critical", 14.4, "1h", "5m", "2m"),
    ("medium", "critical", 6, "6h", "30m", "15m"),
    ("slow", "warning", 3, "1d", "2h", "1h"),
    ("slowest", "warning", 1, "3d", "6h", "3h"),
)
NODE_FILESYSTEMS: Final = 'fstype!~"tmpfs|overlay|squashfs|nsfs"'
NODE_EXPORTER: Final = 'job="node-exporter"'  # the cluster's nodes, not MSK's brokers (job msk-node)
SERVICE: Final = "{{ $labels.service }}"  # alert templates, expanded by Prometheus
INSTANCE: Final = "{{ $labels.instance }}"


def as_service(expression: str, source: str = "destination_service_namespace") -> str:
    """``expression`` with a ``service`` label copied from ``source`` (each service has its namespace)."""
    return f'label_replace({expression}, "service", "$1", "{source}", "(.*)")'


def error_ratio(window: str, selector: str = "") -> str:
    """Share of 5xx responses per service over ``window``: 0, not absent, while a service answers without a
    5xx (no error series exists then), so averages over the ratio count the good time too."""
    errors = ERRORS.replace("}", f"{selector}}}")
    requests = REQUESTS.replace("}", f"{selector}}}")
    total = f"sum by ({BY}) (rate({requests}[{window}]))"
    return f"(sum by ({BY}) (rate({errors}[{window}])) or {total} * 0) / {total}"


def p95_ms(selector: str = "") -> str:
    """p95 request latency per service, in milliseconds, over 5 minutes."""
    return (
        f"histogram_quantile(0.95, sum by (le, {BY}) "
        f'(rate({LATENCY}{{reporter="destination"{selector}}}[5m])))'
    )


def _alert(
    name: str, expression: str, duration: str, severity: str, summary: str, **labels: str
) -> dict[str, Any]:
    return {
        "alert": name,
        "expr": expression,
        "for": duration,
        "labels": {"severity": severity, **labels},
        "annotations": {"summary": summary},
    }


def reference_alerts(
    thresholds: AlertThresholds, service_namespaces: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The eight alerts of the reference design."""
    t = thresholds
    services = "|".join(service_namespaces)
    available = f'sum by (namespace) (kube_deployment_status_replicas_available{{namespace=~"{services}"}})'
    backends = (
        "100 * sum by (instance) (pg_stat_database_numbackends) "
        "/ on (instance) max by (instance) (pg_settings_max_connections)"
    )
    filesystem_use = (
        f"100 * (1 - node_filesystem_avail_bytes{{{NODE_EXPORTER}, {NODE_FILESYSTEMS}}} "
        f"/ node_filesystem_size_bytes{{{NODE_EXPORTER}, {NODE_FILESYSTEMS}}})"
    )
    memory_use = (
        f"100 * (1 - node_memory_MemAvailable_bytes{{{NODE_EXPORTER}}} "
        f"/ node_memory_MemTotal_bytes{{{NODE_EXPORTER}}})"
    )
    ratio = as_service(error_ratio("5m"))
    latency = as_service(p95_ms())
    down = f"{as_service(available, 'namespace')} == 0"
    pool = t.connection_pool_percent
    errors = {"critical": t.critical_error_rate_percent, "warning": t.warning_error_rate_percent}
    latencies = {"critical": t.critical_p95_ms, "warning": t.warning_p95_ms}
    return [
        _alert(
            "ServiceDown", down, f"{t.service_down_minutes}m", "critical",
            f"{SERVICE} has no available replica",
        ),
        *(
            _alert(
                "ServiceErrorRateHigh", f"{ratio} > {percent / 100:g}", "5m", severity,
                f"{SERVICE} answers more than {percent:g} % errors",
            )
            for severity, percent in errors.items()
        ),
        *(
            _alert(
                "ServiceLatencyHigh", f"{latency} > {ms}", "5m", severity,
                f"{SERVICE} p95 latency above {ms} ms",
            )
            for severity, ms in latencies.items()
        ),
        _alert(
            "DatabaseConnectionPoolExhausted", f"{backends} >= {pool:g}", "5m", "critical",
            f"PostgreSQL connections at {pool:g} % of max_connections or more", service="postgresql",
        ),
        _alert(
            "NodeDiskUsageHigh", f"{filesystem_use} > {t.disk_usage_percent:g}", "15m", "warning",
            f"{INSTANCE} {{{{ $labels.mountpoint }}}} is more than {t.disk_usage_percent:g} % full",
        ),
        _alert(
            "NodeMemoryUsageHigh", f"{memory_use} > {t.memory_usage_percent:g}", "15m", "warning",
            f"{INSTANCE} uses more than {t.memory_usage_percent:g} % of its memory",
        ),
    ]  # fmt: skip


def burn_rate_alerts(thresholds: AlertThresholds) -> list[dict[str, Any]]:
    """Error-budget burn alerts over the recorded error ratios (see ``recording_rules``)."""
    budget = thresholds.error_budget
    return [
        _alert(
            "ErrorBudgetBurnRateHigh",
            f"{RATIO.format(window=long)} > {rate * budget:g} "
            f"and {RATIO.format(window=short)} > {rate * budget:g}",
            duration,
            severity,
            f"{SERVICE} burns its {thresholds.availability_percent:g} % error budget {rate:g}x too fast "
            f"({long} and {short})",
            window=name,
        )
        for name, severity, rate, long, short, duration in BURN_RATES
    ]  # fmt: skip


def recording_rules() -> list[dict[str, str]]:
    """The error ratio per service over every window the burn-rate alerts compare."""
    return [
        {"record": RATIO.format(window=window), "expr": as_service(error_ratio(window))} for window in WINDOWS
    ]


def objective_alerts(objectives: tuple[ServiceObjective, ...]) -> list[dict[str, Any]]:
    """One warning per service whose p95 exceeds its own objective for 5 minutes."""
    return [
        _alert(
            "ServiceLatencyObjectiveMissed", f"{as_service(p95_ms(_namespace(o)))} > {o.p95_ms}", "5m",
            "warning", f"{o.namespace} p95 latency above its {o.p95_ms} ms objective",
        )
        for o in objectives
    ]  # fmt: skip


def _namespace(objective: ServiceObjective) -> str:
    return f', destination_service_namespace="{objective.namespace}"'


def rule_groups(
    thresholds: AlertThresholds,
    service_namespaces: tuple[str, ...],
    objectives: tuple[ServiceObjective, ...] = (),
) -> list[dict[str, Any]]:
    """Every rule group: the recording rules, the reference alerts, the burn-rate alerts and, when given,
    each service's own latency objective."""
    groups = [
        {"name": "marketplace-error-ratios", "rules": recording_rules()},
        {"name": "marketplace-reference-alerts", "rules": reference_alerts(thresholds, service_namespaces)},
        {"name": "marketplace-error-budget", "rules": burn_rate_alerts(thresholds)},
    ]
    if objectives:
        groups.append({"name": "marketplace-service-objectives", "rules": objective_alerts(objectives)})
    return groups

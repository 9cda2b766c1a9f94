"""The generated alert rules, proven with the real promtool: every group passes ``check rules``, and unit
tests (input series written here) show each reference alert firing at its threshold after its ``for``
duration, and not firing below it or before it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from marketplace_constructs.observability.alerts import rule_groups
from marketplace_constructs.observability.thresholds import AlertThresholds, ServiceObjective
from tests.observability.tools import run_tool

SERVICES = ("publishing", "discovery", "consumption", "admin")


def service(name: str = "publishing") -> dict[str, str]:
    """Istio's destination labels of one service (its namespace and name are the same)."""
    return {"destination_service_namespace": name, "destination_service_name": name}


SERVICE = service()
SERVICE_LABELS = {**SERVICE, "service": "publishing"}


def selector(name: str, **labels: str) -> str:
    return name + "{" + ",".join(f'{key}="{value}"' for key, value in sorted(labels.items())) + "}"


def requests(errors_per_minute: int, total_per_minute: int = 1000) -> list[dict[str, str]]:
    """Counters of one service's requests: ``errors_per_minute`` 5xx out of ``total_per_minute``."""
    base = {"reporter": "destination", **SERVICE}
    return [
        {"series": selector("istio_requests_total", response_code="200", **base),
         "values": f"0+{total_per_minute - errors_per_minute}x240"},
        {"series": selector("istio_requests_total", response_code="500", **base),
         "values": f"0+{errors_per_minute}x240"},
    ]  # fmt: skip


def latency(bucket: str, name: str = "publishing") -> list[dict[str, str]]:
    """A histogram whose requests (100 a minute) all fall in the bucket ending at ``bucket`` ms."""
    bounds = ("100", "250", "500", "1000", "2500", "+Inf")
    histogram = "istio_request_duration_milliseconds_bucket"
    return [
        {
            "series": selector(histogram, le=le, reporter="destination", **service(name)),
            "values": "0+100x30" if bounds.index(le) >= bounds.index(bucket) else "0x30",
        }
        for le in bounds
    ]


def alert(severity: str, summary: str, **labels: str) -> dict[str, Any]:
    return {"exp_labels": {"severity": severity, **labels}, "exp_annotations": {"summary": summary}}


ERRORS_CRITICAL = "publishing answers more than 1 % errors"
ERRORS_WARNING = "publishing answers more than 0.5 % errors"
NODE = {"instance": "node-1", "job": "node-exporter"}
DISK = {**NODE, "mountpoint": "/", "fstype": "xfs", "device": "nvme0n1p1"}
BROKER_DISK = {**DISK, "job": "msk-node"}  # an MSK broker's node exporter: not a cluster node
POOL = {"instance": "postgres-exporter:9187"}

# name -> (input series, [(eval time, alert name, expected alerts)]); each reference alert above and below its
# threshold, and not before its `for` duration has passed.
SCENARIOS: dict[str, tuple[list[dict[str, str]], list[tuple[str, str, list[dict[str, Any]]]]]] = {
    "errors_1.2%_critical_and_warning": (requests(12), [
        ("3m", "ServiceErrorRateHigh", []),  # pending: 5 minutes not yet over
        ("10m", "ServiceErrorRateHigh", [
            alert("critical", ERRORS_CRITICAL, **SERVICE_LABELS),
            alert("warning", ERRORS_WARNING, **SERVICE_LABELS),
        ]),
    ]),
    "errors_0.7%_warning_only": (requests(7), [
        ("10m", "ServiceErrorRateHigh", [alert("warning", ERRORS_WARNING, **SERVICE_LABELS)]),
    ]),
    "errors_0.3%_nothing": (requests(3), [("10m", "ServiceErrorRateHigh", [])]),
    "p95_2.4s_critical_and_warning": (latency("2500"), [
        ("3m", "ServiceLatencyHigh", []),
        ("10m", "ServiceLatencyHigh", [
            alert("critical", "publishing p95 latency above 1000 ms", **SERVICE_LABELS),
            alert("warning", "publishing p95 latency above 500 ms", **SERVICE_LABELS),
        ]),
    ]),
    "p95_975ms_warning_only": (latency("1000"), [
        ("10m", "ServiceLatencyHigh", [
            alert("warning", "publishing p95 latency above 500 ms", **SERVICE_LABELS),
        ]),
    ]),
    "p95_490ms_nothing": (latency("500"), [("10m", "ServiceLatencyHigh", [])]),
    "service_down_3m_critical": (
        [{"series": selector("kube_deployment_status_replicas_available", namespace="publishing",
                             deployment="publishing"), "values": "0x10"}],
        [("1m", "ServiceDown", []), ("5m", "ServiceDown", [
            alert("critical", "publishing has no available replica", namespace="publishing",
                  service="publishing"),
        ])],
    ),
    "service_down_1m_nothing": (
        [{"series": selector("kube_deployment_status_replicas_available", namespace="publishing",
                             deployment="publishing"), "values": "1 1 0 1 1 1 1 1"}],
        [("5m", "ServiceDown", [])],
    ),
    "pool_97%_critical": (
        [{"series": selector("pg_stat_database_numbackends", datname="app", **POOL), "values": "580x12"},
         {"series": selector("pg_settings_max_connections", **POOL), "values": "600x12"}],
        [("3m", "DatabaseConnectionPoolExhausted", []), ("10m", "DatabaseConnectionPoolExhausted", [
            alert("critical", "PostgreSQL connections at 95 % of max_connections or more",
                  service="postgresql", **POOL),
        ])],
    ),
    "pool_93%_nothing": (
        [{"series": selector("pg_stat_database_numbackends", datname="app", **POOL), "values": "560x12"},
         {"series": selector("pg_settings_max_connections", **POOL), "values": "600x12"}],
        [("10m", "DatabaseConnectionPoolExhausted", [])],
    ),
    "disk_85%_warning": (
        [{"series": selector("node_filesystem_avail_bytes", **DISK), "values": "15x30"},
         {"series": selector("node_filesystem_size_bytes", **DISK), "values": "100x30"}],
        [("10m", "NodeDiskUsageHigh", []), ("20m", "NodeDiskUsageHigh", [
            alert("warning", "node-1 / is more than 80 % full", **DISK),
        ])],
    ),
    "msk_broker_disk_85%_not_a_node_alert": (
        [{"series": selector("node_filesystem_avail_bytes", **BROKER_DISK), "values": "15x30"},
         {"series": selector("node_filesystem_size_bytes", **BROKER_DISK), "values": "100x30"}],
        [("20m", "NodeDiskUsageHigh", [])],
    ),
    "disk_79%_nothing": (
        [{"series": selector("node_filesystem_avail_bytes", **DISK), "values": "21x30"},
         {"series": selector("node_filesystem_size_bytes", **DISK), "values": "100x30"}],
        [("20m", "NodeDiskUsageHigh", [])],
    ),
    "memory_90%_warning": (
        [{"series": selector("node_memory_MemAvailable_bytes", **NODE), "values": "10x30"},
         {"series": selector("node_memory_MemTotal_bytes", **NODE), "values": "100x30"}],
        [("10m", "NodeMemoryUsageHigh", []), ("20m", "NodeMemoryUsageHigh", [
            alert("warning", "node-1 uses more than 85 % of its memory", **NODE),
        ])],
    ),
    "memory_84%_nothing": (
        [{"series": selector("node_memory_MemAvailable_bytes", **NODE), "values": "16x30"},
         {"series": selector("node_memory_MemTotal_bytes", **NODE), "values": "100x30"}],
        [("20m", "NodeMemoryUsageHigh", [])],
    ),
    "budget_burning_24x_pages": (requests(12), [
        ("30m", "ErrorBudgetBurnRateHigh", [
            alert("critical", "publishing burns its 99.95 % error budget 14.4x too fast (1h and 5m)",
                  window="fast", **SERVICE_LABELS),
            alert("critical", "publishing burns its 99.95 % error budget 6x too fast (6h and 30m)",
                  window="medium", **SERVICE_LABELS),
        ]),
    ]),
    "budget_within_objective_nothing": (requests(0, 10000), [("30m", "ErrorBudgetBurnRateHigh", [])]),
    # p95 243 ms in both: only discovery has a 150 ms objective of its own (the rules file below).
    "own_objective_150ms_missed": ([*latency("250"), *latency("250", "discovery")], [
        ("3m", "ServiceLatencyObjectiveMissed", []),
        ("10m", "ServiceLatencyObjectiveMissed", [
            alert("warning", "discovery p95 latency above its 150 ms objective", **service("discovery"),
                  service="discovery"),
        ]),
    ]),
}  # fmt: skip


@pytest.fixture(scope="module")
def rules_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    objectives = (ServiceObjective(namespace="discovery", p95_ms=150),)
    groups = rule_groups(AlertThresholds(), SERVICES, objectives)
    path = tmp_path_factory.mktemp("rules") / "rules.yaml"
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    return path


def test_every_generated_rule_group_passes_promtool_check(rules_file: Path) -> None:
    result = run_tool("promtool", "check", "rules", str(rules_file))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 20 rules found" in result.stdout  # 7 recording, 8 reference, 4 burn-rate, 1 objective


def test_each_reference_alert_fires_at_its_threshold_after_its_for_and_not_below(rules_file: Path) -> None:
    tests = [
        {
            "name": name,
            "interval": "1m",
            "input_series": series,
            "alert_rule_test": [
                {"eval_time": at, "alertname": alertname, "exp_alerts": expected}
                for at, alertname, expected in checks
            ],
        }
        for name, (series, checks) in SCENARIOS.items()
    ]
    unit = rules_file.with_name("rules_test.yaml")
    unit.write_text(
        yaml.safe_dump({"rule_files": [rules_file.name], "evaluation_interval": "1m", "tests": tests})
    )
    result = run_tool("promtool", "test", "rules", str(unit))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def test_a_service_objective_tighter_than_the_reference_fires_on_its_own() -> None:
    groups = rule_groups(AlertThresholds(), SERVICES, (ServiceObjective(namespace="publishing", p95_ms=150),))
    (objective,) = next(g for g in groups if g["name"] == "marketplace-service-objectives")["rules"]
    assert (
        objective["expr"].endswith("> 150")
        and 'destination_service_namespace="publishing"' in objective["expr"]
    )

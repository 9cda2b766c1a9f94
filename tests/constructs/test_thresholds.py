"""AlertThresholds and ServiceObjective validation."""

from __future__ import annotations

import pytest

from marketplace_constructs import ConfigError
from marketplace_constructs.observability.thresholds import AlertThresholds, ServiceObjective


def test_defaults_are_the_reference_designs_numbers() -> None:
    t = AlertThresholds()
    assert (t.critical_error_rate_percent, t.warning_error_rate_percent) == (1.0, 0.5)
    assert (t.critical_p95_ms, t.warning_p95_ms, t.service_down_minutes) == (1000, 500, 2)
    assert (t.disk_usage_percent, t.memory_usage_percent) == (80.0, 85.0)
    assert t.error_budget == 0.0005


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"critical_error_rate_percent": 100.0},
            r"critical_error_rate_percent must be a percentage strictly ",
        ),
        (
            {"warning_error_rate_percent": 0.0},
            r"warning_error_rate_percent must be a percentage strictly between",
        ),
        ({"critical_p95_ms": 0}, r"AlertThresholds.critical_p95_ms must be a positive latency in ms, got 0"),
        ({"warning_p95_ms": 1000}, r"warning_p95_ms \(1000\) must be below critical_p95_ms \(1000\)"),
        ({"warning_error_rate_percent": 2.0}, r"warning_error_rate_percent \(2.0\) must be below critical"),
        ({"availability_percent": 100.0}, r"availability_percent must be at least 90 and below 100"),
        ({"service_down_minutes": 0}, r"service_down_minutes must be between 1 and 60 minutes"),
    ],
)
def test_thresholds_outside_their_sane_range_are_one_line_errors(
    overrides: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        AlertThresholds(**overrides)  # type: ignore[arg-type]


def test_a_service_objective_needs_a_namespace_and_a_positive_latency() -> None:
    with pytest.raises(
        ConfigError, match=r"ServiceObjective.p95_ms must be a positive latency in ms, got -5"
    ):
        ServiceObjective(namespace="publishing", p95_ms=-5)
    with pytest.raises(ConfigError, match=r"ServiceObjective.namespace must be a DNS-1123 label"):
        ServiceObjective(namespace="Publishing", p95_ms=300)

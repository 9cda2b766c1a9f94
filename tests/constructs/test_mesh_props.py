"""MeshProps validation and defaults."""

from __future__ import annotations

import pytest

from marketplace_constructs import ConfigError, MeshProps


def test_defaults_are_highly_available_registry_only_and_fully_sampled() -> None:
    props = MeshProps()
    assert (props.istiod_replicas, props.gateway_replicas, props.trace_sampling_percent) == (2, 3, 100.0)
    assert not props.allow_any_outbound and props.highly_available
    assert (props.collector_host, props.collector_port) == (
        "opentelemetry-collector.monitoring.svc.cluster.local", 4317
    )  # fmt: skip


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"trace_sampling_percent": 101.0},
            r"MeshProps.trace_sampling_percent must be between 0 and 100, got 101.0",
        ),
        (
            {"trace_sampling_percent": -1},
            r"MeshProps.trace_sampling_percent must be between 0 and 100, got -1",
        ),
        (
            {"gateway_replicas": 4, "gateway_max_replicas": 3},
            r"gateway_max_replicas \(3\) must be >= gateway_replicas",
        ),
        ({"istiod_replicas": 0}, r"MeshProps.istiod_replicas must be between 1 and 50, got 0"),
        ({"tracing_collector": "collector"}, r"MeshProps.tracing_collector must be a host:port"),
    ],
)
def test_bad_values_are_one_line_errors(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        MeshProps(**overrides)  # type: ignore[arg-type]

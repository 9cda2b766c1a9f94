"""MeshProps: Istio's size, tracing and outbound policy per environment (no provider imports)."""

from __future__ import annotations

from dataclasses import dataclass

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_pattern, check_range


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class MeshProps:
    """Istio control plane and ingress gateway.

    Attributes:
        istiod_replicas, istiod_max_replicas: istiod's HPA range; from 2 on, a PDB and zone spread keep one
            running through node drains and a zone outage. Default: 2, 5.
        gateway_replicas, gateway_max_replicas: The ingress gateway's HPA range (staging, production and dr
            need at least one per zone). Default: 3, 10.
        tracing_collector: OpenTelemetry collector (OTLP/gRPC) as ``host:port``, where every proxy sends
            spans. Default: "opentelemetry-collector.monitoring.svc.cluster.local:4317".
        trace_sampling_percent: Share of requests traced, 0-100. Default: 100.0 (the reference design).
        allow_any_outbound: Let workloads reach any host outside the mesh (``ALLOW_ANY``). Risk: a compromised
            pod can exfiltrate anywhere; only dev may set it. Default: False = ``REGISTRY_ONLY``, where only
            hosts with a ServiceEntry are reachable.
    """

    istiod_replicas: int = 2
    istiod_max_replicas: int = 5
    gateway_replicas: int = 3
    gateway_max_replicas: int = 10
    tracing_collector: str = "opentelemetry-collector.monitoring.svc.cluster.local:4317"
    trace_sampling_percent: float = 100.0
    allow_any_outbound: bool = False

    def __post_init__(self) -> None:
        for low, high in (
            ("istiod_replicas", "istiod_max_replicas"),
            ("gateway_replicas", "gateway_max_replicas"),
        ):
            check_range("MeshProps", low, getattr(self, low), 1, 50)
            if getattr(self, high) < getattr(self, low):
                raise ConfigError(
                    f"MeshProps.{high} ({getattr(self, high)}) must be >= {low} ({getattr(self, low)})"
                )
        check_pattern(
            "MeshProps", "tracing_collector", self.tracing_collector,
            r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?:\d{1,5}",
            "a host:port such as 'otel-collector.monitoring.svc.cluster.local:4317'",
        )  # fmt: skip
        if not 0 <= self.trace_sampling_percent <= 100:
            raise ConfigError(
                "MeshProps.trace_sampling_percent must be between 0 and 100, "
                f"got {self.trace_sampling_percent}"
            )

    @property
    def highly_available(self) -> bool:
        return self.istiod_replicas > 1

    @property
    def collector_host(self) -> str:
        return self.tracing_collector.rsplit(":", 1)[0]

    @property
    def collector_port(self) -> int:
        return int(self.tracing_collector.rsplit(":", 1)[1])

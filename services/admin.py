"""admin (Python/FastAPI): back office for operators; reached inside the cluster only."""

from marketplace_constructs.workload.service_props import (
    AutoscalingProps,
    DeliveryProps,
    LatencyObjectives,
    MicroserviceProps,
    TrafficPolicyProps,
)

SPEC = MicroserviceProps(
    name="admin",
    description="back office for operators (Python/FastAPI); no public route",
    port=8000,
    data_stores=("postgres",),
    # Reference design: 2-10 replicas at 70 % / 80 %, Kubernetes' default scaling behaviour.
    autoscaling=AutoscalingProps(
        min_replicas=2, max_replicas=10, cpu_target_percent=70, memory_target_percent=80
    ),
    # Not in the reference design: a few operators, so a small pool; ejection as for the others.
    traffic=TrafficPolicyProps(max_connections=200),
    objectives=LatencyObjectives(p50_ms=150, p95_ms=400, p99_ms=600),
    delivery=DeliveryProps(strategy="blue-green"),  # reference design: blue-green for admin
)

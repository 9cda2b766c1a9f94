"""admin (Python/FastAPI): back office for operators, on the operators' name only, to callers with an
operator's token."""

from marketplace_constructs.workload.service_props import (
    AutoscalingProps,
    DeliveryProps,
    LatencyObjectives,
    MicroserviceProps,
    TrafficPolicyProps,
)

SPEC = MicroserviceProps(
    name="admin",
    description="back office for operators (Python/FastAPI); operators' name only",
    port=8000,
    # The whole operators' name (EdgeProps.operator_domain), behind the environment's OIDC check.
    operator_routes=("/",),
    data_stores=("postgres",),
    # Reference design: 2-10 replicas at 70 % / 80 %, Kubernetes' default scaling behaviour.
    autoscaling=AutoscalingProps(
        min_replicas=2, max_replicas=10, cpu_target_percent=70, memory_target_percent=80
    ),
    # Not in the reference design: a few operators, so a small pool; ejection as for the others.
    traffic=TrafficPolicyProps(max_connections=200),
    objectives=LatencyObjectives(p50_ms=150, p95_ms=400, p99_ms=600),
    delivery=DeliveryProps(strategy="blue-green"),  # reference design: blue-green for admin
    # Placeholder: the repository whose main branch builds and pushes the images (set yours).
    image_source="example-org/llm-marketplace-admin",
)

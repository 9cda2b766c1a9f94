"""publishing (TypeScript/Node.js): publishes models and listings to the marketplace."""

from marketplace_constructs.workload.service_props import (
    AutoscalingProps,
    DeliveryProps,
    LatencyObjectives,
    MicroserviceProps,
    TrafficPolicyProps,
)

SPEC = MicroserviceProps(
    name="publishing",
    description="publishes models and listings to the marketplace (TypeScript/Node.js)",
    port=3000,
    routes=("/v1/listings", "/v1/publishers"),
    callers=("admin",),
    data_stores=("postgres", "kafka"),
    # Reference design: 3-50 replicas at 70 % CPU / 80 % memory, Kubernetes' default scaling behaviour.
    autoscaling=AutoscalingProps(
        min_replicas=3, max_replicas=50, cpu_target_percent=70, memory_target_percent=80
    ),
    traffic=TrafficPolicyProps(max_connections=1000),
    # Release analysis: the load tester reads the public listing index (a GET without credentials).
    delivery=DeliveryProps(load_test_path="/v1/listings"),
    objectives=LatencyObjectives(p50_ms=100, p95_ms=300, p99_ms=500),
    # Placeholder: the repository whose main branch builds and pushes the images (set yours).
    image_source="example-org/llm-marketplace-publishing",
)

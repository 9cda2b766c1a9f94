"""consumption (Rust): serves inference requests and meters usage."""

from marketplace_constructs.workload.service_props import (
    AutoscalingProps,
    LatencyObjectives,
    MicroserviceProps,
    ResourceProps,
    ScalingPolicy,
    TrafficPolicyProps,
)

SPEC = MicroserviceProps(
    name="consumption",
    description="serves inference requests and meters usage (Rust)",
    port=8080,
    resources=ResourceProps(cpu_request="1", memory_request="512Mi", memory_limit="1Gi"),
    node_class="compute",
    routes=("/v1/inference", "/v1/usage"),
    data_stores=("postgres", "redis", "kafka"),
    # Reference design: 10-200 replicas at 50 % / 70 %, doubling per 15 s, shrinking 10 % per 5 minutes.
    autoscaling=AutoscalingProps(
        min_replicas=10,
        max_replicas=200,
        cpu_target_percent=50,
        memory_target_percent=70,
        scale_up=ScalingPolicy(percent=100, period_seconds=15),
        scale_down=ScalingPolicy(percent=10, period_seconds=300),
    ),
    traffic=TrafficPolicyProps(max_connections=10000),
    timeout_seconds=60,  # streamed inference answers
    objectives=LatencyObjectives(p50_ms=100, p95_ms=300, p99_ms=500),
    # Placeholder: the repository whose main branch builds and pushes the images (set yours).
    image_source="example-org/llm-marketplace-consumption",
)

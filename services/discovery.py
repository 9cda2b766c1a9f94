"""discovery (Go): search and recommendation over the catalogue."""

from marketplace_constructs.workload.service_props import (
    AutoscalingProps,
    DeliveryProps,
    LatencyObjectives,
    MicroserviceProps,
    ResourceProps,
    ScalingPolicy,
    TrafficPolicyProps,
)

SPEC = MicroserviceProps(
    name="discovery",
    description="search and recommendation over the catalogue (Go)",
    port=8080,
    resources=ResourceProps(cpu_request="500m", memory_request="512Mi", memory_limit="1Gi"),
    # CPU-shaped (500m with 512Mi): compute nodes; a larger in-memory index would move it to "memory".
    node_class="compute",
    routes=("/v1/search", "/v1/catalog"),
    callers=("publishing", "consumption"),
    data_stores=("postgres", "redis"),
    # Reference design: 5-100 replicas at 60 % / 75 %, shrinking 10 % per 5 minutes, doubling per 30 s;
    # doubling per 15 s instead: per 30 s a 10x spike needs four doublings, 120 s (bin/dev capacity).
    autoscaling=AutoscalingProps(
        min_replicas=5,
        max_replicas=100,
        cpu_target_percent=60,
        memory_target_percent=75,
        scale_up=ScalingPolicy(percent=100, period_seconds=15),
        scale_down=ScalingPolicy(percent=10, period_seconds=300),
    ),
    # Not in the reference design: read-mostly fan-in from two services and the gateway; between
    # publishing's 1,000 and consumption's 10,000.
    traffic=TrafficPolicyProps(max_connections=5000),
    timeout_seconds=5,  # p99 objective 200 ms: a 5 s request is already failed
    # Release analysis: the load tester reads the public catalogue (a GET without credentials).
    delivery=DeliveryProps(load_test_path="/v1/catalog"),
    objectives=LatencyObjectives(p50_ms=50, p95_ms=150, p99_ms=200),
    # Placeholder: the repository whose main branch builds and pushes the images (set yours).
    image_source="example-org/llm-marketplace-discovery",
)

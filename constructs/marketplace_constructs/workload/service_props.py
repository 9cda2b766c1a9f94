"""MicroserviceProps: one service's spec (ports, probes, resources, placement, routes, callers, data stores,
autoscaling, traffic policy, objectives, delivery), validated on load; no provider imports."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, Literal, get_args

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import (
    ConfigError,
    check_dns_label,
    check_one_of,
    check_pattern,
    check_range,
)
from marketplace_constructs.naming import GITHUB_REPOSITORY

NodeClass = Literal["general", "compute", "memory"]  # the node groups' workload-class label
DataStore = Literal["postgres", "redis", "kafka"]
DeliveryStrategy = Literal["canary", "blue-green"]
LoadBalancer = Literal["LEAST_REQUEST", "ROUND_ROBIN", "RANDOM"]
CPU: Final = re.compile(r"^[1-9][0-9]*m$|^[1-9][0-9]*$")  # millicores or whole cores
MEMORY: Final = re.compile(r"^[1-9][0-9]*(Mi|Gi)$")
PATH_PREFIX: Final = re.compile(r"^/[a-z0-9/_-]*$")


def millicores(value: str) -> int:
    return int(value[:-1]) if value.endswith("m") else int(value) * 1000


def mebibytes(value: str) -> int:
    return int(value[:-2]) * (1024 if value.endswith("Gi") else 1)


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class ResourceProps:
    """Requests and limits of the service's container (the sidecar's are the mesh's).

    Attributes:
        cpu_request: Millicores ("250m") or cores ("1"). Default: "250m".
        memory_request: "Mi" or "Gi". Default: "256Mi".
        cpu_limit: None leaves CPU unthrottled (bursts use idle cores; requests still reserve). Default: None.
        memory_limit: At least memory_request. Default: "512Mi".
    """

    cpu_request: str = "250m"
    memory_request: str = "256Mi"
    cpu_limit: str | None = None
    memory_limit: str = "512Mi"

    def __post_init__(self) -> None:
        owner = "ResourceProps"
        for name, value, shape in (
            ("cpu_request", self.cpu_request, CPU),
            ("cpu_limit", self.cpu_limit, CPU),
            ("memory_request", self.memory_request, MEMORY),
            ("memory_limit", self.memory_limit, MEMORY),
        ):
            if value is not None and not shape.match(value):
                kind = "millicores ('250m') or cores ('1')" if shape is CPU else "'512Mi' or '2Gi'"
                raise ConfigError(f"{owner}.{name} must be {kind}, got {value!r}")
        if self.cpu_limit is not None and millicores(self.cpu_limit) < millicores(self.cpu_request):
            raise ConfigError(
                f"{owner}.cpu_limit ({self.cpu_limit}) must not be below cpu_request ({self.cpu_request})"
            )
        if mebibytes(self.memory_limit) < mebibytes(self.memory_request):
            raise ConfigError(
                f"{owner}.memory_limit ({self.memory_limit}) must not be below memory_request "
                f"({self.memory_request})"
            )


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class ScalingPolicy:
    """At most ``percent`` % more (or fewer) pods per ``period_seconds``.

    Attributes:
        percent: 1-1000. Required.
        period_seconds: 1-1800. Required.
    """

    percent: int
    period_seconds: int

    def __post_init__(self) -> None:
        check_range("ScalingPolicy", "percent", self.percent, 1, 1000, " %")
        check_range("ScalingPolicy", "period_seconds", self.period_seconds, 1, 1800, " s")


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class AutoscalingProps:
    """The HorizontalPodAutoscaler (autoscaling/v2); it owns the replica count.

    Attributes:
        min_replicas: 1-1000. Required.
        max_replicas: At least min_replicas. Required.
        cpu_target_percent: Average CPU utilisation of requests, 1-100. Required.
        memory_target_percent: Average memory utilisation of requests, 1-100. Required.
        scale_up: None keeps Kubernetes' default (double or +4 pods per 15 s). Default: None.
        scale_down: None keeps Kubernetes' default (down to the need after a 5-minute window). Default: None.
    """

    min_replicas: int
    max_replicas: int
    cpu_target_percent: int
    memory_target_percent: int
    scale_up: ScalingPolicy | None = None
    scale_down: ScalingPolicy | None = None

    def __post_init__(self) -> None:
        owner = "AutoscalingProps"
        check_range(owner, "min_replicas", self.min_replicas, 1, 1000)
        if self.max_replicas < self.min_replicas:
            raise ConfigError(
                f"{owner}.max_replicas ({self.max_replicas}) must be >= min_replicas ({self.min_replicas})"
            )
        check_range(owner, "cpu_target_percent", self.cpu_target_percent, 1, 100, " %")
        check_range(owner, "memory_target_percent", self.memory_target_percent, 1, 100, " %")


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class TrafficPolicyProps:
    """The DestinationRule: connection limits, load balancing and outlier detection.

    Attributes:
        max_connections: TCP connections to the service from each calling proxy, 1-100000. Required.
        max_pending_requests: HTTP requests queued for a connection per calling proxy. Default: 1024.
        load_balancer: Default: "LEAST_REQUEST".
        consecutive_errors: 5xx (gateway errors included) that eject a pod. Default: 5.
        interval_seconds: How often ejection is evaluated, seconds. Default: 30.
        base_ejection_seconds: First ejection's length (grows with each repeat). Default: 30.
        max_ejection_percent: Pods that may be ejected at once. Default: 50.
    """

    max_connections: int
    max_pending_requests: int = 1024
    load_balancer: LoadBalancer = "LEAST_REQUEST"
    consecutive_errors: int = 5
    interval_seconds: int = 30
    base_ejection_seconds: int = 30
    max_ejection_percent: int = 50

    def __post_init__(self) -> None:
        owner = "TrafficPolicyProps"
        check_range(owner, "max_connections", self.max_connections, 1, 100000)
        check_range(owner, "max_pending_requests", self.max_pending_requests, 1, 100000)
        check_one_of(owner, "load_balancer", self.load_balancer, get_args(LoadBalancer))
        check_range(owner, "consecutive_errors", self.consecutive_errors, 1, 100)
        check_range(owner, "interval_seconds", self.interval_seconds, 1, 600, " s")
        check_range(owner, "base_ejection_seconds", self.base_ejection_seconds, 1, 3600, " s")
        check_range(owner, "max_ejection_percent", self.max_ejection_percent, 1, 100, " %")


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class LatencyObjectives:
    """Latency objectives (milliseconds); p95 feeds the service's alert and its canary check.

    Attributes:
        p50_ms: Required.
        p95_ms: At least p50_ms. Required.
        p99_ms: At least p95_ms. Required.
    """

    p50_ms: int
    p95_ms: int
    p99_ms: int

    def __post_init__(self) -> None:
        owner = "LatencyObjectives"
        check_range(owner, "p50_ms", self.p50_ms, 1, 60000, " ms")
        if not self.p50_ms <= self.p95_ms <= self.p99_ms:
            raise ConfigError(
                f"{owner} must satisfy p50_ms <= p95_ms <= p99_ms, got {self.p50_ms} / {self.p95_ms} / "
                f"{self.p99_ms}"
            )


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryProps:
    """How a new digest reaches users (Flagger).

    Attributes:
        strategy: "canary" (traffic in steps) or "blue-green" (all at once after the checks pass on the new
            pods). Default: "canary".
        steps_percent: Canary traffic weights, rising, the last 100. Default: (10, 50, 100).
        analysis_minutes: Length of each analysis window. Default: 5.
        failed_checks: Failed checks that roll the release back. Default: 2.
        min_success_percent: Request success rate a check needs (99 = the 1 % critical error rate).
            Default: 99.0.
        load_test_path: The path the load tester requests from the new pods (GET): once before the rollout
            (a failed answer stops it) and at ``load_test_rps`` throughout the analysis, so every window
            measures real answers. The load tester may request this path and no other. None: the readiness
            probe's path. Default: None.
        load_test_rps: Requests per second during the analysis, 1-200. Default: 10.
    """

    strategy: DeliveryStrategy = "canary"
    steps_percent: tuple[int, ...] = (10, 50, 100)
    analysis_minutes: int = 5
    failed_checks: int = 2
    min_success_percent: float = 99.0
    load_test_path: str | None = None
    load_test_rps: int = 10

    def __post_init__(self) -> None:
        owner = "DeliveryProps"
        check_one_of(owner, "strategy", self.strategy, get_args(DeliveryStrategy))
        steps = self.steps_percent
        if not steps or list(steps) != sorted(set(steps)) or steps[-1] != 100 or steps[0] < 1:
            raise ConfigError(f"{owner}.steps_percent must rise from 1 or more and end at 100, got {steps}")
        check_range(owner, "analysis_minutes", self.analysis_minutes, 1, 60, " min")
        check_range(owner, "failed_checks", self.failed_checks, 1, 20)
        if not 0 < self.min_success_percent < 100:
            raise ConfigError(
                f"{owner}.min_success_percent must be between 0 and 100, got {self.min_success_percent}"
            )
        if self.load_test_path is not None and not PATH_PREFIX.match(self.load_test_path):
            raise ConfigError(
                f"{owner}.load_test_path must start with '/' (lower case, digits, '/_-'), got "
                f"{self.load_test_path!r}"
            )
        check_range(owner, "load_test_rps", self.load_test_rps, 1, 200, " requests/s")


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class MicroserviceProps:
    """One marketplace service.

    Attributes:
        name: DNS label; also its namespace, service account, ECR repository suffix and secret prefix.
            Required.
        description: What it does and in which language. Required.
        port: The container's HTTP port, 1-65535 (not a mesh port, 15000-15099). Required.
        probes: Paths of the startup, liveness and readiness probes. Default: the /healthz/* trio.
        resources: Default: ResourceProps().
        node_class: Node group it prefers (``workload-class`` label). Default: "general".
        routes: Public path prefixes the gateway sends to it on the API's name; () for an internal service.
            Default: ().
        operator_routes: Path prefixes the gateway sends to it on the operators' name
            (``EdgeProps.operator_domain``), admitted only with an operator's token (the environment's
            ``operators``); a service has public routes or operator routes, not both. Default: ().
        callers: Services that may call it (names of other specs). Default: ().
        data_stores: Stores it uses; its IAM role and network policy open exactly these. Default: ().
        autoscaling: Production's HPA (environments may shrink it). Required.
        traffic: DestinationRule. Required.
        timeout_seconds: Per-request timeout at the caller's proxy, 1-300. Default: 15.
        retries: Attempts when the request provably never reached the service (connect failure, refused
            stream, reset before the request), which is safe for every method: Istio cannot limit retries to
            idempotent methods, so answered 5xx are not retried. 0-5. Default: 2.
        objectives: Latency objectives. Required.
        delivery: Default: DeliveryProps().
        image_source: The GitHub repository (``owner/name``) whose image pipeline builds the service: its
            ``main`` branch alone may push to the service's ECR repository, through a role per environment
            that builds images. None: no pipeline pushes (images arrive by other means, or by replication).
            Default: None.
    """

    name: str
    description: str
    port: int
    probes: tuple[str, str, str] = ("/healthz/startup", "/healthz/live", "/healthz/ready")
    resources: ResourceProps = field(default_factory=ResourceProps)
    node_class: NodeClass = "general"
    routes: tuple[str, ...] = ()
    operator_routes: tuple[str, ...] = ()
    callers: tuple[str, ...] = ()
    data_stores: tuple[DataStore, ...] = ()
    autoscaling: AutoscalingProps
    traffic: TrafficPolicyProps
    timeout_seconds: int = 15
    retries: int = 2
    objectives: LatencyObjectives
    delivery: DeliveryProps = field(default_factory=DeliveryProps)
    image_source: str | None = None

    def __post_init__(self) -> None:
        owner = f"MicroserviceProps({self.name})"
        if self.image_source is not None:
            check_pattern(owner, "image_source", self.image_source, GITHUB_REPOSITORY, "'owner/name'")
        check_dns_label("MicroserviceProps", "name", self.name)
        check_range(owner, "port", self.port, 1, 65535)
        if 15000 <= self.port <= 15099:
            raise ConfigError(f"{owner}.port must be outside 15000-15099 (Istio's ports), got {self.port}")
        check_one_of(owner, "node_class", self.node_class, get_args(NodeClass))
        for store in self.data_stores:
            check_one_of(owner, "data_stores", store, get_args(DataStore))
        for path in (*self.probes, *self.routes, *self.operator_routes):
            if not PATH_PREFIX.match(path):
                raise ConfigError(f"{owner}: path {path!r} must start with '/' (lower case, digits, '/_-')")
        if self.routes and self.operator_routes:
            raise ConfigError(
                f"{owner}: routes and operator_routes exclude each other (one host name per service), got "
                f"{self.routes} and {self.operator_routes}; give the operator paths a service of their own"
            )
        if self.name in self.callers:
            raise ConfigError(f"{owner}.callers must not name the service itself")
        check_range(owner, "timeout_seconds", self.timeout_seconds, 1, 300, " s")
        check_range(owner, "retries", self.retries, 0, 5)

    @property
    def load_test_path(self) -> str:
        """The path the release analysis' load tester requests: the spec's, else the readiness probe's."""
        return self.delivery.load_test_path or self.probes[2]

    @property
    def exposed(self) -> bool:
        """True when the ingress gateway sends it requests (public or operator routes)."""
        return bool(self.routes or self.operator_routes)


def callees(name: str, services: tuple[MicroserviceProps, ...]) -> tuple[str, ...]:
    """The services ``name`` may call: those that list it among their callers."""
    return tuple(service.name for service in services if name in service.callers)


def check_services(services: tuple[MicroserviceProps, ...]) -> None:
    """Across specs: unique names, callers that are services, and no route claimed by two services."""
    names = [service.name for service in services]
    if len(set(names)) != len(names):
        raise ConfigError(f"service names must be unique, got {names}")
    owners: dict[str, str] = {}
    for service in services:
        for caller in service.callers:
            if caller not in names:
                raise ConfigError(
                    f"MicroserviceProps({service.name}).callers names {caller!r}, which is not a service; "
                    f"services: {', '.join(names)}"
                )
        for route in service.routes:
            if route in owners:
                raise ConfigError(f"route {route!r} is claimed by both {owners[route]} and {service.name}")
            owners[route] = service.name

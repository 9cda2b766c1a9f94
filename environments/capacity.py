"""Capacity of an environment, from its configuration and the service specs: what each node group must hold
at its maximum (the fit check, run before any stack is built), each service's autoscaler and node group as the
simulator models them, and the reference design's scaling scenarios with their verdicts.

The reference design promises: a 2x spike served within 60 s (5 -> 10 pods), a 10x spike within 120 s
(5 -> 50 pods) and a drop handled within 300 s (50 -> 10 pods), while fixing scale-down at 10 % per 5 minutes.
Each service is tested from its own baseline (its minimum replicas at the CPU target): capacity is ready when
enough pods to run the new load within the HPA's tolerance of its CPU target (capped at the maximum replicas)
are ready; a drop is handled when the replicas are down to where the HPA stops (within its tolerance).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from environments.base import EnvironmentConfig, defining
from marketplace_constructs.capacity.fit import (
    SIDECAR,
    Consumer,
    GroupFit,
    check,
    group_fit,
    placeholders,
    pod_room,
    pods_per_node,
)
from marketplace_constructs.capacity.hpa import DEFAULT_DOWN, DEFAULT_UP, Direction, HpaSpec, Policy
from marketplace_constructs.capacity.simulator import GroupModel, Moment, Timing, simulate, time_to
from marketplace_constructs.eks.props import NodeGroupProps, workload_class
from marketplace_constructs.observability.tracing_props import ELASTICSEARCH_CPU_M
from marketplace_constructs.workload.service_props import (
    MicroserviceProps,
    ScalingPolicy,
    mebibytes,
    millicores,
)

GROUPS: Final = ("general", "compute", "memory")
STARTUP_PROBE_SECONDS: Final = 2  # the specs' startup probe period: the first success after the app starts
READINESS_PROBE_SECONDS: Final = 5  # the readiness probe period


@dataclass(frozen=True, slots=True)
class Scenario:
    """One of the reference design's scenarios: the load goes from ``start`` to ``end`` times the baseline,
    and the target is ``target_seconds``."""

    name: str
    start: int
    end: int
    target_seconds: int
    kind: Literal["spike", "drop"]


SCENARIOS: Final = (
    Scenario("2x spike", 1, 2, 60, "spike"),
    Scenario("10x spike", 1, 10, 120, "spike"),
    Scenario("drop 10x -> 2x", 10, 2, 300, "drop"),
)


@dataclass(frozen=True, slots=True)
class Outcome:
    service: str
    scenario: Scenario
    pods_from: int
    pods_to: int
    seconds: int | None  # None: not reached within the simulated time

    @property
    def holds(self) -> bool:
        return self.seconds is not None and self.seconds <= self.scenario.target_seconds


def pod_size(spec: MicroserviceProps) -> tuple[int, int]:
    """(millicores, MiB) one replica requests, its mesh sidecar included."""
    return millicores(spec.resources.cpu_request) + SIDECAR[0], mebibytes(
        spec.resources.memory_request
    ) + SIDECAR[1]


def class_groups(env: EnvironmentConfig, name: str) -> dict[str, NodeGroupProps]:
    """The running groups that serve node class ``name``: its own group, and its Spot burst group if any."""
    groups = env.running_node_groups.by_name().items()
    return {group: props for group, props in groups if workload_class(group) == name}


def pinned_platform(env: EnvironmentConfig, name: str) -> list[Consumer]:
    """The platform's pods pinned to node class ``name``: Elasticsearch's nodes on the memory class (the
    other platform pods go wherever there is room, so they are not a class's to hold)."""
    if name != "memory":
        return []
    tracing = env.tracing
    return [
        Consumer(
            "elasticsearch",
            tracing.elasticsearch_nodes,
            ELASTICSEARCH_CPU_M,
            tracing.elasticsearch_memory_gb * 1024,
        )
    ]


def _class_fit(
    env: EnvironmentConfig, specs: Iterable[MicroserviceProps], name: str, *, at_maximum: bool
) -> GroupFit:
    members = class_groups(env, name).values()
    instance_types = tuple(dict.fromkeys(t for group in members for t in group.instance_types))
    max_nodes = sum(group.max_size for group in members)
    consumers = []
    for spec in specs:
        if spec.node_class == name:
            cpu, memory = pod_size(spec)
            low, top = env.service_sizes(
                spec.name, spec.autoscaling.min_replicas, spec.autoscaling.max_replicas
            )
            consumers.append(Consumer(spec.name, top if at_maximum else low, cpu, memory))
    consumers += pinned_platform(env, name)
    if not at_maximum:
        consumers.append(placeholders(getattr(env.capacity.headroom, name)))
    return group_fit(name, instance_types, max_nodes, consumers)


def fits(env: EnvironmentConfig, specs: Iterable[MicroserviceProps]) -> list[GroupFit]:
    """Each node class at its maximum (its groups together) against its services at their maximum and the
    DaemonSets. The headroom's placeholders are not counted there: at the services' maximum every one of
    them has been preempted (they yield to any pod) and waits, holding no room."""
    specs = tuple(specs)
    return [_class_fit(env, specs, name, at_maximum=True) for name in GROUPS]


def rest_fits(env: EnvironmentConfig, specs: Iterable[MicroserviceProps]) -> list[GroupFit]:
    """Each node class at its maximum against its services at their minimum and the headroom's placeholders:
    the room the placeholders hold must exist, or they wait forever and keep the autoscaler at the maximum."""
    specs = tuple(specs)
    return [_class_fit(env, specs, name, at_maximum=False) for name in GROUPS]


def check_fit(env: EnvironmentConfig, specs: Iterable[MicroserviceProps]) -> None:
    """Stop synthesis (one line naming the environment, group, shortfall and largest consumer) when a node
    class cannot hold its services at their maximum, or its services at their minimum with its headroom."""
    specs = tuple(specs)
    with defining(env.name):
        check(fits(env, specs))
        check(rest_fits(env, specs))


def _direction(policy: ScalingPolicy | None, default: Direction, window: int) -> Direction:
    if policy is None:
        return default
    return Direction((Policy("Percent", policy.percent, policy.period_seconds),), "Max", window)


def hpa_spec(env: EnvironmentConfig, spec: MicroserviceProps) -> HpaSpec:
    """The service's autoscaler here, as the apps layer synthesizes it (sizes, CPU target, behavior)."""
    scaling = spec.autoscaling
    low, high = env.service_sizes(spec.name, scaling.min_replicas, scaling.max_replicas)
    up = _direction(scaling.scale_up, DEFAULT_UP, 0)
    down = _direction(scaling.scale_down, DEFAULT_DOWN, 300)
    return HpaSpec(low, high, scaling.cpu_target_percent, up=up, down=down)


def group_model(env: EnvironmentConfig, spec: MicroserviceProps) -> GroupModel:
    """The service's node class (its groups together): how many of its pods a node holds, and the headroom
    placeholders' room."""
    members = list(class_groups(env, spec.node_class).values())
    room = min(
        (pod_room(t) for group in members for t in group.instance_types),
        key=lambda a: (a.cpu_m, a.memory_mib),
    )
    cpu, memory = pod_size(spec)
    per_node = pods_per_node(room, cpu, memory)
    headroom = getattr(env.capacity.headroom, spec.node_class)
    per_placeholder = min(millicores(headroom.cpu) // cpu, mebibytes(headroom.memory) // memory)
    min_nodes, max_nodes = sum(g.min_size for g in members), sum(g.max_size for g in members)
    return GroupModel(min_nodes, max_nodes, per_node, headroom.pods, per_placeholder)


def timing(env: EnvironmentConfig) -> Timing:
    capacity = env.capacity
    return Timing(
        metrics_delay_seconds=capacity.metrics_delay_seconds,
        scan_interval_seconds=capacity.scan_interval_seconds,
        launch_seconds=capacity.launch_seconds,
        node_ready_seconds=capacity.node_ready_seconds,
        pod_start_seconds=capacity.image_pull_seconds + STARTUP_PROBE_SECONDS + READINESS_PROBE_SECONDS,
    )


def run(
    env: EnvironmentConfig, spec: MicroserviceProps, scenario: Scenario, seconds: int = 7200
) -> tuple[Outcome, list[Moment]]:
    """One scenario for one service: its outcome and the timeline."""
    hpa = hpa_spec(env, spec)
    target = hpa.cpu_target_percent / 100
    base = hpa.min_replicas * target  # the baseline load: minimum replicas at the CPU target

    def pods(multiple: int) -> int:
        return min(max(math.ceil(round(base * multiple / target, 6)), hpa.min_replicas), hpa.max_replicas)

    def load(t: int) -> float:
        return base * (scenario.start if t < 0 else scenario.end)

    timeline = simulate(hpa, group_model(env, spec), load, seconds, timing(env))
    # Done when the HPA itself would stop: within its tolerance of the target utilization.
    after = load(0)
    if scenario.kind == "spike":
        enough = min(math.ceil(round(after / (target * (1 + hpa.tolerance)), 6)), hpa.max_replicas)
        seconds_to = time_to(timeline, lambda m: m.ready >= enough)
    else:
        settled = max(math.floor(round(after / (target * (1 - hpa.tolerance)), 6)), hpa.min_replicas)
        seconds_to = time_to(timeline, lambda m: m.desired <= settled)
    return Outcome(spec.name, scenario, pods(scenario.start), pods(scenario.end), seconds_to), timeline


def outcomes(env: EnvironmentConfig, specs: Iterable[MicroserviceProps]) -> list[Outcome]:
    return [run(env, spec, scenario)[0] for spec in specs for scenario in SCENARIOS]

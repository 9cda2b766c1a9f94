"""Where the estimate's nodes come from beyond each group's minimum: the services' pods at a request rate and
the headroom placeholders, placed on their node class with one rule (``fit.nodes_to_hold``: room summed over
the class, rounded up to whole nodes, never below the minimum), the rule the capacity simulator starts each
service's group from (``simulator.initial_nodes``, in that service's pod slots). Headroom is counted once: a
placeholder first fills the room the minimum nodes leave.

Per node class (the ``workload-class`` label the services prefer): the nodes its pods need at the steady
state (every service at its minimum replicas), off the peak and at the peak of the usage model's day; the
nodes above the groups' minimum go to the class's Spot group when it has one (the burst), else to its group.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Final

from environments.base import EnvironmentConfig
from environments.capacity import GROUPS, class_groups, pinned_platform, pod_size
from marketplace_constructs.capacity.fit import Consumer, nodes_to_hold, placeholders, pod_room
from marketplace_constructs.capacity.instances import Allocatable
from marketplace_constructs.eks.props import NodeGroupProps, is_burst
from marketplace_constructs.workload.service_props import MicroserviceProps
from tools import platform_pods
from tools.pricing import tier_stand_in
from tools.usage_model import Traffic, replicas_at

PLATFORM: Final = "platform"


@dataclass(frozen=True, slots=True)
class ClassPlacement:
    """One node class: its groups, the room of its smallest node and what it holds at three moments."""

    node_class: str
    groups: dict[str, NodeGroupProps]  # name -> props
    room: Allocatable
    steady: tuple[Consumer, ...]
    off_peak: tuple[Consumer, ...]
    peak: tuple[Consumer, ...]

    @property
    def min_nodes(self) -> int:
        return sum(group.min_size for group in self.groups.values())

    @property
    def max_nodes(self) -> int:
        return sum(group.max_size for group in self.groups.values())

    def nodes(self, consumers: tuple[Consumer, ...]) -> int:
        """Nodes the class runs to hold ``consumers``: its groups as one pool (the services and the
        placeholders tolerate the burst's taint)."""
        return nodes_to_hold(self.room, list(consumers), self.min_nodes, self.max_nodes)

    def counts(self, consumers: tuple[Consumer, ...]) -> dict[str, int]:
        """Nodes per group: each group's minimum, and the nodes above them on the burst group while it has
        room (the cluster autoscaler's priority expander grows it first), then on the base."""
        counts = {name: group.min_size for name, group in self.groups.items()}
        extra = self.nodes(consumers) - self.min_nodes
        for name in sorted(self.groups, key=lambda name: not is_burst(name)):
            grow = min(extra, self.groups[name].max_size - counts[name])
            counts[name] += grow
            extra -= grow
        return counts

    def share(self, consumers: tuple[Consumer, ...]) -> dict[str, float]:
        """Each consumer's share of the class's nodes (its CPU requests over the nodes' allocatable CPU); the
        rest, platform pods and idle room, is ``shared``."""
        total = self.nodes(consumers) * self.room.cpu_m
        requested = sum(c.count * c.cpu_m for c in consumers)
        total = max(total, requested)  # a class asked for more than its maximum holds: shares of what it asks
        shares = {c.name: c.count * c.cpu_m / total for c in consumers if c.count}
        shares["shared"] = 1 - sum(shares.values())
        return shares


def platform_consumer(env: EnvironmentConfig) -> Consumer:
    """The platform's unpinned pods (tools/platform_pods.py) as one consumer of their average size; an
    environment not yet in pricing/platform_pods.json takes its tier's stand-in (pricing/usage.yaml)."""
    figures = platform_pods.load()
    figure = figures.get(env.name) or figures[tier_stand_in(env.tier)]
    pods = max(figure["pods"], 1)
    return Consumer(PLATFORM, pods, math.ceil(figure["cpu_m"] / pods), math.ceil(figure["memory_mib"] / pods))


def _services(
    env: EnvironmentConfig, specs: tuple[MicroserviceProps, ...], name: str, rps: float | None
) -> list[Consumer]:
    consumers = []
    for spec in specs:
        if spec.node_class != name:
            continue
        low, high = env.service_sizes(spec.name, spec.autoscaling.min_replicas, spec.autoscaling.max_replicas)
        # services on public routes follow the request rate; the operators' admin stays at its minimum
        count = low if rps is None or not spec.routes else replicas_at(rps, low, high)
        cpu, memory = pod_size(spec)
        consumers.append(Consumer(spec.name, count, cpu, memory))
    return consumers


def placement(
    env: EnvironmentConfig, specs: tuple[MicroserviceProps, ...], traffic: Traffic
) -> list[ClassPlacement]:
    """Every node class of ``env`` with what it holds at the steady state, off the peak and at the peak. The
    platform's unpinned pods go on the general class up to its maximum, and what it cannot hold on the next
    classes' room (compute, then memory), as the scheduler spills them."""
    platform = platform_consumer(env)
    result = []
    for name in GROUPS:
        members = class_groups(env, name)
        rooms = [pod_room(t) for props in members.values() for t in props.instance_types]
        room = min(rooms, key=lambda a: (a.cpu_m, a.memory_mib))
        headroom = placeholders(getattr(env.capacity.headroom, name))
        own = [*_services(env, specs, name, None), *pinned_platform(env, name), headroom]
        capacity = sum(group.max_size for group in members.values()) * room.cpu_m
        free = max(capacity - sum(c.count * c.cpu_m for c in own), 0)
        taken = min(platform.count, free // platform.cpu_m) if name != GROUPS[-1] else platform.count
        shared = [replace(platform, count=taken)] if taken else []
        platform = replace(platform, count=platform.count - taken)
        at = {
            moment: (*_services(env, specs, name, rps), *pinned_platform(env, name), *shared, headroom)
            for moment, rps in (
                ("steady", None),
                ("off_peak", traffic.off_peak_rps),
                ("peak", traffic.peak_rps),
            )
        }
        result.append(ClassPlacement(name, members, room, at["steady"], at["off_peak"], at["peak"]))
    return result

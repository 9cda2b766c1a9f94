"""Where the estimate's nodes come from beyond each group's minimum: the services' pods at a request rate and
the headroom placeholders, placed on their node class with the rule the capacity simulator starts from
(``fit.nodes_to_hold``). Headroom is counted once: a placeholder first fills the room the minimum nodes leave.

Per node class (the ``workload-class`` label the services prefer): the nodes its pods need at the steady
state (every service at its minimum replicas), off the peak and at the peak of the usage model's day; the
nodes above the groups' minimum go to the class's Spot group when it has one (the burst), else to its group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from environments.base import EnvironmentConfig
from environments.capacity import GROUPS, class_groups, pod_size
from marketplace_constructs.capacity.fit import Consumer, nodes_to_hold, placeholders, pod_room
from marketplace_constructs.capacity.instances import Allocatable
from marketplace_constructs.eks.props import NodeGroupProps
from marketplace_constructs.workload.service_props import MicroserviceProps
from tools.usage_model import Traffic, replicas_at

HEADROOM: Final = "headroom"


@dataclass(frozen=True, slots=True)
class ClassPlacement:
    """One node class: its groups, the room of its smallest node and what it holds at three moments."""

    node_class: str
    groups: dict[str, NodeGroupProps]  # name -> props; on-demand base first
    room: Allocatable
    steady: tuple[Consumer, ...]
    off_peak: tuple[Consumer, ...]
    peak: tuple[Consumer, ...]

    @property
    def min_nodes(self) -> int:
        return sum(group.min_size for group in self.groups.values())

    @property
    def burst_group(self) -> str | None:
        """The class's Spot burst group beside an on-demand base, if it has one."""
        spot = [name for name, group in self.groups.items() if group.capacity_type == "SPOT"]
        return spot[0] if spot and len(self.groups) > 1 else None

    def counts(self, consumers: tuple[Consumer, ...]) -> dict[str, int]:
        """Nodes per group holding ``consumers``. One group: everything together. A base with a Spot burst:
        the services on the base (up to its maximum), the placeholders (pinned to Spot) and the services'
        overflow on the burst, as ``simulator.initial_nodes`` counts them."""
        burst = self.burst_group
        if burst is None:
            ((name, group),) = self.groups.items()
            return {name: nodes_to_hold(self.room, list(consumers), group.min_size, group.max_size)}
        (base_name,) = (name for name in self.groups if name != burst)
        base, spot = self.groups[base_name], self.groups[burst]
        services = [c for c in consumers if c.name != HEADROOM]
        on_base = nodes_to_hold(self.room, services, base.min_size, base.max_size)
        overflow = max(sum(c.count * c.cpu_m for c in services) - on_base * self.room.cpu_m, 0)
        pinned = [c for c in consumers if c.name == HEADROOM]
        if overflow:
            pinned.append(Consumer("overflow", 1, overflow, 0))
        return {base_name: on_base, burst: nodes_to_hold(self.room, pinned, spot.min_size, spot.max_size)}

    def nodes(self, consumers: tuple[Consumer, ...]) -> int:
        return sum(self.counts(consumers).values())

    def share(self, consumers: tuple[Consumer, ...]) -> dict[str, float]:
        """Each consumer's share of the class's nodes (its CPU requests over the nodes' allocatable CPU); the
        rest, platform pods and idle room, is ``shared``."""
        total = self.nodes(consumers) * self.room.cpu_m
        shares = {c.name: c.count * c.cpu_m / total for c in consumers if c.count}
        shares["shared"] = 1 - sum(shares.values())
        return shares


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
    """Every node class of ``env`` with what it holds at the steady state, off the peak and at the peak."""
    result = []
    for name in GROUPS:
        members = dict(
            sorted(class_groups(env, name).items(), key=lambda item: item[1].capacity_type == "SPOT")
        )
        rooms = [pod_room(t) for props in members.values() for t in props.instance_types]
        room = min(rooms, key=lambda a: (a.cpu_m, a.memory_mib))
        headroom = placeholders(getattr(env.capacity.headroom, name))
        at = {
            moment: (*_services(env, specs, name, rps), headroom)
            for moment, rps in (
                ("steady", None),
                ("off_peak", traffic.off_peak_rps),
                ("peak", traffic.peak_rps),
            )
        }
        result.append(ClassPlacement(name, members, room, at["steady"], at["off_peak"], at["peak"]))
    return result

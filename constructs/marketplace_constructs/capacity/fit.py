"""The fit check: each node group at its maximum size must hold every service placed on it at its maximum
replicas, with its mesh sidecar, plus the platform's DaemonSets on every node and the group's headroom
placeholders, within what each node can allocate (``instances.allocatable``). A group that cannot is a
configuration mistake: one line naming the group, the shortfall and the largest consumer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from marketplace_constructs.capacity.instances import Allocatable, allocatable
from marketplace_constructs.capacity.props import HeadroomProps
from marketplace_constructs.errors import ConfigError
from marketplace_constructs.workload.service_props import mebibytes, millicores

# Requests (millicores, MiB) of the pods every node runs. Istio's CNI agent and Alloy as the platform layer
# sets them (tests/capacity compares), with Alloy's config reloader at its chart's default (10m/50Mi); the
# rest are the EKS add-ons' own defaults (VPC CNI aws-node 25m; kube-proxy 100m; the EBS CSI node plugin's
# three containers 10m/40Mi each) and GuardDuty's runtime agent, which GuardDuty installs on every node
# (200m/256Mi, "EKS Runtime Monitoring: CPU and memory limits" in the GuardDuty user guide). The node exporter
# sets none.
DAEMONSETS: Final = {
    "aws-node": (25, 0),
    "kube-proxy": (100, 0),
    "ebs-csi-node": (30, 120),
    "istio-cni": (100, 100),
    "alloy": (100, 128),
    "alloy-config-reloader": (10, 50),
    "aws-guardduty-agent": (200, 256),
}
HEADROOM: Final = "headroom"  # the placeholders' consumer name
# The istio-proxy sidecar's requests: the pinned istiod chart's global.proxy.resources.requests default.
SIDECAR: Final = (100, 128)


@dataclass(frozen=True, slots=True)
class Consumer:
    """``count`` pods of ``cpu_m`` millicores and ``memory_mib`` MiB each (sidecar included for services)."""

    name: str
    count: int
    cpu_m: int
    memory_mib: int


@dataclass(frozen=True, slots=True)
class GroupFit:
    """One group at its maximum: what it offers and what must fit."""

    group: str
    instance_type: str
    nodes: int
    room: Allocatable  # what one node leaves pods beside the DaemonSets (``pod_room``)
    consumers: tuple[Consumer, ...]

    @property
    def allocatable_cpu_m(self) -> int:
        return self.nodes * self.room.cpu_m

    @property
    def allocatable_memory_mib(self) -> int:
        return self.nodes * self.room.memory_mib

    @property
    def allocatable_pods(self) -> int:
        return self.nodes * self.room.pods

    @property
    def requested_cpu_m(self) -> int:
        return sum(c.count * c.cpu_m for c in self.consumers)

    @property
    def requested_memory_mib(self) -> int:
        return sum(c.count * c.memory_mib for c in self.consumers)

    @property
    def requested_pods(self) -> int:
        return sum(c.count for c in self.consumers)

    def per_node(self, consumer: Consumer) -> int:
        """How many of ``consumer``'s pods one node holds beside the DaemonSets."""
        return pods_per_node(self.room, consumer.cpu_m, consumer.memory_mib)

    def shortfall(self) -> str | None:
        """The first resource the group lacks, as words; None when everything fits. Totals first, then each
        consumer on its own (whole pods per node: room smaller than one pod is no room)."""
        for what, requested, offered, unit in (
            ("CPU", self.requested_cpu_m, self.allocatable_cpu_m, "m"),
            ("memory", self.requested_memory_mib, self.allocatable_memory_mib, " MiB"),
            ("pods", self.requested_pods, self.allocatable_pods, ""),
        ):
            if requested > offered:
                return (
                    f"{requested - offered:,}{unit} {what} short "
                    f"({requested:,}{unit} requested, {offered:,}{unit} allocatable)"
                )
        for consumer in self.consumers:
            if consumer.count and consumer.count > self.nodes * self.per_node(consumer):
                return (
                    f"{consumer.count - self.nodes * self.per_node(consumer)} {consumer.name} pods short "
                    f"(a node holds {self.per_node(consumer)} of them)"
                )
        return None

    def largest(self) -> Consumer:
        return max(self.consumers, key=lambda c: (c.count * c.cpu_m, c.name))


def pod_room(instance_type: str) -> Allocatable:
    """What one node of ``instance_type`` leaves pods once the platform's DaemonSets run on it."""
    node = allocatable(instance_type)
    return Allocatable(
        node.cpu_m - sum(cpu for cpu, _ in DAEMONSETS.values()),
        node.memory_mib - sum(memory for _, memory in DAEMONSETS.values()),
        node.pods - len(DAEMONSETS),
    )


def pods_per_node(room: Allocatable, cpu_m: int, memory_mib: int) -> int:
    """Whole pods of ``cpu_m`` and ``memory_mib`` that fit in ``room``."""
    return min(room.cpu_m // cpu_m, room.memory_mib // memory_mib, room.pods)


def group_fit(
    group: str, instance_types: tuple[str, ...], max_nodes: int, consumers: list[Consumer]
) -> GroupFit:
    """The group with the smallest of its instance types (the autoscaler may launch any of them)."""
    rooms = {t: pod_room(t) for t in instance_types}
    smallest = min(instance_types, key=lambda t: (rooms[t].cpu_m, rooms[t].memory_mib))
    return GroupFit(group, smallest, max_nodes, rooms[smallest], tuple(consumers))


def placeholders(headroom: HeadroomProps) -> Consumer:
    """The group's headroom pods as a consumer."""
    return Consumer(HEADROOM, headroom.pods, millicores(headroom.cpu), mebibytes(headroom.memory))


def check(fits: list[GroupFit]) -> None:
    """Stop at the first group that cannot hold what it must, naming it, the shortfall and the largest
    consumer."""
    for fit in fits:
        short = fit.shortfall()
        if short:
            largest = fit.largest()
            raise ConfigError(
                f"node group {fit.group!r} at its maximum ({fit.nodes} x {fit.instance_type}) is {short}; "
                f"largest consumer: {largest.name} "
                f"({largest.count} x {largest.cpu_m}m/{largest.memory_mib}Mi)"
            )


def nodes_to_hold(room: Allocatable, consumers: list[Consumer], min_nodes: int, max_nodes: int) -> int:
    """The nodes a group runs to hold ``consumers`` (the autoscaler adds nodes only for what does not fit):
    its minimum, or the nodes their CPU, memory and pod count need together (and each consumer's whole pods
    alone), whichever is more, at most its maximum. The simulator starts a service's group by the same rule,
    counted in that service's pod slots (``simulator.initial_nodes``)."""
    needed = max(
        math.ceil(sum(c.count * c.cpu_m for c in consumers) / room.cpu_m),
        math.ceil(sum(c.count * c.memory_mib for c in consumers) / room.memory_mib),
        math.ceil(sum(c.count for c in consumers) / room.pods),
        # whole pods: a node holds only as many of one consumer's pods as fit in it whole
        *(math.ceil(c.count / pods_per_node(room, c.cpu_m, c.memory_mib)) for c in consumers if c.count),
    )
    return min(max(needed, min_nodes), max_nodes)

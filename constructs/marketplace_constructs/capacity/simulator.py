"""A deterministic replay of one service's autoscaling response to a load curve, second by second, without a
cluster: the HPA (``hpa.decide``) sees the load after the metrics pipeline's delay, new pods are scheduled on
free node capacity or preempt placeholder pods, and otherwise wait for the cluster autoscaler.

Rules modelled, each from its documentation:
- metrics-server scrapes every 15 s (its --metric-resolution) and reports usage over that window, so the HPA
  sees a change ``metrics_delay_seconds`` late (default 30 s: a window and a scrape);
- the scheduler places a pending pod on a node with room for its requests; a pod of a higher priority
  preempts lower-priority pods when nothing has room (kubernetes.io "Pod Priority and Preemption"), so a
  placeholder of negative priority yields its room at once;
- cluster-autoscaler looks for unschedulable pods every ``scan_interval_seconds`` (10 s, --scan-interval) and
  adds the nodes they need up to the group's maximum ("FAQ: How does scale-up work?"); a node then takes
  ``launch_seconds`` (EC2 launch and boot) plus ``node_ready_seconds`` (kubelet and CNI) to take pods;
- a scheduled pod is ready after pulling its image and passing its startup and readiness probes once;
- scale-down removes the newest pods first (the ReplicaSet controller's preference for the youngest).

The service is simulated alone on its node group: the group's other tenants are not in the picture.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from marketplace_constructs.capacity.hpa import DEFAULT_SYNC_SECONDS, HpaSpec, HpaState, decide


@dataclass(frozen=True, slots=True)
class Timing:
    """Delays of the pipeline (seconds)."""

    metrics_delay_seconds: int = 30
    sync_seconds: int = DEFAULT_SYNC_SECONDS
    scan_interval_seconds: int = 10
    launch_seconds: int = 75
    node_ready_seconds: int = 30
    pod_start_seconds: int = 27  # image pull and the first startup and readiness probe successes


@dataclass(frozen=True, slots=True)
class GroupModel:
    """The service's node group: its size bounds and how many of the service's pods one node holds, plus the
    placeholder pods kept on it and how many of the service's pods each one's room takes."""

    min_nodes: int
    max_nodes: int
    pods_per_node: int
    placeholders: int = 0
    pods_per_placeholder: int = 0


@dataclass(frozen=True, slots=True)
class Moment:
    """The state at one second: replicas the HPA wants, pods scheduled and ready, nodes ready."""

    t: int
    desired: int
    scheduled: int
    ready: int
    nodes: int


@dataclass(slots=True)
class _Pod:
    scheduled_at: int | None = None


@dataclass(slots=True)
class _Cluster:
    nodes: int
    arriving: list[int] = field(default_factory=list)  # times new nodes become ready
    placeholders_running: int = 0
    placeholders_pending: int = 0


def simulate(
    hpa: HpaSpec, group: GroupModel, load: Callable[[int], float], seconds: int, timing: Timing = Timing()
) -> list[Moment]:
    """The timeline of ``seconds`` seconds from a steady state at ``load(0)``'s replica count; ``load(t)`` is
    the CPU the service needs at second ``t``, in units of one pod's request (t < 0 is the steady state)."""
    start = min(max(math.ceil(load(-1) / (hpa.cpu_target_percent / 100)), hpa.min_replicas), hpa.max_replicas)
    cluster = _Cluster(nodes=initial_nodes(group, start), placeholders_running=group.placeholders)
    pods = [_Pod(scheduled_at=-10_000) for _ in range(start)]
    state, desired, timeline = HpaState(), start, []
    for t in range(seconds + 1):
        cluster.nodes += sum(1 for at in cluster.arriving if at == t)
        cluster.arriving = [at for at in cluster.arriving if at > t]
        if t % timing.sync_seconds == 0:
            desired = decide(hpa, state, t, desired, load(t - timing.metrics_delay_seconds))
            pods = pods[:desired] + [_Pod() for _ in range(desired - len(pods))]
        _schedule(pods, cluster, group, t)
        if t % timing.scan_interval_seconds == 0:
            _autoscale(pods, cluster, group, t, timing)
        ready = sum(
            1 for p in pods if p.scheduled_at is not None and t >= p.scheduled_at + timing.pod_start_seconds
        )
        scheduled = sum(1 for p in pods if p.scheduled_at is not None)
        timeline.append(Moment(t, desired, scheduled, ready, cluster.nodes))
    return timeline


def initial_nodes(group: GroupModel, pods: int) -> int:
    """The nodes the group runs before the load changes: room for ``pods`` and the placeholders, counted in
    the service's pod slots, never below the minimum or above the maximum (``fit.nodes_to_hold``'s rule,
    which the cost estimate applies to the whole class)."""
    slots = pods + group.placeholders * group.pods_per_placeholder
    return min(max(group.min_nodes, math.ceil(slots / group.pods_per_node)), group.max_nodes)


def _free_slots(pods: list[_Pod], cluster: _Cluster, group: GroupModel) -> int:
    used = sum(1 for p in pods if p.scheduled_at is not None)
    return (
        cluster.nodes * group.pods_per_node - used - cluster.placeholders_running * group.pods_per_placeholder
    )


def _schedule(pods: list[_Pod], cluster: _Cluster, group: GroupModel, t: int) -> None:
    """Place pending pods: on free room first, then by preempting placeholders; then re-place placeholders."""
    for pod in (p for p in pods if p.scheduled_at is None):
        if _free_slots(pods, cluster, group) <= 0 and cluster.placeholders_running:
            cluster.placeholders_running -= 1  # preempted: its room is free now, and it waits for a node
            cluster.placeholders_pending += 1
        if _free_slots(pods, cluster, group) > 0:
            pod.scheduled_at = t
    while cluster.placeholders_pending and _free_slots(pods, cluster, group) >= group.pods_per_placeholder:
        cluster.placeholders_pending -= 1
        cluster.placeholders_running += 1


def _autoscale(pods: list[_Pod], cluster: _Cluster, group: GroupModel, t: int, timing: Timing) -> None:
    """Cluster autoscaler: nodes for what is pending (pods and placeholders), beyond nodes already coming."""
    pending = sum(1 for p in pods if p.scheduled_at is None)
    pending += cluster.placeholders_pending * group.pods_per_placeholder
    needed = math.ceil(pending / group.pods_per_node) - len(cluster.arriving)
    room = group.max_nodes - cluster.nodes - len(cluster.arriving)
    for _ in range(max(min(needed, room), 0)):
        cluster.arriving.append(t + timing.launch_seconds + timing.node_ready_seconds)


def time_to(timeline: list[Moment], reached: Callable[[Moment], bool]) -> int | None:
    """The first second from which ``reached`` holds to the end of the timeline; None if it does not hold at
    the end."""
    settled = None
    for moment in reversed(timeline):
        if not reached(moment):
            break
        settled = moment.t
    return settled

"""The HorizontalPodAutoscaler's decision, as Kubernetes documents it
(https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/), for the simulator:

- desiredReplicas = ceil(currentReplicas x currentMetricValue / desiredMetricValue), skipped while the ratio
  is within the tolerance (0.1 by default, kube-controller-manager --horizontal-pod-autoscaler-tolerance);
  while scaling up, pods that are not yet ready count as using 0 % ("Algorithm details"), so the average is
  taken over every replica;
- the controller acts every sync period (15 s, --horizontal-pod-autoscaler-sync-period);
- "Configurable scaling behavior": each direction has policies (Pods or Percent per periodSeconds); the change
  a policy allows is measured from the replica count at the start of its period; selectPolicy Max takes the
  policy allowing the most change, Min the least, Disabled none; a stabilization window keeps the highest
  recommendation of the window when scaling down and the lowest when scaling up;
- "Default Behavior": scale up with no stabilization, by the larger of 100 % or 4 pods per 15 s; scale down
  after a 300 s window, by up to 100 % per 15 s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final, Literal

DEFAULT_TOLERANCE: Final = 0.1
DEFAULT_SYNC_SECONDS: Final = 15


@dataclass(frozen=True, slots=True)
class Policy:
    kind: Literal["Pods", "Percent"]
    value: int
    period_seconds: int


@dataclass(frozen=True, slots=True)
class Direction:
    """One direction's rules: policies, how they combine, and the stabilization window."""

    policies: tuple[Policy, ...]
    select: Literal["Max", "Min", "Disabled"] = "Max"
    window_seconds: int = 0


DEFAULT_UP: Final = Direction((Policy("Percent", 100, 15), Policy("Pods", 4, 15)), "Max", 0)
DEFAULT_DOWN: Final = Direction((Policy("Percent", 100, 15),), "Max", 300)


@dataclass(frozen=True, slots=True)
class HpaSpec:
    """One service's autoscaler: bounds, CPU target (% of the request) and the two directions' rules."""

    min_replicas: int
    max_replicas: int
    cpu_target_percent: int
    up: Direction = DEFAULT_UP
    down: Direction = DEFAULT_DOWN
    tolerance: float = DEFAULT_TOLERANCE


@dataclass(slots=True)
class HpaState:
    """What the controller remembers: its recommendations and its scale events (time, replicas before,
    replicas after)."""

    recommendations: list[tuple[int, int]] = field(default_factory=list)
    events: list[tuple[int, int, int]] = field(default_factory=list)


def recommend(spec: HpaSpec, current: int, load: float) -> int:
    """The raw recommendation for ``load`` (CPU in units of one pod's request) spread over ``current``
    replicas; ``current`` when the usage ratio is within the tolerance."""
    ratio = (load / max(current, 1)) / (spec.cpu_target_percent / 100)
    if abs(ratio - 1) <= spec.tolerance:
        return current
    return max(math.ceil(current * ratio), 1)


def _start_of_period(state: HpaState, now: int, period: int, current: int) -> int:
    """The replica count ``period`` seconds ago: the current one minus the changes made since."""
    changed = sum(after - before for at, before, after in state.events if at > now - period)
    return current - changed


def _limit(direction: Direction, state: HpaState, now: int, current: int, up: bool) -> int:
    """The farthest the policies let the replicas move from ``current`` (up or down) at ``now``."""
    if direction.select == "Disabled":
        return current
    limits = []
    for policy in direction.policies:
        start = _start_of_period(state, now, policy.period_seconds, current)
        if policy.kind == "Pods":
            limits.append(start + policy.value if up else start - policy.value)
        elif up:
            limits.append(math.ceil(start * (1 + policy.value / 100)))
        else:
            limits.append(math.floor(start * (1 - policy.value / 100)))
    most_change = max(limits) if up else min(limits)
    least_change = min(limits) if up else max(limits)
    return most_change if direction.select == "Max" else least_change


def decide(spec: HpaSpec, state: HpaState, now: int, current: int, load: float) -> int:
    """One sync: the new replica count, after stabilization, the rate policies and the bounds."""
    raw = recommend(spec, current, load)
    state.recommendations.append((now, raw))
    if raw > current:
        window = [r for t, r in state.recommendations if t > now - spec.up.window_seconds] or [raw]
        target = min(min(window), _limit(spec.up, state, now, current, up=True))
        target = max(target, current)
    elif raw < current:
        window = [r for t, r in state.recommendations if t > now - spec.down.window_seconds] or [raw]
        target = max(max(window), _limit(spec.down, state, now, current, up=False))
        target = min(target, current)
    else:
        target = current
    target = min(max(target, spec.min_replicas), spec.max_replicas)
    if target != current:
        state.events.append((now, current, target))
    return target

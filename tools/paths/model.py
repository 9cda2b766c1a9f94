"""Hops and paths: a path is the list of hops a request (or a release) takes; the walk stops at the first hop
that does not connect and names it with its evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal

Status = Literal["ok", "broken", "unproved"]


@dataclass(frozen=True, slots=True)
class Hop:
    """One hop: its name, whether it connects, the evidence (addresses, ports, labels, policies) and, for
    the next hop, what it found (a resource, a port)."""

    name: str
    status: Status
    evidence: str
    found: Any = None


def hop(name: str, ok: bool, evidence: str, found: Any = None) -> Hop:
    return Hop(name, "ok" if ok else "broken", evidence, found)


def unproved(name: str, reason: str) -> Hop:
    """A hop only a real cluster or account can show: reported with the reason, never as passing."""
    return Hop(name, "unproved", reason)


class Broken(Exception):
    """Raised inside a walk at its first broken hop."""


@dataclass(slots=True)
class Walk:
    """A path being walked: ``walk(hop)`` records the hop and returns what it found; a broken hop ends the
    walk (the ``with`` block swallows the stop)."""

    kind: str
    subject: str
    hops: list[Hop] = field(default_factory=list)

    def __call__(self, step: Hop) -> Any:
        self.hops.append(step)
        if step.status == "broken":
            raise Broken(step.name)
        return step.found

    def __enter__(self) -> Walk:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> bool:
        return kind is Broken

    @property
    def broken(self) -> Hop | None:
        return next((step for step in self.hops if step.status == "broken"), None)

    @property
    def unproved(self) -> list[Hop]:
        return [step for step in self.hops if step.status == "unproved"]

"""The input checks the environment reports (diagram, cost, capacity) share: each returns the one-line reason
to refuse (printed as ``error: ...``, exit 2), or None."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

FOUNDATION: str = "-foundation"


def unknown_environment(requested: Iterable[str], known: Iterable[str]) -> str | None:
    names = list(known)
    unknown = sorted(set(requested) - set(names))
    return f"unknown environment {unknown[0]!r}; allowed: {', '.join(names)}" if unknown else None


def synthesized_environments(synth_dir: Path) -> tuple[str, ...]:
    """The environments of the synthesized app (its ``<env>-foundation`` stacks), in the app's deploy order;
    () without a synthesized app."""
    manifest = synth_dir / "manifest.json"
    if not manifest.is_file():
        return ()
    stacks = json.loads(manifest.read_text(encoding="utf-8"))["stacks"]
    return tuple(stack.removesuffix(FOUNDATION) for stack in stacks if stack.endswith(FOUNDATION))


def missing_synth(synth_dir: Path) -> str | None:
    manifest = synth_dir / "manifest.json"
    return None if manifest.is_file() else f"{manifest} not found: run bin/dev synth first"

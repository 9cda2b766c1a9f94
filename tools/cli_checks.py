"""The input checks the environment reports (diagram, cost, capacity) share: each returns the one-line reason
to refuse (printed as ``error: ...``, exit 2), or None."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def unknown_environment(requested: Iterable[str], known: Iterable[str]) -> str | None:
    names = list(known)
    unknown = sorted(set(requested) - set(names))
    return f"unknown environment {unknown[0]!r}; allowed: {', '.join(names)}" if unknown else None


def missing_synth(synth_dir: Path) -> str | None:
    manifest = synth_dir / "manifest.json"
    return None if manifest.is_file() else f"{manifest} not found: run bin/dev synth first"

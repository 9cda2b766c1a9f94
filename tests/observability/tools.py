"""The Debian tools the alerting tests run (unpacked by bin/dev into .tools/); a missing tool fails."""

from __future__ import annotations

import subprocess
from pathlib import Path

TOOLS = Path(__file__).parents[2] / ".tools" / "usr" / "bin"


def run_tool(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``name`` from .tools with ``args``; fail (never skip) when bin/dev has not unpacked it."""
    tool = TOOLS / name
    assert tool.is_file(), f"{tool} is missing: run the tests through bin/dev test, which unpacks it"
    return subprocess.run([str(tool), *args], capture_output=True, text=True, check=False, timeout=120)

"""Which stacks a change touches: a stack is changed when its synthesized JSON differs from the base branch's
(or the base has no such stack). Only stacks CI can plan are listed: those whose synthesized backend is S3
(not the bootstrap stacks, which keep local state, nor an environment configured with local state). Prints
the plan matrix as JSON for GitHub Actions, ``[{"stack": ..., "env": ..., "runner": ...}]``: ``env`` is the
stack's plan environment and ``runner`` the runner that reaches what its plan reads, both from the
synthesis' ``ci.json`` (stacks/ci.py); the drift workflow uses it too.

    python -m tools.changed_stacks HEAD_SYNTH [BASE_SYNTH]     (without BASE_SYNTH: every plannable stack)
    python -m tools.changed_stacks --bootstrap HEAD_SYNTH BASE_SYNTH

With ``--bootstrap``: the environments whose bootstrap stack changed, as a JSON list (the deploy workflow
stops those environments' deploys until an administrator has deployed the bootstrap stack by hand).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def plannable(synth_dir: Path) -> list[str]:
    """The stacks whose synthesized backend keeps state in S3, sorted."""
    stacks = json.loads((synth_dir / "manifest.json").read_text())["stacks"]
    return sorted(s for s in stacks if "s3" in _backend(synth_dir / "stacks" / s / "cdk.tf.json"))


def _backend(stack_file: Path) -> dict[str, object]:
    backend: dict[str, object] = json.loads(stack_file.read_text())["terraform"]["backend"]
    return backend


def changed(head: Path, base: Path | None) -> list[str]:
    """The plannable stacks of ``head`` whose JSON differs from ``base``'s (all of them without a base)."""
    stacks = plannable(head)
    if base is None:
        return stacks
    return [stack for stack in stacks if _differs(head, base, stack)]


def changed_bootstraps(head: Path, base: Path) -> list[str]:
    """The environments whose ``<env>-bootstrap`` stack in ``head`` differs from ``base``'s, sorted."""
    stacks = json.loads((head / "manifest.json").read_text())["stacks"]
    return sorted(
        s.removesuffix("-bootstrap") for s in stacks if s.endswith("-bootstrap") and _differs(head, base, s)
    )


def _differs(head: Path, base: Path, stack: str) -> bool:
    """True when ``stack`` is new in ``head`` or its JSON differs from ``base``'s."""
    before = base / "stacks" / stack / "cdk.tf.json"
    return (
        not before.is_file() or before.read_bytes() != (head / "stacks" / stack / "cdk.tf.json").read_bytes()
    )


def main(argv: list[str]) -> int:
    if argv[:1] == ["--bootstrap"] and len(argv) == 3:
        print(json.dumps(changed_bootstraps(Path(argv[1]), Path(argv[2]))))
        return 0
    if len(argv) not in (1, 2) or argv[0].startswith("--"):
        print(__doc__, file=sys.stderr)
        return 2
    head, base = Path(argv[0]), Path(argv[1]) if len(argv) == 2 else None
    print(json.dumps(targets(head, changed(head, base))))
    return 0


def targets(head: Path, stacks: list[str]) -> list[dict[str, object]]:
    """The matrix entries of ``stacks``: each one's plan environment and runner (``head/ci.json``)."""
    ci = json.loads((head / "ci.json").read_text())["stacks"]
    return [
        {"stack": stack, "env": ci[stack]["plan_environment"], "runner": ci[stack]["runner"]}
        for stack in stacks
    ]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

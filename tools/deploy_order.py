"""The environments a push to a branch deploys, in the registry's deploy order, as a JSON list for the deploy
workflow's matrix (read from the synthesis' ``ci.json``, written by stacks/ci.py from each environment's
``deploy_branch``). Standard library only.

    python -m tools.deploy_order SYNTH_DIR BRANCH          (what a push to BRANCH deploys; [] for none)
    python -m tools.deploy_order SYNTH_DIR --every-branch   (every environment some branch deploys)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def deploys(synth_dir: Path) -> dict[str, list[str]]:
    """Branch -> the environments its pushes deploy, in order."""
    document = json.loads((synth_dir / "ci.json").read_text(encoding="utf-8"))
    found: dict[str, list[str]] = document["deploys"]
    return found


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(
            "error: usage: python -m tools.deploy_order SYNTH_DIR (BRANCH | --every-branch)", file=sys.stderr
        )
        return 2
    synth_dir, branch = Path(argv[0]), argv[1]
    if not (synth_dir / "ci.json").is_file():
        print(f"error: {synth_dir / 'ci.json'} not found: run bin/dev synth first", file=sys.stderr)
        return 2
    by_branch = deploys(synth_dir)
    if branch == "--every-branch":
        print(json.dumps([env for envs in by_branch.values() for env in envs]))
    else:
        print(json.dumps(by_branch.get(branch.removeprefix("refs/heads/"), [])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""What to create on GitHub for the synthesized environments, read from ``cdktf.out/ci.json`` (stacks/ci.py):
each GitHub environment with its variables and their values, its deployment branch and whether a reviewer
gates it, and the labels of each environment's self-hosted runners. docs/ci.md's set-up checklist says what
each is for; this prints the names and values, so an environment added to the registry is listed with no
edit. Standard library only.

    python -m tools.github_setup [SYNTH_DIR]      (bin/dev github-setup)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def render(document: dict[str, Any]) -> str:
    out = ["GitHub environments (Settings > Environments), two per environment:"]
    for name, github in document["environments"].items():
        variables = ", ".join(f"{key}={value}" for key, value in sorted(github["variables"].items()))
        branch = f"deployment branch {github['branch']}" if github["branch"] else "any branch"
        reviewer = "a required reviewer" if github["reviewer"] else "no reviewer"
        out.append(f"  {name}: {variables}; {branch}; {reviewer}")
    out.append("Self-hosted runners in each environment's VPC (labels), plans and deploys on separate hosts:")
    for env, pools in document["runners"].items():
        out.append(f"  {env}: plan {', '.join(pools['plan'])}; deploy {', '.join(pools['deploy'])}")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    if len(argv) > 1:
        print("error: usage: bin/dev github-setup [SYNTH_DIR]", file=sys.stderr)
        return 2
    ci = Path(argv[0] if argv else "cdktf.out") / "ci.json"
    if not ci.is_file():
        print(f"error: {ci} not found: run bin/dev synth first", file=sys.stderr)
        return 2
    print(render(json.loads(ci.read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Where CI runs each stack, written beside the synthesized stacks (``cdktf.out/ci.json``) so the workflows
read it instead of keeping a list of their own: the GitHub environment of its plans, and the runner that can
reach what its plan reads.

- A stack with the kubernetes or helm provider talks to its cluster's API, which is private: its plans and
  drift checks run on the environment's runner inside the VPC (labels ``IN_VPC_LABELS``; the deploy workflow
  uses the same labels). The AWS-only stacks plan from GitHub's hosted runners.
- Plans and drift run in ``<env>-plan``, a GitHub environment without the deploy environment's reviewer; the
  bootstrap stack trusts the plan role for that environment only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Final

from cdktf import App

HOSTED_RUNNER: Final = "ubuntu-24.04"


def in_vpc_labels(env: str) -> list[str]:
    """The labels of ``env``'s self-hosted runner in its VPC (register it with them; README, CI)."""
    return ["self-hosted", "linux", f"llm-marketplace-{env}"]


def plan_environment(env: str) -> str:
    """The GitHub environment of ``env``'s plans and drift checks (no reviewer, any branch)."""
    return f"{env}-plan"


def write_ci_targets(app: App, stacks: dict[str, tuple[str, bool]]) -> None:
    """``<outdir>/ci.json``: per stack id (``stacks``: id -> (environment, whether it reaches the cluster's
    API)), its environment, plan environment and plan runner."""
    targets = {
        stack_id: {
            "env": env,
            "plan_environment": plan_environment(env),
            "runner": in_vpc_labels(env) if reaches_cluster else HOSTED_RUNNER,
        }
        for stack_id, (env, reaches_cluster) in sorted(stacks.items())
    }
    Path(app.outdir, "ci.json").write_text(json.dumps({"stacks": targets}, indent=2, sort_keys=True) + "\n")

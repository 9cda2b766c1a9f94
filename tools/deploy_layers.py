"""Deploy one environment's synthesized stacks in layer order, each by applying exactly the plan just saved.

For each of ``<env>-foundation``, ``-platform`` and ``-apps`` (the bootstrap stacks keep local state and are
deployed by hand): ``terraform init``, ``terraform plan -out=tfplan``, then ``terraform apply tfplan`` of that
saved plan, so what is applied is what was planned (Terraform refuses a saved plan whose state has moved on:
a stale plan fails instead of applying something else). The first failure stops the environment, since
later layers read the earlier ones' state. A stack that declares the write-only database password gets it
from ``<env>/postgres/master`` in Secrets Manager, in the environment only, never on the command line.

    python -m tools.deploy_layers ENV [--synth cdktf.out] [--dry-run]   (the deploy workflow)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Final

LAYERS: Final = ("foundation", "platform", "apps")
PASSWORD_VARIABLE: Final = "database_master_password"


def stacks_to_deploy(synth_dir: Path, env: str) -> list[str]:
    """``env``'s foundation, platform and apps stacks of the synthesized app, in deploy order."""
    stacks = json.loads((synth_dir / "manifest.json").read_text())["stacks"]
    found = [f"{env}-{layer}" for layer in LAYERS if f"{env}-{layer}" in stacks]
    if not found:
        raise SystemExit(f"deploy_layers: no stacks of environment {env!r} in {synth_dir}/manifest.json")
    return found


def needs_master_password(stack_dir: Path) -> bool:
    """True when the stack declares the write-only database password variable."""
    doc = json.loads((stack_dir / "cdk.tf.json").read_text())
    return PASSWORD_VARIABLE in doc.get("variable", {})


# Run inside the stack's folder: init, plan to a file, apply exactly that file.
COMMANDS: Final = (
    ("terraform", "init", "-input=false", "-no-color"),
    ("terraform", "plan", "-input=false", "-no-color", "-out=tfplan"),
    ("terraform", "apply", "-input=false", "-no-color", "tfplan"),
)


def master_password(env: str) -> str:
    """``<env>/postgres/master`` from Secrets Manager (the deploy role may read it)."""
    result = subprocess.run(
        ["aws", "secretsmanager", "get-secret-value", "--secret-id", f"{env}/postgres/master",
         "--query", "SecretString", "--output", "text"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("env")
    parser.add_argument("--synth", type=Path, default=Path("cdktf.out"))
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    args = parser.parse_args(argv)
    for stack in stacks_to_deploy(args.synth, args.env):
        stack_dir = args.synth / "stacks" / stack
        environment = dict(os.environ)
        if needs_master_password(stack_dir) and not args.dry_run:
            environment[f"TF_VAR_{PASSWORD_VARIABLE}"] = master_password(args.env)
        for command in COMMANDS:
            print(f"{stack}: {' '.join(command)}", flush=True)
            if not args.dry_run:
                subprocess.run(command, cwd=stack_dir, env=environment, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""``bin/dev paths [ENV ...] [--summary]``: walk every path of each environment over ``cdktf.out`` and print
one line per hop with its evidence; a standby is walked in both roles (the other one synthesized into a
scratch folder), with its failover paths and runbook; then the CI identities of every workflow run and each
deploy role's boundary (``tools/paths/identity.py``, ``escalation.py``). Exits 1 naming every path's first
broken hop, 2 on bad input."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

import environments
import services
from environments.base import EnvironmentConfig, RecoveryRole
from environments.repository import REPOSITORY
from tools.cli_checks import missing_synth, unknown_environment
from tools.paths.accounts import Accounts
from tools.paths.escalation import boundary_paths
from tools.paths.failover import failover_paths, runbook_path
from tools.paths.identity import identity_paths
from tools.paths.model import Walk
from tools.paths.proofs import Declared, prove
from tools.paths.view import EnvView, Synth

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
FAILOVER_RUNBOOK = ROOT / "docs" / "runbooks" / "backup-and-restore.md"

SYMBOL = {"ok": "ok", "broken": "BROKEN", "unproved": "unproved"}


def declared(env: EnvironmentConfig) -> Declared:
    """What the service registry and ``env``'s configuration declare: callers, stores, and operators on
    the environment's operator name (and its primary's, for a standby)."""
    primary = next((e for e in environments.ALL if env.standby and e.name == env.standby.primary), None)
    hosts = tuple(
        name for name in (env.edge.operator_domain, primary.edge.operator_domain if primary else None) if name
    )
    operators = env.operators
    return Declared(
        callers={spec.name: spec.callers for spec in services.SPECS},
        stores={spec.name: tuple(spec.data_stores) for spec in services.SPECS},
        operator_hosts=hosts,
        operator_issuer=operators.issuer if operators else None,
        operator_groups=operators.groups if operators else (),
        group_claim=operators.group_claim if operators else "groups",
    )


def other_role(env: EnvironmentConfig, synth: Synth) -> tuple[str, Synth]:
    """A standby's stacks in its other role, synthesized as that role's deploy would
    (``environments.in_role``), laid over ``synth`` (whose primary stacks a standby reads)."""
    from stacks import lazy_providers

    lazy_providers.install()
    from stacks.build import build_app
    from stacks.synth import synth_atomically

    assert env.standby is not None
    role: RecoveryRole = "active" if env.standby.role == "standby" else "standby"
    with tempfile.TemporaryDirectory() as scratch:
        outdir = Path(scratch) / "cdktf.out"
        synth_atomically(outdir, lambda app: build_app(app, environments.in_role(env, role), services.SPECS))
        other = Synth.read(outdir)
    return role, Synth({**synth.stacks, **other.stacks})


def walks(env: EnvironmentConfig, synth: Synth) -> list[tuple[str, list[Walk]]]:
    """(label, walks) for ``env`` as synthesized and, for a standby, in its other role, each with its
    failover paths, and the failover runbook against both roles."""
    primary = EnvView(synth, env.standby.primary) if env.standby else None
    view = EnvView(synth, env.name)
    own = prove(view, declared(env), primary=primary)
    if not env.standby:
        return [(env.name, own)]
    found = [(f"{env.name} ({env.standby.role})", own + failover_paths(view, env, None, primary))]
    role, switched = other_role(env, synth)
    before = EnvView(synth, env.name) if role == "active" else None
    other = EnvView(switched, env.name)
    found.append(
        (
            f"{env.name} ({role})",
            prove(other, declared(env), before=before, primary=primary)
            + failover_paths(other, env, before, primary),
        )
    )
    standby, active = (synth, switched) if role == "active" else (switched, synth)
    found.append((f"{env.name} runbook", [runbook_path(FAILOVER_RUNBOOK, standby, active)]))
    return found


def ci_walks(synth: Synth, synth_dir: Path, selected: list[str], workflows: Path = WORKFLOWS) -> list[Walk]:
    """Every run of ``workflows`` (this checkout's) walked for its identity, and every deploy role's
    boundary (of ``selected`` environments, all without)."""
    chosen = [env for env in environments.ALL if not selected or env.name in selected]
    return identity_paths(
        synth,
        synth_dir,
        workflows,
        environments.ALL,
        REPOSITORY,
        {spec.name: spec.image_source for spec in services.SPECS if spec.image_source},
        selected or None,
        ROOT,
    ) + boundary_paths(Accounts(synth), chosen, REPOSITORY)


def render(label: str, result: list[Walk], summary: bool) -> list[str]:
    broken = [walk for walk in result if walk.broken]
    pending = sum(len(walk.unproved) for walk in result)
    lines = [
        f"== {label}: {len(result)} paths, {len(result) - len(broken)} connect, {pending} hops unproved =="
    ]
    for walk in result:
        state = "BROKEN at " + walk.broken.name if walk.broken else "connects"
        lines.append(f"{walk.kind} {walk.subject}: {state}")
        if summary and not walk.broken:
            continue
        for step in walk.hops:
            lines.append(f"  {SYMBOL[step.status]:<9} {step.name:<24} {step.evidence}")
    return lines


def as_json(label: str, result: list[Walk]) -> dict[str, object]:
    """One label's walks for ``--format json``: each walk's kind, subject, whether it connects, and its hops
    (name, status ok/broken/unproved, evidence)."""
    return {
        "label": label,
        "walks": [
            {
                "kind": walk.kind,
                "subject": walk.subject,
                "connects": walk.broken is None,
                "hops": [{"name": h.name, "status": h.status, "evidence": h.evidence} for h in walk.hops],
            }
            for walk in result
        ],
    }


def main(argv: list[str]) -> int:
    names = [env.name for env in environments.ALL]
    parser = argparse.ArgumentParser(
        prog="bin/dev paths", description="Prove the request, service, data and release paths."
    )
    parser.add_argument("envs", metavar="ENV", nargs="*", help=f"any of {', '.join(names)}; default: all")
    parser.add_argument("--summary", action="store_true", help="one line per path; hops only where broken")
    parser.add_argument(
        "--format", choices=("text", "json"), default="text", help="json: every walk, hop by hop"
    )
    args = parser.parse_args(argv)
    synth_dir = Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out"))
    problem = unknown_environment(args.envs, names) or missing_synth(synth_dir)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    synth = Synth.read(synth_dir)
    results = [
        (label, result)
        for env in environments.ALL
        if not args.envs or env.name in args.envs
        for label, result in walks(env, synth)
    ]
    results.append(("CI identities and deploy boundaries", ci_walks(synth, synth_dir, args.envs)))
    if args.format == "json":
        print(json.dumps([as_json(label, result) for label, result in results], indent=2))
    else:
        for label, result in results:
            print("\n".join(render(label, result, args.summary)))
    failures = [
        f"{label}: {w.kind} {w.subject}: {w.broken.name}: {w.broken.evidence}"
        for label, result in results
        for w in result
        if w.broken
    ]
    for failure in failures:
        print(f"broken: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Capacity per environment from its configuration: ``bin/dev capacity [ENV ...] [--format table|json]``.

For each service, the reference design's scenarios (environments/capacity.py) replayed by the simulator: the
seconds until capacity is ready (or the drop is handled), the reference target and the verdict. For each node
group at its maximum, what its services at their maximum, the DaemonSets and the headroom request against
what it can allocate. Exits 1 when a spike scenario of a serving production-tier environment (not a standby
standing by) misses its target.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import environments
import services
from environments.capacity import fits, outcomes
from tools.cli_checks import unknown_environment


def _seconds(value: int | None) -> str:
    return "never" if value is None else f"{value} s"


def report(names: list[str]) -> dict[str, Any]:
    """Scenario outcomes and group fits of the environments ``names``."""
    result: dict[str, Any] = {}
    for env in environments.ALL:
        if env.name not in names:
            continue
        result[env.name] = {
            "scenarios": [
                {"service": o.service, "scenario": o.scenario.name, "pods": [o.pods_from, o.pods_to],
                 "seconds": o.seconds, "target_seconds": o.scenario.target_seconds, "holds": o.holds}
                for o in outcomes(env, services.SPECS)
            ],
            "groups": [
                {"group": f.group, "nodes": f.nodes, "instance_type": f.instance_type,
                 "cpu_m": [f.requested_cpu_m, f.allocatable_cpu_m],
                 "memory_mib": [f.requested_memory_mib, f.allocatable_memory_mib],
                 "pods": [f.requested_pods, f.allocatable_pods], "shortfall": f.shortfall()}
                for f in fits(env, services.SPECS)
            ],
        }  # fmt: skip
    return result


def render(data: dict[str, Any]) -> str:
    out = []
    for env, parts in data.items():
        out.append(f"{env}: scenarios (time until capacity is ready, or the drop handled)")
        out.append(f"  {'service':<12} {'scenario':<16} {'pods':>10} {'time':>8} {'target':>7}  verdict")
        for s in parts["scenarios"]:
            pods = f"{s['pods'][0]}->{s['pods'][1]}"
            verdict = "holds" if s["holds"] else "MISSES"
            out.append(
                f"  {s['service']:<12} {s['scenario']:<16} {pods:>10} {_seconds(s['seconds']):>8} "
                f"{s['target_seconds']:>5} s  {verdict}"
            )
        out.append(f"{env}: node groups at their maximum (requested / allocatable)")
        for g in parts["groups"]:
            out.append(
                f"  {g['group']:<8} {g['nodes']:>3} x {g['instance_type']:<12} CPU {g['cpu_m'][0]:>8,}m / "
                f"{g['cpu_m'][1]:>8,}m  memory {g['memory_mib'][0]:>8,} / {g['memory_mib'][1]:>8,} MiB  "
                f"pods {g['pods'][0]:>4} / {g['pods'][1]:>5}  "
                f"{'fits' if not g['shortfall'] else g['shortfall']}"
            )
        out.append("")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    names = [env.name for env in environments.ALL]
    parser = argparse.ArgumentParser(
        prog="bin/dev capacity", description="Scaling scenarios and node-group fit."
    )
    parser.add_argument("envs", metavar="ENV", nargs="*", help=f"any of {', '.join(names)}; default: all")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    error = unknown_environment(args.envs, names)
    if error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    data = report(args.envs or names)
    print(json.dumps(data, indent=2) if args.format == "json" else render(data))
    serving = [env for env in environments.ALL if env.tier == "production" and not env.standing_by]
    production = [env.name for env in serving if env.name in data]
    scenarios = [s for name in production for s in data[name]["scenarios"]]
    missed = [s for s in scenarios if "spike" in s["scenario"] and not s["holds"]]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Scale benchmark: the whole app with 40 services (ten copies of each of the four specs) against the real
four, each a fresh process as `cdktf synth` starts one. Prints the median and best wall time of both, their
ratio (goal <= 1.5x), and whether the benchmark's own code path with one copy writes byte-identical output
to main.py. Exits 1 only if that output differs; timing never fails.

    bin/dev bench                                 # runs it after the provider-import benchmark
    .venv/bin/python benchmarks/services.py [--runs N] [--copies N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import fields, replace
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "constructs")]

from benchmarks.synth import at_least_one, identical, reporting_app_errors  # noqa: E402

if TYPE_CHECKING:  # importing the constructs starts the jsii runtime, which child() must do after its hooks
    from environments.base import EnvironmentConfig, NodeGroupsConfig
    from marketplace_constructs.workload.service_props import MicroserviceProps


def scaled(specs: tuple[MicroserviceProps, ...], copies: int) -> tuple[MicroserviceProps, ...]:
    """``copies`` of every spec (``<name>-<n>``, routes and callers renamed alike); one copy is ``specs``."""
    if copies == 1:
        return specs
    return tuple(
        replace(
            spec,
            name=f"{spec.name}-{n}",
            routes=tuple(f"{route}-{n}" for route in spec.routes),
            callers=tuple(f"{caller}-{n}" for caller in spec.callers),
        )
        for n in range(1, copies + 1)
        for spec in specs
    )


def grown(env: EnvironmentConfig, copies: int) -> EnvironmentConfig:
    """``env`` with every node group's maximum (a standby's floor too) ``copies`` times larger, so the fit
    check passes for ``copies`` of every service and the benchmark measures synthesis alone."""

    from environments.base import NodeGroupsConfig

    def larger(groups: NodeGroupsConfig) -> NodeGroupsConfig:
        sizes = {field.name: getattr(groups, field.name) for field in fields(groups)}  # the burst group too
        return NodeGroupsConfig(**{
            name: group and replace(group, max_size=group.max_size * copies) for name, group in sizes.items()
        })  # fmt: skip

    standby = env.standby and replace(env.standby, floor=larger(env.standby.floor))
    return replace(env, node_groups=larger(env.node_groups), standby=standby)


def scaled_releases(source: Path, target: Path, copies: int) -> None:
    """Release records for the copies: each copy runs its original's digest from its own repository."""
    target.mkdir(parents=True, exist_ok=True)
    for record in source.glob("*.json"):
        services = json.loads(record.read_text())
        copied = {
            f"{name}-{n}": {
                "history": [ref.replace(f"/{name}@", f"/{name}-{n}@") for ref in entry["history"]]
            }
            for n in range(1, copies + 1)
            for name, entry in services.items()
        }
        (target / record.name).write_text(json.dumps(copied, indent=2, sort_keys=True) + "\n")


def child(copies: int, outdir: Path) -> None:
    """Synthesize every environment with ``copies`` of each service into ``outdir`` (main.py's path)."""
    from stacks import lazy_providers, type_hint_cache

    lazy_providers.install()
    type_hint_cache.install()
    import environments
    import services
    from environments.releases import RELEASES_DIR
    from stacks.build import build_app
    from stacks.synth import synth_atomically

    specs = scaled(services.SPECS, copies)
    envs = environments.ALL
    releases = RELEASES_DIR
    if copies > 1:  # the environments' per-service sizes and release records, for every copy
        envs = tuple(
            replace(grown(env, copies), service_replicas={
                f"{name}-{n}": size
                for n in range(1, copies + 1)
                for name, size in env.service_replicas.items()
            })
            for env in envs
        )  # fmt: skip
        releases = outdir.parent / f"releases-{copies}"
        scaled_releases(RELEASES_DIR, releases, copies)
    synth_atomically(outdir, lambda app: build_app(app, envs, specs, releases))


def timed(args: list[str], outdir: Path) -> float:
    env = {**os.environ, "CDKTF_OUTDIR": str(outdir), "MARKETPLACE_ENVIRONMENTS": ""}
    env.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def main() -> int:
    return reporting_app_errors(measure)


def measure() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=at_least_one, default=3, help="runs per size (default: 3)")
    parser.add_argument(
        "--copies", type=at_least_one, default=10, help="copies of each service (default: 10)"
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--outdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.outdir)
        return 0
    script = str(Path(__file__).relative_to(ROOT))
    with tempfile.TemporaryDirectory(prefix="services-bench-") as scratch:
        base = Path(scratch)
        times: dict[str, list[float]] = {"4": [], str(4 * args.copies): []}
        for _ in range(args.runs):
            times["4"].append(timed(["main.py"], base / "main"))
            out = base / "scaled" / "out"
            times[str(4 * args.copies)].append(
                timed([script, "--child", str(args.copies), "--outdir", str(out)], out)
            )
        timed([script, "--child", "1", "--outdir", str(base / "path" / "out")], base / "path" / "out")
        same = identical(base / "main", base / "path" / "out")
    print(f"synth of every environment, {args.runs} runs per size, {os.cpu_count()} CPUs")
    print(f"{'services':<9} {'median s':>9} {'best s':>8}")
    for size, values in times.items():
        print(f"{size:<9} {statistics.median(values):>9.2f} {min(values):>8.2f}")
    ratio = statistics.median(times[str(4 * args.copies)]) / statistics.median(times["4"])
    print(f"ratio {4 * args.copies}/4 services (median): {ratio:.2f}x (goal <= 1.5x)")
    print(f"4-service output identical through the benchmark's path: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())

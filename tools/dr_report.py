"""``bin/dev dr-report [ENV ...] [--format json]``: each environment's cross-region copies per store with
their recovery point, and the failover's steps with the recovery time, derived from the configuration
(environments/recovery.py). Exits 2 with one line when an environment misses its objectives or a name is
unknown."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import TYPE_CHECKING

from marketplace_constructs import ConfigError

if TYPE_CHECKING:  # importing environments validates them: only inside main's error handling at run time
    from environments.recovery import RecoveryReport

EXIT_CONFIG_ERROR = 2


def as_json(report: RecoveryReport) -> dict[str, object]:
    """One environment's report: its copies and steps as configured, each store's recovery point, and the
    recovery time."""
    stores = sorted({copy.store for copy in report.copies})
    return {
        **dataclasses.asdict(report),
        "rpo_minutes": {store: report.rpo(store) for store in stores},
        "rto_minutes": report.rto_minutes,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bin/dev dr-report", description=__doc__.split("\n\n")[0])
    parser.add_argument("envs", metavar="ENV", nargs="*", help="environments (default: all)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    args = parser.parse_args(argv)
    try:
        import environments
        from environments.recovery import check_objectives, derive, render

        selected = environments.select(args.envs) if args.envs else environments.ALL
        check_objectives(environments.ALL)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    reports = [(derive(env, environments.ALL), env) for env in selected]
    if args.format == "json":
        print(json.dumps([as_json(report) for report, _ in reports], indent=2))
    else:
        print("\n\n".join(render(report, env) for report, env in reports))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

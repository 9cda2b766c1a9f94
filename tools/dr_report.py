"""``bin/dev dr-report [ENV ...]``: each environment's cross-region copies per store with their recovery
point, and the failover's steps with the recovery time, derived from the configuration
(environments/recovery.py). Exits 2 with one line when an environment misses its objectives."""

from __future__ import annotations

import sys

from marketplace_constructs import ConfigError

EXIT_CONFIG_ERROR = 2


def main(argv: list[str]) -> int:
    try:
        import environments
        from environments.recovery import check_objectives, derive, render

        selected = environments.select(argv) if argv else environments.ALL
        check_objectives(environments.ALL)
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    print("\n\n".join(render(derive(env, environments.ALL), env) for env in selected))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""cdktf app: synthesizes every environment's stacks, or only those named in MARKETPLACE_ENVIRONMENTS.

Bad configuration ends the run with one line on stderr and exit status 2; the previous output stays as it was.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# bin/dev runs the app on the project's Node 22 (package.json). Run directly on a machine's Node 20, jsii
# would warn on every run that Node 20 is past end of life (2026-10-30); its documented switch quiets that.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from stacks import lazy_providers, type_hint_cache

lazy_providers.install()
type_hint_cache.install()


from marketplace_constructs import ConfigError  # noqa: E402

EXIT_CONFIG_ERROR = 2


def main() -> int:
    outdir = Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out"))
    try:
        # The configuration is checked before cdktf (and its jsii runtime) loads: a mistake ends the run fast.
        import environments
        import services
        from stacks.preflight import preflight

        selected = environments.select(os.environ.get("MARKETPLACE_ENVIRONMENTS", "").split(","))
        preflight(selected, services.SPECS)
        from stacks.build import build_app
        from stacks.synth import synth_atomically

        synth_atomically(outdir, lambda app: build_app(app, selected, services.SPECS))
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``bin/dev render [STACK [RELEASE]]``: what each ``helm_release`` of the synthesized stacks installs.

Helm's engine renders the vendored chart with exactly the values, name and namespace the stack passes, and
the cluster's capabilities. Writes ``cdktf.out/rendered/<stack>/<release>.yaml`` (one document per object,
under a ``# Source:`` line naming its template, as ``helm template`` prints) and prints a summary: objects
per kind per release. Exits 1 naming the release and template on a render error, 2 on bad input."""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from tools.charts.render import Manifest, ReleaseInput, RenderError
from tools.cli_checks import missing_synth
from tools.paths.view import LAYERS, EnvView, Synth


def environments_of(synth: Synth) -> list[str]:
    """The environments the synthesis holds (stacks named ``<env>-<layer>``), in their stacks' order."""
    found: list[str] = []
    for stack in synth.stacks:
        env, _, layer = stack.rpartition("-")
        if layer in LAYERS and env not in found:
            found.append(env)
    return found


def rendered(synth: Synth) -> dict[ReleaseInput, tuple[Manifest, ...]]:
    """Every release of every environment in ``synth``, rendered."""
    found: dict[ReleaseInput, tuple[Manifest, ...]] = {}
    for env in environments_of(synth):
        view = EnvView(synth, env)
        if view.present and view.releases:
            found.update(view.rendered)
    return found


def document(manifests: Iterable[Manifest]) -> str:
    """``helm template``'s layout: each object after ``---`` and a ``# Source:`` line."""
    return "".join(f"---\n# Source: {m.template}\n{dump(m.installed)}" for m in manifests)


def dump(body: Mapping[str, Any]) -> str:
    return str(yaml.dump(dict(body), Dumper=yaml.CSafeDumper, sort_keys=False, width=120))


def write(releases: Mapping[ReleaseInput, tuple[Manifest, ...]], out: Path) -> None:
    for release, manifests in releases.items():
        folder = out / release.stack
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{release.name}.yaml").write_text(document(manifests))


def summary(releases: Mapping[ReleaseInput, tuple[Manifest, ...]]) -> list[str]:
    lines = []
    for release, manifests in releases.items():
        kinds = Counter(m.kind for m in manifests)
        counts = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
        lines.append(
            f"{release.stack}/{release.name} ({release.chart} {release.version}): "
            f"{len(manifests)} objects: {counts}"
        )
    return lines


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bin/dev render", description=__doc__.split("\n\n")[0])
    parser.add_argument("stack", nargs="?", help="one stack (default: every stack with helm releases)")
    parser.add_argument("release", nargs="?", help="one release name of that stack")
    args = parser.parse_args(argv)
    synth_dir = Path(os.environ.get("CDKTF_OUTDIR", "cdktf.out"))
    problem = missing_synth(synth_dir)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    synth = Synth.read(synth_dir)
    if args.stack and args.stack not in synth.stacks:
        print(f"error: unknown stack {args.stack!r}; allowed: {', '.join(synth.stacks)}", file=sys.stderr)
        return 2
    try:
        releases = {
            release: manifests
            for release, manifests in rendered(synth).items()
            if (not args.stack or release.stack == args.stack)
            and (not args.release or release.name == args.release)
        }
    except RenderError as error:
        print(f"render error: {error}", file=sys.stderr)
        return 1
    if args.release and not releases:
        names = sorted(r.name for r in rendered(synth) if r.stack == args.stack)
        print(
            f"error: no release {args.release!r} in {args.stack}; allowed: {', '.join(names)}",
            file=sys.stderr,
        )
        return 2
    out = synth_dir / "rendered"
    write(releases, out)
    print("\n".join(summary(releases)))
    objects = sum(len(m) for m in releases.values())
    print(f"{len(releases)} releases, {objects} objects → {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

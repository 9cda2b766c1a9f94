"""Vendored chart sources: where each pinned chart's full source lives in the project, where it came from,
and the content hash that proves the copy is the one recorded.

``charts/<chart>/<version>/`` holds a chart's folder exactly as its upstream repository has it at the
release commit. A subchart is a relative symlink in the parent's ``charts/`` folder to the subchart's own
vendored copy (Helm's loader follows symlinks), so every chart version is stored once.
``charts/vendor.yaml`` records each copy: upstream repository, tag, commit, path, license, the sha256 of
the copy (``tree_hash``), the subcharts it links, and any edit made to it (only the placeholder versions
that the publisher's release build replaces). ``stacks/charts.py`` reads each chart's version from that
record, so the pin and the copy are one thing.

    bin/dev vendor-chart CHART VERSION --git-dir DIR --commit SHA --path PATH --repository OWNER/NAME
        --tag TAG --license SPDX [--published-version V] [--subchart NAME=VERSION ...]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final

import yaml

from tools.charts.packaging import external_secrets_crds

ROOT: Final = Path(__file__).resolve().parents[2]
CHARTS_DIR: Final = ROOT / "charts"
RECORD: Final = CHARTS_DIR / "vendor.yaml"


@dataclass(frozen=True, slots=True)
class VendoredChart:
    """One vendored chart version and where it came from."""

    chart: str
    version: str
    repository: str
    tag: str
    commit: str
    path: str
    license: str
    sha256: str
    subcharts: Mapping[str, str] = field(default_factory=dict)
    edits: tuple[str, ...] = ()
    note: str = ""

    @property
    def folder(self) -> Path:
        return chart_folder(self.chart, self.version)


def chart_folder(chart: str, version: str, charts_dir: Path = CHARTS_DIR) -> Path:
    return charts_dir / chart / version


def tree_hash(folder: Path) -> str:
    """sha256 over every regular file below ``folder`` (path and content, sorted by path), leaving out the
    subchart symlinks: each subchart is hashed in its own record."""
    digest = hashlib.sha256()
    files = []
    for directory, subfolders, names in os.walk(folder):  # os.walk does not descend into symlinked folders
        files += [Path(directory, name) for name in names if not Path(directory, name).is_symlink()]
        subfolders[:] = [name for name in subfolders if not Path(directory, name).is_symlink()]
    for file in sorted(files, key=lambda f: f.relative_to(folder).as_posix()):
        digest.update(file.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(file.read_bytes()).hexdigest().encode() + b"\n")
    return digest.hexdigest()


@cache
def records(record: Path = RECORD) -> dict[tuple[str, str], VendoredChart]:
    """Every vendored chart by (chart, version)."""
    entries: list[dict[str, Any]] = yaml.load(record.read_text(), Loader=yaml.CSafeLoader) or []
    found: dict[tuple[str, str], VendoredChart] = {}
    for entry in entries:
        chart = VendoredChart(
            **{**entry, "subcharts": dict(entry.get("subcharts", {})), "edits": tuple(entry.get("edits", ()))}
        )
        found[(chart.chart, chart.version)] = chart
    return found


def pinned_version(chart: str, record: Path = RECORD) -> str:
    """The one vendored version of ``chart``: the version the stacks install."""
    versions = sorted(version for name, version in records(record) if name == chart)
    if len(versions) != 1:
        raise LookupError(f"charts/vendor.yaml: {chart} needs exactly one vendored version, has {versions}")
    return versions[0]


def extract(git_dir: Path, commit: str, path: str, destination: Path) -> None:
    """``path`` of ``commit`` in the bare repository ``git_dir``, byte for byte, into ``destination``."""
    archive = subprocess.run(
        ["git", "--git-dir", str(git_dir), "archive", "--format=tar", commit, path],
        check=True,
        capture_output=True,
    ).stdout
    prefix = path.rstrip("/") + "/"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        for member in tar.getmembers():
            if not member.name.startswith(prefix) or not (member.isfile() or member.issym()):
                continue
            target = destination / member.name[len(prefix) :]
            target.parent.mkdir(parents=True, exist_ok=True)
            if member.issym():
                target.symlink_to(member.linkname)
            else:
                source = tar.extractfile(member)
                assert source is not None
                target.write_bytes(source.read())
                target.chmod(0o644)


def set_published_version(folder: Path, version: str) -> str:
    """Replace the repository's placeholder ``version``/``appVersion`` in Chart.yaml with the published one,
    as the publisher's release build does; returns the edit as recorded."""
    chart_yaml = folder / "Chart.yaml"
    lines = chart_yaml.read_text().splitlines(keepends=True)
    for index, line in enumerate(lines):
        for key in ("version", "appVersion"):
            if line.startswith(f"{key}:"):
                lines[index] = f"{key}: {version}\n"
    chart_yaml.write_text("".join(lines))
    return (
        f"Chart.yaml version and appVersion set to {version}: the repository holds a placeholder that the "
        "release build replaces when it publishes"
    )


def generate_external_secrets_crds(git_dir: Path, commit: str, bundle_path: str, folder: Path) -> str:
    """Write the CRD templates external-secrets' packaging generates (``tools/charts/packaging.py``) from the
    repository's CRD bundle at the same commit; returns the edit as recorded."""
    bundle = subprocess.run(
        ["git", "--git-dir", str(git_dir), "show", f"{commit}:{bundle_path}"], check=True, capture_output=True
    ).stdout.decode()
    for name, text in external_secrets_crds(bundle).items():
        (folder / name).write_text(text)
    return (
        f"templates/crds/*.yaml generated from {bundle_path} at the same commit, as the release build's "
        "hack/helm.generate.sh does before helm package (tools/charts/packaging.py); the repository holds "
        "only a README there"
    )


def link_subcharts(folder: Path, subcharts: Mapping[str, str]) -> None:
    """A relative symlink ``charts/<name>`` to each subchart's own vendored copy."""
    for name, version in subcharts.items():
        link = folder / "charts" / name
        link.parent.mkdir(exist_ok=True)
        if link.is_symlink():
            link.unlink()
        target = chart_folder(name, version)
        link.symlink_to(Path("../../..") / target.relative_to(CHARTS_DIR))


def write_record(chart: VendoredChart, record: Path = RECORD) -> None:
    entries: list[dict[str, Any]] = yaml.safe_load(record.read_text()) if record.is_file() else []
    entries = [e for e in entries or [] if (e["chart"], e["version"]) != (chart.chart, chart.version)]
    entry: dict[str, Any] = {
        key: getattr(chart, key)
        for key in ("chart", "version", "repository", "tag", "commit", "path", "license", "sha256")
    }
    if chart.subcharts:
        entry["subcharts"] = dict(chart.subcharts)
    if chart.edits:
        entry["edits"] = list(chart.edits)
    if chart.note:
        entry["note"] = chart.note
    entries.append(entry)
    entries.sort(key=lambda e: (e["chart"], e["version"]))
    record.write_text(yaml.safe_dump(entries, sort_keys=False, width=110))
    records.cache_clear()


def vendor(args: argparse.Namespace) -> VendoredChart:
    folder = chart_folder(args.chart, args.version)
    if folder.exists():
        shutil.rmtree(folder)
    extract(Path(args.git_dir), args.commit, args.path, folder)
    edits: tuple[str, ...] = (
        (set_published_version(folder, args.published_version),) if args.published_version else ()
    )
    if args.crd_bundle:
        edits += (generate_external_secrets_crds(Path(args.git_dir), args.commit, args.crd_bundle, folder),)
    subcharts = dict(item.split("=", 1) for item in args.subchart)
    link_subcharts(folder, subcharts)
    chart = VendoredChart(
        chart=args.chart,
        version=args.version,
        repository=args.repository,
        tag=args.tag,
        commit=args.commit,
        path=args.path,
        license=args.license,
        sha256=tree_hash(folder),
        subcharts=subcharts,
        edits=edits,
        note=args.note,
    )
    write_record(chart)
    return chart


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bin/dev vendor-chart", description=__doc__.split("\n\n")[0])
    parser.add_argument("chart")
    parser.add_argument("version")
    parser.add_argument("--git-dir", required=True, help="a clone or snapshot of the chart's repository")
    parser.add_argument("--commit", required=True)
    parser.add_argument("--path", required=True, help="the chart's folder in that repository")
    parser.add_argument("--repository", required=True, help="owner/name on GitHub")
    parser.add_argument("--tag", required=True, help="the release tag (or 'none' with a --note)")
    parser.add_argument("--license", required=True, help="SPDX identifier")
    parser.add_argument("--published-version", help="replace a placeholder version in Chart.yaml")
    parser.add_argument("--subchart", action="append", default=[], help="NAME=VERSION, vendored on its own")
    parser.add_argument("--note", default="", help="anything a reviewer must know about this copy")
    parser.add_argument("--crd-bundle", help="external-secrets: the CRD bundle its packaging turns into templates")
    args = parser.parse_args(argv)
    try:
        chart = vendor(args)
    except subprocess.CalledProcessError as error:
        print(f"bin/dev vendor-chart: git archive failed: {error.stderr.decode().strip()}", file=sys.stderr)
        return 2
    print(f"{chart.chart} {chart.version} → {chart.folder.relative_to(ROOT)} (sha256 {chart.sha256[:12]})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Check the values every ``helm_release`` passes against its pinned chart, offline.

Helm ignores a values key its chart does not read, so a misspelt or renamed key changes nothing and says
nothing. Here, for each release of each synthesized stack:

(a) every key path the project sets must exist in the chart's default ``values.yaml`` (``charts/``),
    unless it sits under a free-form map: a default of ``{}`` or ``null``, or a path reviewed in
    ``policy/chart-values-allow.yaml`` (pass-through maps with defaults, keys the chart documents only in
    comments), each with its reason;
(b) where the chart ships ``values.schema.json``, the defaults merged with the project's values the way Helm
    merges them must validate against it.

    .venv/bin/python policy/chart_values.py [cdktf.out/stacks]   # prints every problem; exit 1 on any
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import jsonschema
import yaml

POLICY_DIR: Final = Path(__file__).parent
CHARTS_DIR: Final = POLICY_DIR.parent / "charts"  # the vendored charts (charts/vendor.yaml)
ALLOW_FILE: Final = POLICY_DIR / "chart-values-allow.yaml"
# Istio's charts keep every default under this key; users set the keys without it.
ISTIO_DEFAULTS_KEY: Final = "_internal_defaults_do_not_set"


@dataclass(frozen=True, slots=True)
class ChartDefaults:
    """A pinned chart's default values and its schema (None when the chart ships none)."""

    name: str
    version: str
    values: dict[str, Any]
    schema: dict[str, Any] | None

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


@cache
def load_chart(name: str, version: str, charts_dir: Path = CHARTS_DIR) -> ChartDefaults:
    """The vendored copy of chart ``name`` at ``version``; FileNotFoundError names what to vendor."""
    folder = charts_dir / name / version
    if not (folder / "values.yaml").is_file():
        raise FileNotFoundError(f"chart {name} {version} is not vendored in {folder} (see charts/README.md)")
    values = yaml.safe_load((folder / "values.yaml").read_text()) or {}
    schema_file = folder / "values.schema.json"
    schema = json.loads(schema_file.read_text()) if schema_file.is_file() else None
    return ChartDefaults(name, version, values, schema)


@cache
def load_allowed(allow_file: Path = ALLOW_FILE) -> frozenset[tuple[str, str]]:
    """(chart, dotted path) pairs reviewed as free-form; every entry must carry a reason."""
    entries = yaml.safe_load(allow_file.read_text()) or []
    for entry in entries:
        if not str(entry.get("reason", "")).strip():
            raise ValueError(f"{allow_file.name}: entry {entry} needs a reason")
    return frozenset((entry["chart"], entry["path"]) for entry in entries)


def unknown_paths(
    given: Mapping[str, Any], defaults: object, allowed: frozenset[str], path: str = ""
) -> list[str]:
    """Dotted key paths of ``given`` with no counterpart in ``defaults`` (descending only into maps the
    defaults spell out; lists and scalars are leaves)."""
    found: list[str] = []
    for key, value in given.items():
        here = f"{path}.{key}" if path else str(key)
        if here in allowed:
            continue
        if not isinstance(defaults, dict) or key not in defaults:
            found.append(here)
            continue
        default = defaults[key]
        if isinstance(value, dict) and isinstance(default, dict) and default:
            found += unknown_paths(value, default, allowed, here)
    return found


def coalesce(defaults: Mapping[str, Any], given: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's merge: maps merge recursively, a list or scalar replaces the default, null deletes the key."""
    merged = dict(defaults)
    for key, value in given.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = coalesce(merged[key], value)
        else:
            merged[key] = value
    return merged


def with_subcharts(chart: ChartDefaults, defaults: dict[str, Any], charts_dir: Path) -> dict[str, Any]:
    """``defaults`` with each vendored subchart's own defaults under its name, the parent's section for it
    merged over them (Helm hands a subchart the parent's values under the subchart's name)."""
    folder = charts_dir / chart.name / chart.version / "charts"
    merged = dict(defaults)
    for link in sorted(folder.iterdir()) if folder.is_dir() else ():
        metadata = (
            yaml.safe_load((link / "Chart.yaml").read_text()) if (link / "Chart.yaml").is_file() else None
        )
        if link.is_symlink() and metadata:
            sub = load_chart(metadata["name"], str(metadata["version"]), charts_dir)
            merged[link.name] = coalesce(sub.values, defaults.get(link.name) or {})
    return merged


def release_problems(
    stack_id: str, release: Mapping[str, Any], charts_dir: Path = CHARTS_DIR, allow_file: Path = ALLOW_FILE
) -> list[str]:
    """Every problem of one synthesized ``helm_release``, each naming stack, release, key path and chart."""
    chart = load_chart(release["chart"], release["version"], charts_dir)
    where = f"{stack_id}: helm_release {release['name']!r} ({chart.label})"
    given: dict[str, Any] = {}
    for document in release.get("values", []):
        given = coalesce(given, yaml.safe_load(document) or {})
    defaults = with_subcharts(chart, chart.values.get(ISTIO_DEFAULTS_KEY, chart.values), charts_dir)
    allowed = frozenset(path for name, path in load_allowed(allow_file) if name == chart.name)
    problems = [
        f"{where}: values key {path!r} is not in the chart's values.yaml"
        for path in unknown_paths(given, defaults, allowed)
    ]
    if chart.schema is not None:
        validator_class = jsonschema.validators.validator_for(
            chart.schema, default=jsonschema.Draft7Validator
        )
        validator = validator_class(chart.schema)
        for error in sorted(validator.iter_errors(coalesce(chart.values, given)), key=lambda e: list(e.path)):
            at = ".".join(str(part) for part in error.absolute_path) or "(root)"
            problems.append(f"{where}: values at {at!r} fail values.schema.json: {error.message}")
    return problems


def releases(stacks_dir: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """(stack id, helm_release) for every release of every synthesized stack."""
    for document in sorted(stacks_dir.glob("*/cdk.tf.json")):
        resources = json.loads(document.read_text()).get("resource", {})
        for release in resources.get("helm_release", {}).values():
            yield document.parent.name, release


def check_stacks(stacks_dir: Path) -> tuple[int, list[str]]:
    """(releases checked, problems) over every stack in ``stacks_dir``."""
    problems: list[str] = []
    count = 0
    for stack_id, release in releases(stacks_dir):
        count += 1
        problems += release_problems(stack_id, release)
    return count, problems


def main(argv: list[str]) -> int:
    stacks_dir = Path(argv[0]) if argv else Path("cdktf.out/stacks")
    count, problems = check_stacks(stacks_dir)
    for problem in problems:
        print(problem)
    print(f"chart values: {count} releases checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

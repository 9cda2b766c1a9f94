"""The vendored charts (charts/, charts/vendor.yaml) are the copies recorded, at the versions the stacks
install, with every subchart a release can enable."""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import Any

import pytest
import yaml

import environments
from marketplace_constructs import HelmChart, IstioCharts
from stacks import charts as pinned_charts
from tools.charts.vendor import CHARTS_DIR, VendoredChart, records, tree_hash
from tools.paths.view import EnvView, Synth

RECORDS = sorted(records().values(), key=lambda r: (r.chart, r.version))


def chart_yaml(record: VendoredChart) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((record.folder / "Chart.yaml").read_text())
    return loaded


def pinned() -> list[HelmChart]:
    found = [value for value in vars(pinned_charts).values() if isinstance(value, HelmChart)]
    for value in vars(pinned_charts).values():
        if isinstance(value, IstioCharts):
            found += [value.base, value.istiod, value.cni, value.gateway]
    return found


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: f"{r.chart}-{r.version}")
def test_each_copy_is_the_one_recorded(record: VendoredChart) -> None:
    assert tree_hash(record.folder) == record.sha256, f"{record.folder} changed since it was vendored"
    metadata = chart_yaml(record)
    assert (metadata["name"], str(metadata["version"])) == (record.chart, record.version)
    assert record.commit and len(record.commit) == 40 and record.repository.count("/") == 1
    assert record.tag != "none" or record.note, "a copy without a release tag says which commit and why"


def test_every_vendored_copy_is_installed_or_a_subchart_of_one() -> None:
    charts = pinned()  # stacks/charts.py reads each version from the record: the pin is the copy
    subcharts = {(name, version) for r in RECORDS for name, version in r.subcharts.items()}
    unused = set(records()) - {(c.name, c.version) for c in charts} - subcharts
    assert unused == set()


@pytest.mark.parametrize("record", [r for r in RECORDS if r.subcharts], ids=lambda r: r.chart)
def test_subcharts_link_to_their_own_copies_at_the_versions_the_parent_allows(record: VendoredChart) -> None:
    declared = {d["name"]: str(d["version"]) for d in chart_yaml(record).get("dependencies", [])}
    for name, version in record.subcharts.items():
        link = record.folder / "charts" / name
        assert link.is_symlink() and link.resolve() == (CHARTS_DIR / name / version).resolve()
        # Chart.yaml's constraint: an exact version, or a wildcard such as "2.x.x" or "0.12.*"
        assert fnmatch.fnmatch(version, declared[name].replace("x", "*")), (name, version, declared[name])


def condition_holds(values: dict[str, Any], condition: str) -> bool:
    node: Any = values
    for part in condition.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return bool(node)


def test_every_dependency_not_vendored_is_disabled_in_every_release(synth: Synth) -> None:
    """Helm renders a dependency whose condition holds; one not vendored must be off wherever the parent
    is installed (its values merged over the chart's defaults, as Helm evaluates conditions)."""
    missing = {
        (r.chart, r.version): [
            d for d in chart_yaml(r).get("dependencies", [])
            if d["name"] not in r.subcharts and not (r.folder / "charts" / d["name"]).is_dir()
        ]
        for r in RECORDS
    }  # fmt: skip
    assert sorted(k for k, deps in missing.items() if deps) == [
        ("external-secrets", "2.9.0"), ("kube-prometheus-stack", "88.5.3"), ("loki", "18.11.0")
    ]  # fmt: skip
    checked = 0
    for env in environments.ALL:
        for release in EnvView(synth, env.name).releases:
            for dependency in missing.get((release.chart, release.version), []):
                checked += 1
                assert not condition_holds(dict(release.values), dependency["condition"]), (
                    f"{release.address} enables {dependency['name']}, which is not vendored"
                )
    assert checked > 0


def test_the_record_is_sorted_and_names_its_license() -> None:
    entries = yaml.safe_load(Path(CHARTS_DIR / "vendor.yaml").read_text())
    assert entries == sorted(entries, key=lambda e: (e["chart"], e["version"]))
    assert all(e["license"] in ("Apache-2.0", "Elastic-2.0") for e in entries)

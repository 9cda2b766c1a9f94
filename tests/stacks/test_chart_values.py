"""Every helm_release passes only keys its pinned chart has, and validates against the chart's schema."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

import environments
from marketplace_constructs import HelmChart, IstioCharts
from policy.chart_values import check_stacks, load_chart, release_problems
from stacks import charts
from tests.conftest import StackDoc, resources

Reader = Callable[[str], StackDoc]


def test_every_release_of_every_stack_passes_the_chart_values_check(synth_dir: Path) -> None:
    count, problems = check_stacks(synth_dir / "stacks")
    assert problems == []
    # platform: metrics-server, cluster-autoscaler, AWS LBC, cert-manager, External Secrets,
    # kube-prometheus-stack, Loki, Alloy, ECK, the OpenTelemetry Collector, Velero, Flagger, its load tester
    # and Istio's base, istiod, cni and gateway; apps: Grafana, Jaeger and the PostgreSQL, Redis and
    # Elasticsearch exporters; per environment
    assert count == (17 + 5) * len(environments.ALL)


def test_a_misspelt_key_names_stack_release_key_path_and_chart_version(stack_doc: Reader) -> None:
    release = next(
        r for r in resources(stack_doc("production-platform"), "helm_release").values()
        if r["name"] == "metrics-server"
    )  # fmt: skip
    values = json.loads(release["values"][0])
    values["podDisruptionBudget"]["enabeld"] = True
    broken = {**release, "values": [json.dumps(values)]}
    assert release_problems("production-platform", broken) == [
        "production-platform: helm_release 'metrics-server' (metrics-server 3.13.0): values key "
        "'podDisruptionBudget.enabeld' is not in the chart's values.yaml"
    ]


def test_every_pinned_chart_is_vendored_for_the_check() -> None:
    pinned = [value for value in vars(charts).values() if isinstance(value, HelmChart)]
    pinned += [chart for value in vars(charts).values() if isinstance(value, IstioCharts) for chart in (
        value.base, value.istiod, value.cni, value.gateway)]  # fmt: skip
    assert len(pinned) == 22
    for chart in pinned:
        assert load_chart(chart.name, chart.version).values, chart


def write_chart(root: Path, values: dict[str, object], schema: dict[str, object] | None = None) -> Path:
    folder = root / "demo" / "1.0.0"
    folder.mkdir(parents=True)
    (folder / "values.yaml").write_text(yaml.safe_dump(values))
    if schema is not None:
        (folder / "values.schema.json").write_text(json.dumps(schema))
    (root / "allow.yaml").write_text("- chart: demo\n  path: extra\n  reason: pass-through flags\n")
    return root


def demo_release(values: dict[str, object]) -> dict[str, object]:
    return {"name": "demo", "chart": "demo", "version": "1.0.0", "values": [json.dumps(values)]}


def test_merged_values_must_satisfy_the_charts_schema(tmp_path: Path) -> None:
    root = write_chart(
        tmp_path, {"replicas": 1, "extra": {"a": 1}},
        {"type": "object", "properties": {"replicas": {"type": "integer", "minimum": 1}}},
    )  # fmt: skip
    problems = release_problems("s", demo_release({"replicas": 0}), root, root / "allow.yaml")
    assert problems == [
        "s: helm_release 'demo' (demo 1.0.0): values at 'replicas' fail values.schema.json: "
        "0 is less than the minimum of 1"
    ]


def test_free_form_maps_accept_any_key_and_istio_defaults_are_looked_up_without_their_wrapper(
    tmp_path: Path,
) -> None:
    root = write_chart(
        tmp_path,
        {"_internal_defaults_do_not_set": {"pilot": {"env": {}, "replicaCount": 1}, "extra": {"v": 4}}},
    )
    given = {"pilot": {"env": {"ANY": "1"}, "replicaCount": 2}, "extra": {"new-flag": True}, "pilot2": 1}
    problems = release_problems("s", demo_release(given), root, root / "allow.yaml")
    assert problems == [
        "s: helm_release 'demo' (demo 1.0.0): values key 'pilot2' is not in the chart's values.yaml"
    ]


def test_an_unvendored_chart_version_says_what_to_vendor() -> None:
    with pytest.raises(FileNotFoundError, match=r"chart metrics-server 9\.9\.9 is not vendored in .*charts"):
        release_problems("s", {"name": "m", "chart": "metrics-server", "version": "9.9.9", "values": []})

"""The six Grafana dashboards: their shape, every query parsed by the real promtool, and every metric a
dashboard or an alert rule names traced to a component this project deploys (or to the services' contract)."""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from marketplace_constructs.errors import ConfigError
from marketplace_constructs.observability.alerts import rule_groups
from marketplace_constructs.observability.dashboards import (
    CATALOG,
    CONTRACT,
    KUBE_STATE_METRICS_NODE_LABELS,
    PROMETHEUS_UID,
    ContractMetric,
    Dashboard,
    Producer,
    dashboards,
)
from marketplace_constructs.observability.dashboards.contract import SERVICES
from marketplace_constructs.observability.thresholds import AlertThresholds, ServiceObjective
from tests.observability.tools import run_tool

BOARDS = dashboards(SERVICES)
EXPECTED = {  # uid: (folder, title)
    "marketplace-service-overview": ("Services", "Service Overview"),
    "marketplace-infrastructure": ("Infrastructure", "Infrastructure"),
    "marketplace-database-performance": ("Databases", "Database Performance"),
    "marketplace-cache": ("Cache", "Cache"),
    "marketplace-message-queue": ("Messaging", "Message Queue"),
    "marketplace-business": ("Business", "Business"),
}

# The one place that knows Grafana's variables: each becomes a value of the shape Grafana interpolates (a
# multi-value variable in a regex matcher is an alternation). Longest names first: $node prefixes $node_group.
GRAFANA_VARIABLES = {
    "$__rate_interval": "5m",
    "$__range": "6h",
    "$node_group": "general|gpu",
    "$service": "|".join(SERVICES),
    "$node": "ip-10-0-1-2.ec2.internal",
    "$plan": "free|pro",
}


def substitute(expr: str) -> str:
    """``expr`` with Grafana's variables replaced; fails on one this table does not know."""
    for name in sorted(GRAFANA_VARIABLES, key=len, reverse=True):
        expr = expr.replace(name, GRAFANA_VARIABLES[name])
    unknown = re.findall(r"\$\{?[A-Za-z_]\w*", expr)  # $1 in label_replace is PromQL's own
    assert not unknown, f"unknown Grafana variables {unknown} in {expr}"
    return expr


def queries(board: Dashboard) -> Iterator[tuple[str, str, str]]:
    """(record name, what it is, PromQL) for every panel target and every variable's series selector; record
    names are unique across dashboards (promtool rejects duplicates)."""
    prefix = board.uid.replace("-", "_")
    for panel in board.model["panels"]:
        for target in panel.get("targets", ()):
            record = f"{prefix}:panel_{panel['id']}_{target['refId']}"
            yield record, f"panel {panel['title']!r}", substitute(target["expr"])
    for variable in board.model["templating"]["list"]:
        selector = re.fullmatch(r"label_values\((.+), *\w+\)", variable["query"])
        assert selector, f"{board.title}: variable {variable['name']} is not label_values(selector, label)"
        yield (
            f"{prefix}:variable_{variable['name']}",
            f"variable ${variable['name']}",
            substitute(selector[1]),
        )


# --- Extracting metric names from PromQL ---
# promtool parses but cannot print an AST, so metric names are found textually: remove what may hold names
# that are not metrics (string literals, {label matchers}, [ranges], the label lists of by, without, on,
# ignoring, group_left and group_right), then keep the identifiers that neither call a function or aggregation
# (followed by "(") nor are PromQL keywords. An identifier never starts inside a word or a number (1e3, 5m,
# 0x1f).
# Not handled, since no query here uses them: {__name__="..."} selectors and metric names quoted in braces.
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGES = re.compile(r"\[[^\[\]]*\]")
_LABEL_LISTS = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)", re.IGNORECASE)
_IDENTIFIERS = re.compile(r"(?<![\w.:])[A-Za-z_:][\w:]*(?![\w:])(?!\s*\()")
_KEYWORDS = frozenset(
    {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool"}
    | {"inf", "nan", "atan2"}
)


def metric_names(expr: str) -> set[str]:
    """The metric names ``expr`` selects (see above)."""
    for pattern in (_STRINGS, _MATCHERS, _RANGES, _LABEL_LISTS):
        expr = pattern.sub(" ", expr)
    return {name for name in _IDENTIFIERS.findall(expr) if name.lower() not in _KEYWORDS}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (
            "sum by (le, destination_service_namespace) (rate(istio_request_duration_milliseconds_bucket"
            '{reporter="destination", ns=~"a|b"}[5m]))',
            {"istio_request_duration_milliseconds_bucket"},
        ),
        ('label_replace(up{job="a"}, "service", "$1", "namespace", "(fake_metric{x}.*)")', {"up"}),
        ('a / on (instance) group_left (node) max by (instance, node) (b{c!=""})', {"a", "b"}),
        ("x > bool 0 AND y offset 5m unless ignoring (pod) z @ 1609746000", {"x", "y", "z"}),
        ("1e3 * foo - 0x1F + histogram_quantile(0.95, bar_bucket) > Inf", {"foo", "bar_bucket"}),
        ('marketplace:error_ratio:rate1h{service=~"a"} > 14.4 * 0.0005', {"marketplace:error_ratio:rate1h"}),
        ("topk(5, sum without (pod) (rate(c_total[1h:5m]))) or vector(0)", {"c_total"}),
        ("sum(rate(d_total[5m])) by (job) / sum (e) * on() group_right f", {"d_total", "e", "f"}),
    ],
)
def test_metric_names_finds_metrics_and_nothing_else(expr: str, expected: set[str]) -> None:
    assert metric_names(expr) == expected


# --- Shape ---
def test_six_dashboards_one_folder_each_with_unique_stable_uids() -> None:
    assert {board.uid: (board.folder, board.title) for board in BOARDS} == EXPECTED
    assert len({board.folder for board in BOARDS}) == len(BOARDS)
    assert all(board.model["uid"] == board.uid and board.model["title"] == board.title for board in BOARDS)


def test_output_is_byte_identical_on_every_call_with_sorted_keys() -> None:
    again = dashboards(SERVICES)
    assert [json.dumps(board.model) for board in again] == [json.dumps(board.model) for board in BOARDS]
    assert all(json.dumps(board.model) == json.dumps(board.model, sort_keys=True) for board in again)


def _panels(board: Dashboard) -> list[dict[str, Any]]:
    return [panel for panel in board.model["panels"] if panel["type"] != "row"]


@pytest.mark.parametrize("board", BOARDS, ids=lambda board: board.uid)
def test_every_panel_queries_prometheus_by_uid(board: Dashboard) -> None:
    prometheus = {"type": "prometheus", "uid": PROMETHEUS_UID}
    for panel in _panels(board):
        assert panel["targets"], f"{board.title} / {panel['title']} has no query"
        assert panel["datasource"] == prometheus
        for target in panel["targets"]:
            assert target["expr"].strip() and target["datasource"] == prometheus, panel["title"]
    assert all(variable["datasource"] == prometheus for variable in board.model["templating"]["list"])


@pytest.mark.parametrize("board", BOARDS, ids=lambda board: board.uid)
def test_panels_fit_the_grid_without_overlapping_and_ids_are_unique(board: Dashboard) -> None:
    cells: dict[tuple[int, int], str] = {}
    for panel in board.model["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] >= 0 and grid["x"] + grid["w"] <= 24, f"{panel['title']} leaves the grid"
        for cell in itertools.product(
            range(grid["x"], grid["x"] + grid["w"]), range(grid["y"], grid["y"] + grid["h"])
        ):
            assert cell not in cells, f"{board.title}: {panel['title']!r} overlaps {cells[cell]!r}"
            cells[cell] = panel["title"]
    ids = [panel["id"] for panel in board.model["panels"]]
    assert len(set(ids)) == len(ids)


# --- Queries parse ---
def test_every_query_parses_with_promtool(tmp_path: Path) -> None:
    """All targets and variable selectors of all dashboards as recording rules in one file, one promtool run;
    a failure names the dashboard (the group) and the panel."""
    where: dict[str, str] = {}
    groups = []
    for board in BOARDS:
        rules = []
        for record, what, expr in queries(board):
            where[record] = what
            rules.append({"record": record, "expr": expr})
        groups.append({"name": board.title, "rules": rules})
    path = tmp_path / "dashboards.yaml"
    path.write_text(yaml.safe_dump({"groups": groups}, sort_keys=False))
    result = run_tool("promtool", "check", "rules", str(path))
    output = result.stdout + result.stderr
    failures = [
        f"{group} / {where[record]}: {error}"
        for group, record, error in re.findall(r'group "([^"]+)", rule \d+, "([^"]+)": (.*)', output)
    ]
    assert result.returncode == 0, "\n".join(failures) or output
    assert f"SUCCESS: {len(where)} rules found" in output


# --- Metrics trace to their producers ---
def _alert_expressions() -> list[str]:
    objectives = (ServiceObjective(namespace="discovery", p95_ms=150),)
    groups = rule_groups(AlertThresholds(), SERVICES, objectives)
    return [rule["expr"] for group in groups for rule in group["rules"]]


@pytest.mark.parametrize("board", BOARDS, ids=lambda board: board.uid)
def test_every_metric_a_dashboard_queries_is_in_the_catalog(board: Dashboard) -> None:
    unknown = [
        f"{what}: {name}"
        for _, what, expr in queries(board)
        for name in sorted(metric_names(expr))
        if name not in CATALOG
    ]
    assert not unknown, f"{board.title} queries metrics nothing here produces: {unknown}"


def test_every_metric_an_alert_rule_queries_is_in_the_catalog() -> None:
    unknown = {name for expr in _alert_expressions() for name in metric_names(expr)} - set(CATALOG)
    assert not unknown


def test_every_catalog_entry_is_queried_or_contracted_and_every_producer_produces() -> None:
    queried = {name for board in BOARDS for _, _, expr in queries(board) for name in metric_names(expr)}
    queried |= {name for expr in _alert_expressions() for name in metric_names(expr)}
    contracted = {series for metric in CONTRACT for series in metric.series}
    assert set(CATALOG) - queried - contracted == set()
    assert set().union(*CATALOG.values()) == set(Producer)


def test_the_services_contract_metrics_are_exactly_the_contract() -> None:
    contracted = {name for name, producers in CATALOG.items() if Producer.SERVICES_CONTRACT in producers}
    assert contracted == {series for metric in CONTRACT for series in metric.series}
    assert all(CATALOG[name] == {Producer.SERVICES_CONTRACT} for name in contracted)


def test_the_business_dashboard_queries_only_contract_metrics() -> None:
    (business,) = (board for board in BOARDS if board.folder == "Business")
    names = {name for _, _, expr in queries(business) for name in metric_names(expr)}
    assert names and all(CATALOG[name] == {Producer.SERVICES_CONTRACT} for name in names)


def test_infrastructure_groups_by_the_labels_kube_state_metrics_is_allowed_to_export() -> None:
    """kube-state-metrics names a node label label_<name>, non-alphanumerics as underscores."""
    (infrastructure,) = (board for board in BOARDS if board.folder == "Infrastructure")
    text = json.dumps(infrastructure.model)
    for label in KUBE_STATE_METRICS_NODE_LABELS:
        assert "label_" + re.sub(r"[^A-Za-z0-9]", "_", label) in text


# --- The contract ---
def test_contract_names_are_unique_and_follow_prometheus_conventions() -> None:
    names = [metric.name for metric in CONTRACT]
    assert len(set(names)) == len(names)
    assert all(metric.name.endswith("_total") == (metric.kind == "counter") for metric in CONTRACT)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "marketplace_subscriptions_total", "kind": "gauge"}, r"_total if and only if"),
        ({"name": "MarketplaceRequests_total"}, r"snake_case starting with marketplace_"),
        ({"labels": ("plan", "user_id")}, r"labels must be in CONTRACT_LABELS.*user_id"),
        ({"emitted_by": ("billing",)}, r"emitted_by must name some of"),
    ],
)
def test_a_contract_metric_breaking_the_rules_is_rejected(changes: dict[str, Any], message: str) -> None:
    fields: dict[str, Any] = {
        "name": "marketplace_things_total", "kind": "counter", "labels": ("plan",), "unit": "things",
        "meaning": "Things.", "emitted_by": ("admin",), **changes,
    }  # fmt: skip
    with pytest.raises(ConfigError, match=message):
        ContractMetric(**fields)

"""The dashboards' building blocks over grafana-foundation-sdk: one helper per panel kind, template variables,
rows laid out on Grafana's 24-column grid, and the frozen ``Dashboard`` that provisioning consumes.

Every panel and query reads the Prometheus data source by uid ``PROMETHEUS_UID``, which Grafana is provisioned
with, so the JSON carries no environment-specific id. Only this module touches the SDK.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from grafana_foundation_sdk.cog.encoder import JSONEncoder

with warnings.catch_warnings():
    # The SDK warns at import that the classic dashboard model is superseded by dashboardv2 (Grafana 12's
    # Kubernetes-style resource). The classic JSON is what Grafana's file provisioning and the dashboard
    # sidecar read, so it is the one built here.
    warnings.simplefilter("ignore", DeprecationWarning)
    from grafana_foundation_sdk.builders import common as common_builders
    from grafana_foundation_sdk.builders import dashboard as dashboard_builders
    from grafana_foundation_sdk.builders import gauge as gauge_builders
    from grafana_foundation_sdk.builders import prometheus as prometheus_builders
    from grafana_foundation_sdk.builders import stat as stat_builders
    from grafana_foundation_sdk.builders import table as table_builders
    from grafana_foundation_sdk.builders import timeseries as timeseries_builders
    from grafana_foundation_sdk.models import common
    from grafana_foundation_sdk.models import dashboard as model
    from grafana_foundation_sdk.models import prometheus as prometheus_model

PROMETHEUS_UID: Final = "prometheus"
DATASOURCE: Final = common.DataSourceRef(type_val="prometheus", uid=PROMETHEUS_UID)
# A threshold step: (value from which it applies, colour); the first step's value is None (from -infinity).
Step = tuple[float | None, str]
Panel = timeseries_builders.Panel | stat_builders.Panel | gauge_builders.Panel | table_builders.Panel
GREEN: Final[tuple[Step, ...]] = ((None, "green"),)


@dataclass(frozen=True, slots=True, kw_only=True)
class Dashboard:
    """One provisioned dashboard.

    Attributes:
        folder: The Grafana folder it goes in, one per area. Required.
        uid: Stable lowercase id; links and bookmarks use it, so renaming one breaks them. Required.
        title: Its title in Grafana. Required.
        model: Grafana's dashboard JSON model, ready for ``json.dumps``: keys sorted, nothing that changes
            between calls (no timestamps, generated ids or versions). Required.
    """

    folder: str
    uid: str
    title: str
    model: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Query:
    """One PromQL target and, for a time series, its legend (``{{label}}`` templates)."""

    expr: str
    legend: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """A titled row of panels; panels fill it left to right and wrap at 24 columns."""

    title: str
    panels: tuple[Panel, ...]


def _target(query: Query, ref_id: str) -> prometheus_builders.Dataquery:
    target = prometheus_builders.Dataquery().datasource(DATASOURCE).expr(query.expr).ref_id(ref_id)
    return target.legend_format(query.legend) if query.legend else target


def _now(query: Query) -> prometheus_builders.Dataquery:
    """``query`` evaluated once, at the end of the range: what a single number or a table shows."""
    return _target(query, "A").instant()


def _thresholds(steps: Sequence[Step]) -> dashboard_builders.ThresholdsConfig:
    return (
        dashboard_builders.ThresholdsConfig()
        .mode(model.ThresholdsMode.ABSOLUTE)
        .steps([model.Threshold(value=value, color=color) for value, color in steps])
    )


def _framed(panel: Panel, title: str, description: str, width: int, height: int) -> Panel:
    """``panel`` titled, reading Prometheus, ``width`` columns by ``height`` grid rows, and described when
    there is something to say beyond its title."""
    framed = panel.title(title).datasource(DATASOURCE).span(width).height(height)
    return framed.description(description) if description else framed


def _last_value() -> common_builders.ReduceDataOptions:
    return common_builders.ReduceDataOptions().calcs(["lastNotNull"]).values(False)


def timeseries(
    title: str,
    unit: str,
    *queries: Query,
    description: str = "",
    width: int = 12,
    thresholds: Sequence[Step] = (),
) -> Panel:
    """A time series of ``queries`` in ``unit`` (a Grafana unit id); ``thresholds`` are drawn as dashed
    lines (an alert's threshold, an objective)."""
    legend = (
        common_builders.VizLegendOptions()
        .show_legend(True)
        .display_mode(common.LegendDisplayMode.LIST)
        .placement(common.LegendPlacement.BOTTOM)
    )
    tooltip = common_builders.VizTooltipOptions().mode(common.TooltipDisplayMode.MULTI)
    panel = (
        timeseries_builders.Panel()
        .targets([_target(query, chr(ord("A") + index)) for index, query in enumerate(queries)])
        .unit(unit)
        .fill_opacity(10)
        .legend(legend)
        .tooltip(tooltip.sort(common.SortOrder.DESCENDING))
    )
    if thresholds:
        panel = panel.thresholds(_thresholds(((None, "transparent"), *thresholds))).thresholds_style(
            common_builders.GraphThresholdsStyleConfig().mode(common.GraphThresholdsStyleMode.DASHED)
        )
    return _framed(panel, title, description, width, 8)


def stat(
    title: str,
    unit: str,
    query: Query,
    *,
    description: str = "",
    width: int = 6,
    thresholds: Sequence[Step] = GREEN,
) -> Panel:
    """One number per series of ``query`` (its last value), coloured by ``thresholds``."""
    panel = (
        stat_builders.Panel()
        .with_target(_now(query))
        .unit(unit)
        .reduce_options(_last_value())
        .color_mode(common.BigValueColorMode.VALUE)
        .graph_mode(common.BigValueGraphMode.NONE)
        .thresholds(_thresholds(thresholds))
    )
    return _framed(panel, title, description, width, 4)


def gauge(
    title: str,
    unit: str,
    query: Query,
    *,
    maximum: float,
    thresholds: Sequence[Step],
    description: str = "",
    width: int = 6,
) -> Panel:
    """A dial from 0 to ``maximum`` for the last value of ``query``, with ``thresholds`` marked on it."""
    panel = (
        gauge_builders.Panel()
        .with_target(_now(query))
        .unit(unit)
        .min(0)
        .max(maximum)
        .reduce_options(_last_value())
        .show_threshold_markers(True)
        .thresholds(_thresholds(thresholds))
    )
    return _framed(panel, title, description, width, 8)


def table(title: str, query: Query, *, description: str = "", width: int = 12) -> Panel:
    """The instant result of ``query`` as rows: one per series, a column per label, and the value."""
    hide_time = model.DataTransformerConfig(id_val="organize", options={"excludeByName": {"Time": True}})
    rows = _now(query).format(prometheus_model.PromQueryFormat.TABLE)
    panel = table_builders.Panel().with_target(rows).with_transformation(hide_time)
    return _framed(panel, title, description, width, 8)


def variable(
    name: str, label: str, selector: str, label_name: str, *, regex: str = ""
) -> dashboard_builders.QueryVariable:
    """A multi-select variable over the values of ``label_name`` on ``selector``, all of them by default (as
    an alternation of the values); ``regex`` keeps only the values it matches."""
    query = f"label_values({selector}, {label_name})"
    chosen = (
        dashboard_builders.QueryVariable(name)
        .label(label)
        .datasource(DATASOURCE)
        .query(query)
        .definition(query)
        .multi(True)
        .include_all(True)
        .current(model.VariableOption(selected=True, text="All", value="$__all"))
        .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(model.VariableSort.ALPHABETICAL_ASC)
    )
    return chosen.regex(regex) if regex else chosen


def board(
    *,
    folder: str,
    uid: str,
    title: str,
    description: str,
    sections: Sequence[Section],
    variables: Sequence[dashboard_builders.QueryVariable] = (),
) -> Dashboard:
    """The dashboard: read-only (code is its source), last 6 hours, refreshed every minute, panels numbered
    in order (ids are stable for links) and placed row by row on the grid."""
    builder = (
        dashboard_builders.Dashboard(title)
        .uid(uid)
        .description(description)
        .tags(["marketplace", folder.lower()])
        .readonly()
        .timezone("browser")
        .time("now-6h", "now")
        .refresh("1m")
        .tooltip(model.DashboardCursorSync.CROSSHAIR)
        .annotations([])  # Grafana adds its built-in annotations and alerts to an empty list
        .variables(list(variables))
    )
    panel_id = 0
    for section in sections:
        panel_id += 1
        builder.with_row(dashboard_builders.Row(section.title).id(panel_id))
        for panel in section.panels:
            panel_id += 1
            builder.with_panel(panel.id(panel_id))
    built = json.loads(json.dumps(builder.build(), cls=JSONEncoder, sort_keys=True))
    return Dashboard(folder=folder, uid=uid, title=title, model=built)

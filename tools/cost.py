"""Monthly cost estimate per environment and stack, offline, from the synthesized stacks:
``bin/dev cost [ENV ...] [--format table|json]``.

Each AWS resource is priced by its rule (tools/cost_rules.py) from the dated price table and the environment's
usage model (pricing/; traffic-driven volumes derived by tools/usage_model.py); the volumes charts create are
priced from the configuration (they are not Terraform resources). Three figures per environment:
- steady: every group at its minimum, plus the nodes the services at their minimum replicas and the headroom
  placeholders need beyond it, placed as the capacity simulator places them (tools/cost_placement.py);
- daily: the usage model's day, the peak hours at the peak's placement and the rest off the peak;
- ceiling: every group at its maximum and database storage at its autoscaling ceiling.
A type without a rule or a reason to be free is listed as not priced, never counted as zero. Beside each
environment: the reference design's figure, a breakdown per category and per service, and for production the
what-if (Graviton where a price exists, a 1-year Compute Savings Plan for the on-demand nodes' steady use,
1-year Reserved PostgreSQL and Redis) with its commitment stated.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import environments
import services
from environments.base import EnvironmentConfig
from tools.cli_checks import missing_synth, unknown_environment
from tools.cost_free import FREE, FREE_PREFIXES
from tools.cost_placement import ClassPlacement, placement
from tools.cost_rules import RULES, Context, Line, Scenario, group_node_monthly
from tools.pricing import MissingPrice, Prices, load_prices, load_usage, reference_figures, staleness
from tools.usage_model import Traffic, UsageError, traffic

LAYERS: Final = ("bootstrap", "foundation", "platform", "apps")
FIGURES: Final = ("steady", "daily", "ceiling")
ON_DEMAND: Final = Scenario()
WHAT_IF: Final = Scenario(graviton=True, savings_plan=True, reserved=True)


@dataclass(slots=True)
class StackCost:
    stack: str
    lines: list[Line] = field(default_factory=list)
    not_priced: list[str] = field(default_factory=list)  # resource types

    def total(self, figure: str) -> float:
        return sum(float(getattr(line, figure)) for line in self.lines)


@dataclass(slots=True)
class Estimate:
    env: str
    scenario: Scenario
    stacks: list[StackCost]
    standing_by: bool = False
    traffic: Traffic | None = None
    services: dict[str, float] = field(default_factory=dict)  # steady USD a month per service
    commitment_hourly: float = 0.0  # the Savings Plan's commitment, USD an hour, under a what-if
    notes: list[str] = field(default_factory=list)

    def total(self, figure: str) -> float:
        return sum(stack.total(figure) for stack in self.stacks)

    @property
    def lines(self) -> list[Line]:
        return [line for stack in self.stacks for line in stack.lines]

    @property
    def not_priced(self) -> list[str]:
        return sorted({t for stack in self.stacks for t in stack.not_priced})

    def categories(self) -> dict[str, float]:
        """Steady USD a month per category (compute, database, network...), largest first."""
        sums: dict[str, float] = defaultdict(float)
        for line in self.lines:
            sums[line.category] += line.steady
        return dict(sorted(sums.items(), key=lambda item: -item[1]))

    def drivers(self, count: int = 6) -> list[Line]:
        """The largest items at the steady state."""
        return sorted(self.lines, key=lambda line: -line.steady)[:count]


def price_stack(doc: dict[str, Any], stack: str, ctx: Context) -> StackCost:
    """Every resource of one synthesized stack, priced or listed as not priced."""
    cost = StackCost(stack)
    for resource_type, resources in sorted(doc.get("resource", {}).items()):
        rule = RULES.get(resource_type)
        if rule is None:
            if resource_type not in FREE and not resource_type.startswith(FREE_PREFIXES):
                cost.not_priced.append(resource_type)
            continue
        for name, resource in sorted(resources.items()):
            cost.lines += rule(f"{resource_type}.{name}", resource, ctx)
    return cost


def chart_volumes(env: EnvironmentConfig, prices: Prices) -> Line:
    """The gp3 volumes the platform's charts claim: Prometheus, Alertmanager, Loki and Elasticsearch."""
    monitoring, logs, tracing = env.monitoring, env.logs, env.tracing
    gb = (
        monitoring.prometheus_replicas * monitoring.volume_gb
        + monitoring.alertmanager_replicas * monitoring.alertmanager_volume_gb
        + logs.replicas * logs.volume_gb
        + tracing.elasticsearch_nodes * tracing.elasticsearch_volume_gb
    )
    monthly = gb * prices.get("ebs", "gp3_gb_month")
    return Line.flat(
        "persistent volumes (charts)", f"gp3 {gb:,} GB for metrics, logs, traces", "storage", monthly
    )


def _node_price(group_name: str, ctx: Context) -> float:
    """USD a month for one node of the synthesized group ``group_name``."""
    for group in ctx.doc["resource"].get("aws_eks_node_group", {}).values():
        if group["node_group_name"] == group_name:
            return group_node_monthly(group, ctx)[1]
    raise MissingPrice(f"no synthesized node group {group_name!r} to price")


def placed_nodes(classes: list[ClassPlacement], load: Traffic, ctx: Context) -> list[Line]:
    """The nodes each group runs beyond its minimum: at the steady state, and over the daily curve (peak
    hours at the peak's placement); none at the ceiling, where every group is at its maximum."""
    lines = []
    for placed in classes:
        at = {moment: placed.counts(getattr(placed, moment)) for moment in ("steady", "off_peak", "peak")}
        for name, group in placed.groups.items():
            steady, off_peak, peak = (at[moment][name] - group.min_size for moment in at)
            if not (steady or off_peak or peak):
                continue
            price = _node_price(name, ctx)
            daily = load.peak_share * peak + (1 - load.peak_share) * off_peak
            what = (
                f"{name} above its minimum of {group.min_size}: {steady} steady, {off_peak} off the peak, "
                f"{peak} at the peak"
            )
            lines.append(Line(f"placed nodes {name}", what, "compute", steady * price, daily * price, 0.0))
    return lines


def service_costs(classes: list[ClassPlacement], ctx: Context) -> dict[str, float]:
    """Steady USD a month per service (and headroom, and the shared rest of each class's nodes): each
    consumer's share of its class's nodes, priced at the class's groups."""
    costs: dict[str, float] = defaultdict(float)
    for placed in classes:
        counts = placed.counts(placed.steady)
        spend = sum(count * _node_price(name, ctx) for name, count in counts.items())
        for consumer, share in placed.share(placed.steady).items():
            costs[consumer] += share * spend
    return dict(sorted(costs.items(), key=lambda item: -item[1]))


def commitment(classes: list[ClassPlacement], ctx: Context) -> float:
    """The Savings Plan's hourly commitment: the on-demand nodes' steady use at the plan's rate."""
    hourly = 0.0
    for placed in classes:
        for name, count in placed.counts(placed.steady).items():
            group = placed.groups[name]
            if group.capacity_type == "SPOT":
                continue
            instance = group.instance_types[0]
            priced = (ctx.prices.graviton(instance) if ctx.scenario.graviton else None) or instance
            rate = ctx.prices.hourly("ec2", "on_demand_hourly", priced)
            hourly += count * rate * (1 - ctx.prices.get("ec2", "compute_savings_plan_1y_discount"))
    return hourly


def estimate(synth_dir: Path, env: EnvironmentConfig, scenario: Scenario = ON_DEMAND) -> Estimate:
    prices, usage = load_prices(), load_usage(env.name, env.tier)
    load = traffic(usage, prices.hours)
    classes = placement(env, services.SPECS, load)
    notes = [usage.note] if usage.note else []
    result = Estimate(env.name, scenario, [], standing_by=env.standing_by, traffic=load, notes=notes)
    for layer in LAYERS:
        path = synth_dir / "stacks" / f"{env.name}-{layer}" / "cdk.tf.json"
        if not path.is_file():
            continue
        doc = json.loads(path.read_text())
        ctx = Context(prices, usage, load, doc, scenario, cache_node_type=env.cache.node_type)
        cost = price_stack(doc, f"{env.name}-{layer}", ctx)
        if layer == "foundation":
            cost.lines += placed_nodes(classes, load, ctx)
            result.services = service_costs(classes, ctx)
            if scenario.savings_plan:
                result.commitment_hourly = commitment(classes, ctx)
        if layer == "platform":
            cost.lines.append(chart_volumes(env, prices))
        result.stacks.append(cost)
    return result


def _money(value: float) -> str:
    return f"${value:,.0f}"


def _range(low: float, high: float) -> str:
    return _money(low) if round(low) == round(high) else f"{_money(low)}-{_money(high)}"


def _reference(figure: Any) -> str:
    return "none" if figure is None else _range(*figure) if isinstance(figure, list) else _money(figure)


def _label(est: Estimate) -> str:
    return f"{est.env} (standby)" if est.standing_by else est.env


def _traffic(load: Traffic) -> str:
    return (
        f"{load.average_rps:,.1f} requests/s on average, {load.peak_rps:,.1f} at the peak for "
        f"{load.peak_hours_per_day:g} h a day ({load.off_peak_rps:,.1f} the rest): "
        f"{load.requests_million:,.1f} million requests, {load.egress_gb:,.0f} GB out, "
        f"{load.lcu:,.1f} LCU on average"
    )


def _what_if(what_if: Estimate) -> str:
    return (
        f"what-if {what_if.env} (Graviton where priced; 1-year Compute Savings Plan, no upfront, committing "
        f"${what_if.commitment_hourly:,.2f}/hour, the on-demand nodes' steady use; 1-year reserved "
        "PostgreSQL and Redis, no upfront): steady "
        f"{_money(what_if.total('steady'))}, daily {_money(what_if.total('daily'))}, ceiling "
        f"{_money(what_if.total('ceiling'))}"
    )


def render(estimates: list[Estimate], what_if: Estimate | None, prices_date: str) -> str:
    references = reference_figures()
    out = [
        f"Monthly cost, USD, list prices of {prices_date} (pricing/prices.yaml), usage model in "
        "pricing/usage.yaml",
        "steady: minimum nodes and the headroom as placed; daily: the usage model's day; ceiling: every "
        "group at its maximum",
        "",
        f"{'environment':<16} {'stack':<24} {'steady':>10} {'daily':>10} {'ceiling':>10}",
    ]
    for est in estimates:
        label = _label(est)
        for stack in est.stacks:
            figures = "".join(f" {_money(stack.total(f)):>10}" for f in FIGURES)
            out.append(f"{label:<16} {stack.stack:<24}{figures}")
        figures = "".join(f" {_money(est.total(f)):>10}" for f in FIGURES)
        reference = _reference(references.get(est.env))
        out.append(f"{label:<16} {'TOTAL':<24}{figures}   reference design: {reference}")
        if est.traffic is not None:
            out.append(f"  traffic: {_traffic(est.traffic)}")
        out.append(
            "  by category (steady): " + "; ".join(f"{k} {_money(v)}" for k, v in est.categories().items())
        )
        out.append("  by service (steady): " + "; ".join(f"{k} {_money(v)}" for k, v in est.services.items()))
        out.append(
            "  main drivers (steady): "
            + "; ".join(f"{line.what} {_money(line.steady)}" for line in est.drivers())
        )
        if est.not_priced:
            out.append("  NOT PRICED: " + ", ".join(est.not_priced))
        out.extend(f"  note: {note}" for note in est.notes)
        out.append("")
    if what_if is not None:
        optimized = references.get(f"{what_if.env}_optimized")
        out.append(f"{_what_if(what_if)}   reference design optimized: {_reference(optimized)}")
    return "\n".join(out)


def _figures(subject: Estimate | StackCost) -> dict[str, float]:
    return {figure: round(subject.total(figure), 2) for figure in FIGURES}


def as_json(estimates: list[Estimate], what_if: Estimate | None, prices_date: str) -> dict[str, Any]:
    def one(est: Estimate) -> dict[str, Any]:
        load = est.traffic
        return {
            "env": est.env, "standing_by": est.standing_by, **_figures(est),
            "categories": {k: round(v, 2) for k, v in est.categories().items()},
            "services": {k: round(v, 2) for k, v in est.services.items()},
            "traffic": None if load is None else {
                "average_rps": load.average_rps, "peak_rps": load.peak_rps,
                "peak_hours_per_day": load.peak_hours_per_day, "off_peak_rps": round(load.off_peak_rps, 2),
                "requests_million": round(load.requests_million, 2), "egress_gb": round(load.egress_gb, 1),
                "lcu": round(load.lcu, 2), "waf_log_gb": round(load.waf_log_gb, 2),
                "application_log_gb": round(load.application_log_gb, 1),
            },
            "commitment_hourly": round(est.commitment_hourly, 4),
            "not_priced": est.not_priced, "notes": est.notes,
            "stacks": [{"stack": s.stack, **_figures(s), "lines": [asdict(line) for line in s.lines]}
                       for s in est.stacks],
        }  # fmt: skip

    return {
        "prices_date": prices_date,
        "reference_design": reference_figures(),
        "environments": [one(est) for est in estimates],
        "what_if_production": one(what_if) if what_if else None,
    }


def main(argv: list[str]) -> int:
    names = [env.name for env in environments.ALL]
    parser = argparse.ArgumentParser(
        prog="bin/dev cost", description="Monthly cost estimate per environment."
    )
    parser.add_argument("envs", metavar="ENV", nargs="*", help=f"any of {', '.join(names)}; default: all")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--synth", type=Path, default=Path("cdktf.out"))
    args = parser.parse_args(argv)
    error = unknown_environment(args.envs, names) or missing_synth(args.synth)
    if error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    chosen = [env for env in environments.ALL if not args.envs or env.name in args.envs]
    # the what-if prices the first production-tier primary chosen (a standby's sizes are its floor)
    production = next((env for env in chosen if env.tier == "production" and env.standby is None), None)
    try:
        estimates = [estimate(args.synth, env) for env in chosen]
        what_if = estimate(args.synth, production, WHAT_IF) if production else None
    except (MissingPrice, UsageError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    date = load_prices().date
    warning = staleness(date, datetime.date.today())
    if warning:
        print(warning, file=sys.stderr)
    if args.format == "json":
        print(json.dumps(as_json(estimates, what_if, date), indent=2))
    else:
        print(render(estimates, what_if, date))
    return 1 if any(est.not_priced for est in estimates) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

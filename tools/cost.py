"""Monthly cost estimate per environment and stack, offline, from the synthesized stacks:
``bin/dev cost [ENV ...] [--format table|json]``.

Each AWS resource is priced by its rule (tools/cost_rules.py) from the dated price table and the reviewed
usage assumptions (pricing/); the volumes charts create are priced from the configuration (they are not
Terraform resources). Low is every node group at its minimum plus the nodes headroom placeholders keep (and
storage as allocated), high every group at its maximum. A type without a rule or a reason to be free is
listed as not priced, never counted as zero. Beside each environment: the reference design's figure, and for
production the what-if (Spot for the compute group, Graviton where a price exists, 1-year Reserved
PostgreSQL and Redis) beside its "optimized" figure.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Final

import environments
from environments.base import EnvironmentConfig
from marketplace_constructs.capacity.fit import pod_room
from marketplace_constructs.workload.service_props import millicores
from tools.cli_checks import missing_synth, unknown_environment
from tools.cost_rules import FREE, FREE_PREFIXES, RULES, Context, Line, Scenario
from tools.pricing import Prices, load_prices, load_usage, reference_figures, staleness

LAYERS: Final = ("bootstrap", "foundation", "platform", "apps")
ON_DEMAND: Final = Scenario()
WHAT_IF: Final = Scenario(spot_compute=True, graviton=True, reserved=True)


@dataclass(slots=True)
class StackCost:
    stack: str
    lines: list[Line] = field(default_factory=list)
    not_priced: list[str] = field(default_factory=list)  # resource types

    @property
    def low(self) -> float:
        return sum(line.low for line in self.lines)

    @property
    def high(self) -> float:
        return sum(line.high for line in self.lines)


@dataclass(slots=True)
class Estimate:
    env: str
    scenario: Scenario
    stacks: list[StackCost]
    notes: list[str] = field(default_factory=list)

    @property
    def low(self) -> float:
        return sum(stack.low for stack in self.stacks)

    @property
    def high(self) -> float:
        return sum(stack.high for stack in self.stacks)

    @property
    def not_priced(self) -> list[str]:
        return sorted({t for stack in self.stacks for t in stack.not_priced})

    def drivers(self, count: int = 6) -> list[Line]:
        """The largest items at the high end."""
        return sorted((line for stack in self.stacks for line in stack.lines), key=lambda line: -line.high)[
            :count
        ]


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
    return Line(
        "persistent volumes (charts)", f"gp3 {gb:,} GB for metrics, logs, traces", "storage", monthly, monthly
    )


def headroom_nodes(env: EnvironmentConfig, prices: Prices, scenario: Scenario) -> list[Line]:
    """The nodes the headroom placeholders keep running beyond the groups' minimum (the low end only: a
    group at its maximum already counts them)."""
    lines = []
    for name in ("general", "compute", "memory"):
        headroom = getattr(env.capacity.headroom, name)
        if not headroom.pods:
            continue
        group = getattr(env.running_node_groups, name)
        nodes = math.ceil(headroom.pods * millicores(headroom.cpu) / pod_room(group.instance_types[0]).cpu_m)
        hourly = prices.hourly("ec2", "on_demand_hourly", group.instance_types[0])
        if group.capacity_type == "SPOT" or (scenario.spot_compute and name == "compute"):
            hourly *= 1 - prices.get("ec2", "spot_discount")
        what = f"headroom {name}: {headroom.pods} placeholders keep {nodes} more {group.instance_types[0]}"
        lines.append(Line(f"headroom {name}", what, "compute", nodes * prices.monthly(hourly), 0.0))
    return lines


def estimate(synth_dir: Path, env: EnvironmentConfig, scenario: Scenario = ON_DEMAND) -> Estimate:
    prices, usage = load_prices(), load_usage(env.name, env.tier)
    stacks = []
    for layer in LAYERS:
        path = synth_dir / "stacks" / f"{env.name}-{layer}" / "cdk.tf.json"
        if not path.is_file():
            continue
        doc = json.loads(path.read_text())
        ctx = Context(prices, usage, doc, scenario, cache_node_type=env.cache.node_type)
        cost = price_stack(doc, f"{env.name}-{layer}", ctx)
        if layer == "platform":
            cost.lines += [chart_volumes(env, prices), *headroom_nodes(env, prices, scenario)]
        stacks.append(cost)
    return Estimate(env.name, scenario, stacks, notes=[usage.note] if usage.note else [])


def _money(value: float) -> str:
    return f"${value:,.0f}"


def _range(low: float, high: float) -> str:
    return _money(low) if round(low) == round(high) else f"{_money(low)}-{_money(high)}"


def _reference(figure: Any) -> str:
    return "none" if figure is None else _range(*figure) if isinstance(figure, list) else _money(figure)


def render(estimates: list[Estimate], what_if: Estimate | None, prices_date: str) -> str:
    references = reference_figures()
    out = [
        f"Monthly cost, USD, list prices of {prices_date} (pricing/prices.yaml), usage in pricing/usage.yaml",
        "",
    ]
    out.append(f"{'environment':<12} {'stack':<24} {'low (min nodes)':>16} {'high (max nodes)':>17}")
    for est in estimates:
        for stack in est.stacks:
            out.append(f"{est.env:<12} {stack.stack:<24} {_money(stack.low):>16} {_money(stack.high):>17}")
        reference = _reference(references.get(est.env))
        out.append(
            f"{est.env:<12} {'TOTAL':<24} {_money(est.low):>16} {_money(est.high):>17}"
            f"   reference design: {reference}"
        )
        out.append(
            "  main drivers (high): "
            + "; ".join(f"{line.what} {_money(line.high)}" for line in est.drivers())
        )
        figure = references.get(est.env)
        if figure is not None:
            top = max(figure) if isinstance(figure, list) else figure
            out.append(
                f"  vs reference design: {_money(est.low - top)} to {_money(est.high - top)} more; the six "
                f"drivers above alone are {_money(sum(line.high for line in est.drivers()))} "
                "(docs/cost-and-capacity.md)"
            )
        if est.not_priced:
            out.append("  NOT PRICED: " + ", ".join(est.not_priced))
        out.extend(f"  note: {note}" for note in est.notes)
        out.append("")
    if what_if is not None:
        optimized = references.get("production_optimized")
        out.append(
            f"what-if production (Spot compute group, Graviton, 1-year reserved PostgreSQL and Redis): "
            f"{_range(what_if.low, what_if.high)}   reference design optimized: {_reference(optimized)}"
        )
    return "\n".join(out)


def as_json(estimates: list[Estimate], what_if: Estimate | None, prices_date: str) -> dict[str, Any]:
    def one(est: Estimate) -> dict[str, Any]:
        return {
            "env": est.env, "low": round(est.low, 2), "high": round(est.high, 2),
            "not_priced": est.not_priced, "notes": est.notes,
            "stacks": [{"stack": s.stack, "low": round(s.low, 2), "high": round(s.high, 2),
                        "lines": [asdict(line) for line in s.lines]} for s in est.stacks],
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
    estimates = [estimate(args.synth, env) for env in chosen]
    # the what-if prices the first production-tier primary chosen (a standby's sizes are its floor)
    production = next((env for env in chosen if env.tier == "production" and env.standby is None), None)
    what_if = estimate(args.synth, production, WHAT_IF) if production else None
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

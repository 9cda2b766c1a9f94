"""The cost estimate: small hand-computed stacks price exactly, the usage model's derived figures agree with
each other, headroom is counted once from the placement the simulator starts from, the daily curve weighs the
peak hours, an unknown type is listed as not priced (never zero), every synthesized type is priced or free for
a stated reason, and every environment's budget follows its estimate."""

from __future__ import annotations

import datetime
import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

import environments
from marketplace_constructs.capacity.fit import Consumer, nodes_to_hold, pod_room
from marketplace_constructs.capacity.simulator import GroupModel, initial_nodes
from marketplace_constructs.eks.props import NodeGroupProps
from tools import cost
from tools.cost_free import FREE
from tools.cost_placement import ClassPlacement
from tools.cost_rules import Context, Scenario
from tools.pricing import PRICING_DIR, MissingPrice, Prices, Usage, load_prices, load_usage, staleness
from tools.usage_model import SERVING_CAPACITY_RPS, Traffic, UsageError, replicas_at, traffic

PRICES = Prices({
    "date": "2026-01-01", "hours_per_month": 100,
    "ec2": {"on_demand_hourly": {"m7i.large": 0.10, "m7g.large": 0.08, "c7i.4xlarge": 0.70},
            "graviton": {"m7i.large": "m7g.large"}, "spot_discount": 0.5,
            "compute_savings_plan_1y_discount": 0.25, "detailed_monitoring_instance_month": 2.0},
    "guardduty": {"runtime_vcpu_month": 1.0},
    "ebs": {"gp3_gb_month": 0.10},
    "vpc": {"nat_gateway_hourly": 0.05, "nat_processed_gb": 0.01, "public_ipv4_hourly": 0.01},
    "rds_postgresql": {"on_demand_hourly": {"db.r6g.large": 0.20},
                       "reserved_1y_hourly": {"db.r6g.large": 0.15}, "gp3_gb_month": 0.10},
    "elb": {"alb_hourly": 0.02, "lcu_hourly": 0.01},
    "data_transfer": {"internet_out_gb": 0.10},
    "waf": {"web_acl_month": 5.0, "rule_month": 1.0, "million_requests": 0.60},
    "cloudwatch": {"logs_ingested_gb": 0.50, "logs_stored_gb_month": 0.03},
})  # fmt: skip
# 10 requests/s on average, 40 for 6 hours a day, 1 kB a response, 10 requests per connection
TRAFFIC = Traffic(
    average_rps=10, peak_rps=40, peak_hours_per_day=6, bytes_per_response=1000, requests_per_connection=10,
    waf_logged_share=0.02, waf_log_record_bytes=2000, log_bytes_per_request=300, hours=100,
)  # fmt: skip
USAGE = Usage("test", {"nat_processed_gb": 1000, "dns_queries_million": 1, "dns_log_record_bytes": 200})
NODE_GROUP = {
    "node_group_name": "general", "capacity_type": "ON_DEMAND", "instance_types": ["m7i.large"],
    "scaling_config": {"min_size": 2, "desired_size": 2, "max_size": 5},
    "launch_template": {"id": "${aws_launch_template.nodes.id}"},
}  # fmt: skip
TEMPLATE = {"nodes": {"block_device_mappings": [{"ebs": {"volume_size": 50}}]}}
STACK = {
    "resource": {
        "aws_eks_node_group": {"general": NODE_GROUP},
        "aws_launch_template": TEMPLATE,
        "aws_nat_gateway": {"a": {}, "b": {}},
        "aws_eip": {"a": {}},
        "aws_db_instance": {"db": {"identifier": "db", "instance_class": "db.r6g.large", "multi_az": True,
                                   "allocated_storage": 100, "max_allocated_storage": 300}},
        "aws_iam_role": {"r": {}},
    }
}  # fmt: skip


def context(doc: dict[str, Any], scenario: Scenario = cost.ON_DEMAND) -> Context:
    return Context(PRICES, USAGE, TRAFFIC, doc, scenario, cache_node_type="x")


def priced(doc: dict[str, Any], scenario: Scenario = cost.ON_DEMAND) -> cost.StackCost:
    return cost.price_stack(doc, "test-foundation", context(doc, scenario))


def figures(line: Any) -> tuple[float, float, float]:
    return (line.steady, line.daily, line.ceiling)


def test_a_small_stack_prices_exactly_as_computed_by_hand() -> None:
    lines = {line.address: figures(line) for line in priced(STACK).lines}
    # each node: 0.10 $/h x 100 h + 50 GB x 0.10 + detailed monitoring 2 + GuardDuty 2 vCPU x 1 = 19;
    # 2 nodes steady and over the day, 5 at the ceiling
    assert lines["aws_eks_node_group.general"] == pytest.approx((38.0, 38.0, 95.0))
    # each NAT: 0.05 x 100 + (1000 GB / 2) x 0.01 = 10
    assert lines["aws_nat_gateway.a"] == pytest.approx((10.0, 10.0, 10.0))
    assert lines["aws_eip.a"] == pytest.approx((1.0, 1.0, 1.0))
    # Multi-AZ: (0.20 x 100 + 100 GB x 0.10) x 2 = 60, and 300 GB at the autoscaling ceiling: 100
    assert lines["aws_db_instance.db"] == pytest.approx((60.0, 60.0, 100.0))
    # 38 + 2 x 10 + 1 + 60 = 119 steady; 95 + 20 + 1 + 100 = 216 at the ceiling
    stack = priced(STACK)
    assert (stack.total("steady"), stack.total("ceiling")) == pytest.approx((119.0, 216.0))


def test_the_what_if_levers_price_graviton_a_savings_plan_and_reserved_instances() -> None:
    nodes = {"resource": {"aws_eks_node_group": {"general": NODE_GROUP}, "aws_launch_template": TEMPLATE}}
    (line,) = priced(nodes, Scenario(graviton=True)).lines
    # m7g.large: 0.08 x 100 + 5 + 2 + 2 = 17 a node
    assert line.steady == pytest.approx(2 * 17) and "m7g.large" in line.what
    (line,) = priced(nodes, Scenario(savings_plan=True)).lines
    assert line.steady == pytest.approx(2 * (0.10 * 0.75 * 100 + 9))  # the plan's rate on the instance only
    spot = {**NODE_GROUP, "capacity_type": "SPOT"}
    (line,) = priced({"resource": {"aws_eks_node_group": {"g": spot}, "aws_launch_template": TEMPLATE}}).lines
    assert line.steady == pytest.approx(2 * (5 + 9)) and "spot" in line.what
    database = {"aws_db_instance": STACK["resource"]["aws_db_instance"]}
    (line,) = priced({"resource": database}, Scenario(reserved=True)).lines
    assert line.steady == pytest.approx((15 + 10) * 2)


def test_the_usage_model_derives_requests_egress_lcus_and_logs_that_agree() -> None:
    # 10/s x 3,600 s x 100 h = 3.6 million requests; x 1,000 B = 3.6 GB out
    assert TRAFFIC.requests == pytest.approx(3_600_000)
    assert TRAFFIC.egress_gb == pytest.approx(TRAFFIC.requests * TRAFFIC.bytes_per_response / 1e9) == 3.6
    # the rest of the day keeps the average: (10 x 24 - 40 x 6) / 18 = 0
    assert TRAFFIC.off_peak_rps == pytest.approx(0.0)
    # at the peak: 40/s x 3,600 x 1,000 B = 0.144 GB an hour (0.144 LCU), 4 new connections/s (0.16 LCU);
    # a quarter of the hours at 0.16, the rest at 0
    assert TRAFFIC.lcu_at(40) == pytest.approx(0.16) and TRAFFIC.lcu == pytest.approx(0.04)
    # the WAF logs 2 % of requests at 2 kB each: 3.6 M x 0.02 x 2,000 B = 0.144 GB
    assert TRAFFIC.waf_log_gb == pytest.approx(0.144)
    assert TRAFFIC.application_log_gb == pytest.approx(1.08)


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_every_environments_usage_is_coherent_bytes_times_requests_is_egress(env: Any) -> None:
    load = traffic(load_usage(env.name, env.tier), load_prices().hours)
    assert load.egress_gb == pytest.approx(load.requests * load.bytes_per_response / 1e9)
    assert load.requests == pytest.approx(load.average_rps * 3600 * load_prices().hours)
    day = load.peak_share * load.peak_rps + (1 - load.peak_share) * load.off_peak_rps
    assert day == pytest.approx(load.average_rps)  # the daily curve keeps the average
    assert load.off_peak_rps <= load.average_rps <= load.peak_rps


def test_a_usage_model_that_contradicts_itself_is_refused_in_one_line() -> None:
    with pytest.raises(UsageError) as caught:
        Traffic(**{**_fields(TRAFFIC), "peak_rps": 100, "env": "qa"})
    assert str(caught.value) == (
        "pricing/usage.yaml environments.qa: peak_rps 100 for 6 h a day cannot average 10: the peak must be "
        "at least the average and at most 40 requests/s"
    )


def _fields(load: Traffic) -> dict[str, Any]:
    return {name: getattr(load, name) for name in Traffic.__dataclass_fields__}


def test_the_web_acl_and_load_balancer_price_the_usage_models_traffic() -> None:
    acl = {"name": "edge", "rule": [{}, {}]}
    balancer = {"name": "edge", "subnets": ["a", "b", "c"]}
    lines = priced({"resource": {"aws_wafv2_web_acl": {"a": acl}, "aws_lb": {"b": balancer}}}).lines
    by_what = {line.what: line.steady for line in lines}
    assert by_what["WAF requests (4 million)"] == pytest.approx(3.6 * 0.60)
    # hours (0.02) + 0.04 LCU x 0.01 + 3 public addresses x 0.01, for 100 hours
    assert by_what["ALB edge (0.0 LCU on average, 3 public addresses)"] == pytest.approx(
        (0.02 + 0.04 * 0.01 + 0.03) * 100
    )
    assert by_what["data transfer out (4 GB)"] == pytest.approx(3.6 * 0.10)


def test_log_groups_are_priced_from_their_source_and_an_unknown_source_is_refused() -> None:
    groups = {
        "waf": {"name": "aws-waf-logs-test", "retention_in_days": 30},
        "dns": {"name": "/aws/route53/example.com", "retention_in_days": 365},
    }
    lines = {
        line.address: line.steady for line in priced({"resource": {"aws_cloudwatch_log_group": groups}}).lines
    }
    # WAF: 0.144 GB ingested (x 0.50) and 0.144 GB kept a month (x 0.03)
    assert lines["aws_cloudwatch_log_group.waf"] == pytest.approx(0.144 * 0.50 + 0.144 * 0.03)
    # DNS: 1 million queries x 200 B = 0.2 GB, kept 365 days (12.17 months' worth stored)
    assert lines["aws_cloudwatch_log_group.dns"] == pytest.approx(0.2 * 0.50 + 0.2 * 365 / 30 * 0.03)
    unknown = {"aws_cloudwatch_log_group": {"x": {"name": "/made/up"}}}
    with pytest.raises(MissingPrice, match=r"no log source for the log group '/made/up'"):
        priced({"resource": unknown})


# --- Headroom counted once, hours weighed ----------------------------------------------------------------

COMPUTE_ROOM = pod_room("c7i.4xlarge")  # 16 vCPUs: 15,325m beside the DaemonSets, 13 pods of 1,100m


def test_headroom_is_counted_once_from_the_placement_the_simulator_starts_from() -> None:
    # consumption at its minimum (10 pods) and 90 placeholders, each 1,100m, on a group of at least 4 nodes
    consumers = [Consumer("consumption", 10, 1100, 640), Consumer("headroom", 90, 1100, 640)]
    assert COMPUTE_ROOM.cpu_m == 15_325 and COMPUTE_ROOM.cpu_m // 1100 == 13
    # together: 110,000m / 15,325m = 7.18, so 8 nodes (whole pods: 90 / 13 = 6.9, 7), 4 above the minimum
    # (the old estimate charged 7 more for the placeholders alone, on top of the minimum: 11)
    assert nodes_to_hold(COMPUTE_ROOM, consumers, 4, 22) == 8
    assert 4 + math.ceil(90 * 1100 / COMPUTE_ROOM.cpu_m) == 11
    # the simulator starts the same group from the same count: (10 + 90 slots) / 13 per node
    assert initial_nodes(GroupModel(4, 22, 13, placeholders=90, pods_per_placeholder=1), 10) == 8


def test_the_nodes_above_the_minimum_go_to_the_spot_burst_first_as_the_expander_grows_it() -> None:
    base = NodeGroupProps(instance_types=("c7i.4xlarge",), min_size=3, desired_size=3, max_size=6)
    burst = NodeGroupProps(
        instance_types=("c7i.4xlarge",), capacity_type="SPOT", min_size=0, desired_size=0, max_size=5
    )
    steady = (Consumer("consumption", 10, 1100, 640), Consumer("headroom", 115, 1100, 640))
    placed = ClassPlacement(
        "compute", {"compute": base, "compute-burst": burst}, COMPUTE_ROOM, steady, (), ()
    )
    # one pool: 125 pods x 1,100m = 137,500m / 15,325m = 8.97 (whole pods, 13 a node: 115 placeholders
    # need 8.8), so 9 nodes; 3 on the base's minimum, the burst takes 5 (its maximum), the base the last one
    assert placed.nodes(steady) == 9
    assert placed.counts(steady) == {"compute": 4, "compute-burst": 5}


def test_the_daily_curve_weighs_the_peak_hours_of_the_placement() -> None:
    group = NodeGroupProps(instance_types=("c7i.4xlarge",), min_size=2, desired_size=2, max_size=20)
    # at 10,000 requests/s consumption (10-200) needs 200 x 10,000 / 50,000 = 40 pods, 13 a node: 4 nodes;
    # off the peak, 1,000 requests/s needs 4, so its minimum of 10: 11,000m on the 2 minimum nodes
    assert replicas_at(10_000, 10, 200) == 40 and replicas_at(1_000, 10, 200) == 10
    assert SERVING_CAPACITY_RPS == 50_000
    steady = off_peak = (Consumer("consumption", 10, 1100, 640),)
    peak = (Consumer("consumption", 40, 1100, 640),)
    placed = ClassPlacement("compute", {"compute": group}, COMPUTE_ROOM, steady, off_peak, peak)
    load = Traffic(**{**_fields(TRAFFIC), "average_rps": 3250, "peak_rps": 10_000})
    assert load.peak_share == 0.25 and load.off_peak_rps == pytest.approx(1000)
    compute = {**NODE_GROUP, "node_group_name": "compute", "instance_types": ["c7i.4xlarge"]}
    doc = {"resource": {"aws_eks_node_group": {"compute": compute}, "aws_launch_template": TEMPLATE}}
    (line,) = cost.placed_nodes([placed], load, Context(PRICES, USAGE, load, doc, cost.ON_DEMAND, "x"))
    # a node: 0.70 x 100 + 5 + 2 + 16 vCPUs x 1 = 93; two nodes above the minimum for a quarter of the hours
    assert figures(line) == pytest.approx((0.0, 0.25 * 2 * 93, 0.0))


def test_an_unknown_type_is_listed_as_not_priced_never_zero() -> None:
    result = priced({"resource": {"aws_made_up_service": {"x": {}}, "aws_iam_role": {"r": {}}}})
    assert result.not_priced == ["aws_made_up_service"] and result.lines == []


def test_a_size_without_a_price_fails_naming_it() -> None:
    doc = {"resource": {"aws_db_instance": {"db": {"identifier": "db", "instance_class": "db.x9.huge"}}}}
    with pytest.raises(MissingPrice, match=r"no rds_postgresql\.on_demand_hourly price for 'db\.x9\.huge'"):
        priced(doc)


# --- The synthesized environments ----------------------------------------------------------------------


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_every_synthesized_type_is_priced_or_free_for_a_stated_reason(synth_dir: Path, env: Any) -> None:
    estimate = cost.estimate(synth_dir, env)
    assert estimate.not_priced == []
    assert all(reason for reason in FREE.values())
    assert 0 < estimate.total("steady") <= estimate.total("daily") <= estimate.total("ceiling")


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_each_environments_budget_follows_its_estimate(synth_dir: Path, env: Any) -> None:
    """The budget is 135-150 % of the daily-curve estimate: its 80 % forecast alert fires only 8-20 % above
    the estimate (a 31-day month alone is 2 % above it), its 100 % one more than a third above; a change that
    moves the estimate out of that band updates the budget with it."""
    daily = cost.estimate(synth_dir, env).total("daily")
    assert 1.35 * daily <= env.monthly_budget_usd <= 1.5 * daily, (env.name, round(daily))


def test_production_is_cost_optimized_and_the_what_if_states_its_commitment(synth_dir: Path) -> None:
    production = next(env for env in environments.ALL if env.name == "production")
    on_demand = cost.estimate(synth_dir, production)
    what_if = cost.estimate(synth_dir, production, cost.WHAT_IF)
    assert on_demand.total("steady") <= 10_500 and what_if.total("steady") <= 9_000
    assert what_if.commitment_hourly > 0 and what_if.total("steady") < on_demand.total("steady")
    groups = sorted(line.what for line in on_demand.lines if line.address.startswith("aws_eks_node_group"))
    assert groups == [
        "compute-burst: c7g.4xlarge spot, 0-16 nodes", "compute: c7g.4xlarge, 3-6 nodes",
        "general: m7g.xlarge, 3-16 nodes", "memory: r7g.large, 3-6 nodes",
    ]  # fmt: skip
    # the nodes above the compute class's minimum go to the Spot burst; nothing is placed twice
    burst = [line for line in on_demand.lines if line.address == "placed nodes compute-burst"]
    assert len(burst) == 1 and burst[0].ceiling == 0
    assert set(on_demand.services) >= {"headroom", "shared", "consumption", "discovery"}
    text = cost.render([on_demand], what_if, load_prices().date)
    assert f"committing ${what_if.commitment_hourly:,.2f}/hour" in text


def test_dr_prices_its_standby_on_its_own_line(synth_dir: Path) -> None:
    dr = next(env for env in environments.ALL if env.standby is not None)
    text = cost.render([cost.estimate(synth_dir, dr)], None, load_prices().date)
    assert f"{dr.name} (standby)" in text


def test_json_output_for_ci(synth_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cost.main(["dev", "--format", "json", "--synth", str(synth_dir)]) == 0
    report = json.loads(capsys.readouterr().out)
    (dev,) = report["environments"]
    assert dev["env"] == "dev" and report["reference_design"]["dev"] == 400
    assert 0 < dev["steady"] <= dev["daily"] <= dev["ceiling"] and dev["traffic"]["average_rps"] == 2


def test_an_environment_without_usage_is_priced_with_its_tiers_defaults_and_says_so() -> None:
    document = yaml.safe_load((PRICING_DIR / "usage.yaml").read_text())
    for tier, stand_in in document["tier_defaults"].items():
        usage = load_usage("nosuchenvironment", tier)
        assert usage.values == document["environments"][stand_in]
        assert usage.note == (
            "pricing/usage.yaml has no environments.nosuchenvironment; priced with the "
            f"{tier} tier's defaults (environments.{stand_in}): add an entry with its own figures"
        )
    known = environments.ALL[0]
    assert load_usage(known.name, known.tier).note is None


def test_a_price_table_older_than_180_days_is_a_warning_naming_its_date() -> None:
    written = datetime.date(2026, 11, 26)
    assert staleness("2026-11-26", written + datetime.timedelta(days=180)) is None
    assert staleness("2026-11-26", written + datetime.timedelta(days=181)) == (
        "warning: pricing/prices.yaml is dated 2026-11-26, 181 days ago (more than 180): check its prices "
        "against the AWS pages each section names, then change its date"
    )

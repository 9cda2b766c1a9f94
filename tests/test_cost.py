"""The cost estimate: small hand-computed stacks price exactly, an unknown type is listed as not priced (never
zero), every type the synthesized stacks use is priced or free for a stated reason, and the what-if levers
lower the figures they should."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

import environments
from tools import cost
from tools.cost_rules import FREE, Context, Scenario
from tools.pricing import PRICING_DIR, MissingPrice, Prices, Usage, load_prices, load_usage, staleness

PRICES = Prices({
    "date": "2026-01-01", "hours_per_month": 100,
    "ec2": {"on_demand_hourly": {"m7i.large": 0.10, "m7g.large": 0.08},
            "graviton": {"m7i.large": "m7g.large"}, "spot_discount": 0.5},
    "ebs": {"gp3_gb_month": 0.10},
    "vpc": {"nat_gateway_hourly": 0.05, "nat_processed_gb": 0.01, "public_ipv4_hourly": 0.01},
    "rds_postgresql": {"on_demand_hourly": {"db.r6g.large": 0.20},
                       "reserved_1y_hourly": {"db.r6g.large": 0.15}, "gp3_gb_month": 0.10},
})  # fmt: skip
USAGE = Usage("test", {"nat_processed_gb": 1000})
NODE_GROUP = {
    "node_group_name": "general", "capacity_type": "ON_DEMAND", "instance_types": ["m7i.large"],
    "scaling_config": {"min_size": 2, "desired_size": 2, "max_size": 5},
    "launch_template": {"id": "${aws_launch_template.nodes.id}"},
}  # fmt: skip
STACK = {
    "resource": {
        "aws_eks_node_group": {"general": NODE_GROUP},
        "aws_launch_template": {"nodes": {"block_device_mappings": [{"ebs": {"volume_size": 50}}]}},
        "aws_nat_gateway": {"a": {}, "b": {}},
        "aws_eip": {"a": {}},
        "aws_db_instance": {"db": {"identifier": "db", "instance_class": "db.r6g.large", "multi_az": True,
                                   "allocated_storage": 100, "max_allocated_storage": 300}},
        "aws_iam_role": {"r": {}},
    }
}  # fmt: skip


def priced(doc: dict[str, Any], scenario: Scenario = cost.ON_DEMAND) -> cost.StackCost:
    return cost.price_stack(
        doc, "test-foundation", Context(PRICES, USAGE, doc, scenario, cache_node_type="x")
    )


def test_a_small_stack_prices_exactly_as_computed_by_hand() -> None:
    lines = {line.address: (line.low, line.high) for line in priced(STACK).lines}
    # each node: 0.10 $/h x 100 h + 50 GB x 0.10 = 15; 2 to 5 nodes
    assert lines["aws_eks_node_group.general"] == pytest.approx((30.0, 75.0))
    # each NAT: 0.05 x 100 + (1000 GB / 2) x 0.01 = 10
    assert lines["aws_nat_gateway.a"] == pytest.approx((10.0, 10.0))
    assert lines["aws_eip.a"] == pytest.approx((1.0, 1.0))
    # Multi-AZ: (0.20 x 100 + 100 GB x 0.10) x 2 = 60, and 300 GB at the autoscaling ceiling: 100
    assert lines["aws_db_instance.db"] == pytest.approx((60.0, 100.0))
    # two NAT gateways, one address: 30 + 2 x 10 + 1 + 60 = 111 low; 75 + 20 + 1 + 100 = 196 high
    assert priced(STACK).low == pytest.approx(111.0) and priced(STACK).high == pytest.approx(196.0)


def test_the_what_if_levers_price_spot_graviton_and_reserved_instances() -> None:
    spot = {"aws_eks_node_group": {"compute": {**NODE_GROUP, "node_group_name": "compute"}},
            "aws_launch_template": STACK["resource"]["aws_launch_template"]}  # fmt: skip
    (line,) = priced({"resource": spot}, Scenario(spot_compute=True)).lines
    assert (line.low, line.high) == pytest.approx(
        (2 * (5 + 5), 5 * (5 + 5))
    )  # half the 10 $/month, plus volume
    (line,) = priced({"resource": spot}, Scenario(graviton=True)).lines
    assert line.low == pytest.approx(2 * (8 + 5)) and "m7g.large" in line.what
    database = {"aws_db_instance": STACK["resource"]["aws_db_instance"]}
    (line,) = priced({"resource": database}, Scenario(reserved=True)).lines
    assert line.low == pytest.approx((15 + 10) * 2)


def test_an_unknown_type_is_listed_as_not_priced_never_zero() -> None:
    result = priced({"resource": {"aws_made_up_service": {"x": {}}, "aws_iam_role": {"r": {}}}})
    assert result.not_priced == ["aws_made_up_service"] and result.lines == []


def test_a_size_without_a_price_fails_naming_it() -> None:
    doc = {"resource": {"aws_db_instance": {"db": {"identifier": "db", "instance_class": "db.x9.huge"}}}}
    with pytest.raises(MissingPrice, match=r"no rds_postgresql\.on_demand_hourly price for 'db\.x9\.huge'"):
        priced(doc)


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_every_synthesized_type_is_priced_or_free_for_a_stated_reason(synth_dir: Path, env: Any) -> None:
    estimate = cost.estimate(synth_dir, env)
    assert estimate.not_priced == []
    assert all(reason for reason in FREE.values())
    assert 0 < estimate.low <= estimate.high


def test_production_prices_its_node_groups_from_min_to_max_and_the_what_if_is_cheaper(
    synth_dir: Path,
) -> None:
    production = next(env for env in environments.ALL if env.name == "production")
    on_demand, what_if = (
        cost.estimate(synth_dir, production),
        cost.estimate(synth_dir, production, cost.WHAT_IF),
    )
    groups = [
        line for stack in on_demand.stacks for line in stack.lines if line.address.startswith("aws_eks_node")
    ]
    assert len(groups) == 3 and all(line.high > line.low for line in groups)
    assert what_if.high < on_demand.high and what_if.low < on_demand.low
    # the nodes production's headroom keeps count at the low end only (a group at its maximum holds them)
    headroom = [
        line for stack in on_demand.stacks for line in stack.lines if line.address.startswith("headroom")
    ]
    assert len(headroom) == 3 and all(line.low > 0 and line.high == 0 for line in headroom)
    assert load_prices().date in cost.render([on_demand], what_if, load_prices().date)


def test_json_output_for_ci(synth_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cost.main(["dev", "--format", "json", "--synth", str(synth_dir)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [e["env"] for e in report["environments"]] == ["dev"] and report["reference_design"]["dev"] == 400


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

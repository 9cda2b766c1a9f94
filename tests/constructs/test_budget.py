"""CostGuard: the budget's limit, tag filter and alerts, the account's anomaly detection only when asked,
and the props' validation."""

from __future__ import annotations

from typing import Any

import pytest
from constructs import Construct

from marketplace_constructs.errors import ConfigError
from marketplace_constructs.observability.budget import CostGuard, CostGuardProps
from tests.constructs.synth import synth_construct

TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:production-alerts"


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    """One stack with the account owner's guard (anomaly detection on) and a tenant's (off)."""

    def build(scope: Construct) -> None:
        CostGuard(
            scope,
            "production_cost",
            props=CostGuardProps(monthly_limit_usd=5000, tag_value="production", anomaly_detection=True),
            name="production",
            topic_arn=TOPIC_ARN,
        )
        CostGuard(
            scope,
            "staging_cost",
            props=CostGuardProps(monthly_limit_usd=800, tag_value="staging"),
            name="staging",
            topic_arn=TOPIC_ARN,
        )

    return synth_construct(build)


def budget(resources: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [b for b in resources["aws_budgets_budget"].values() if b["name"] == name]
    (only,) = found
    return only


def test_budget_is_a_monthly_cost_budget_of_the_whole_dollar_limit(resources: dict[str, Any]) -> None:
    production = budget(resources, "production-monthly")
    assert production["budget_type"] == "COST"
    assert production["time_unit"] == "MONTHLY"
    assert (production["limit_amount"], production["limit_unit"]) == ("5000", "USD")
    assert budget(resources, "staging-monthly")["limit_amount"] == "800"


def test_budget_counts_only_spend_tagged_with_the_environment(resources: dict[str, Any]) -> None:
    assert budget(resources, "production-monthly")["cost_filter"] == [
        {"name": "TagKeyValue", "values": ["user:Environment$production"]}
    ]
    assert budget(resources, "staging-monthly")["cost_filter"][0]["values"] == ["user:Environment$staging"]


def test_budget_warns_the_topic_on_forecasts_of_80_and_100_percent(resources: dict[str, Any]) -> None:
    notifications = budget(resources, "production-monthly")["notification"]
    forecasts = [n for n in notifications if n["notification_type"] == "FORECASTED"]
    assert sorted(n["threshold"] for n in forecasts) == [80, 100]
    for notification in forecasts:
        assert notification["threshold_type"] == "PERCENTAGE"
        assert notification["comparison_operator"] == "GREATER_THAN"
        assert notification["subscriber_sns_topic_arns"] == [TOPIC_ARN]
        assert "subscriber_email_addresses" not in notification


def test_budget_also_reports_the_limit_actually_spent(resources: dict[str, Any]) -> None:
    notifications = budget(resources, "production-monthly")["notification"]
    (actual,) = [n for n in notifications if n["notification_type"] == "ACTUAL"]
    assert (actual["threshold"], actual["threshold_type"]) == (100, "PERCENTAGE")
    assert actual["subscriber_sns_topic_arns"] == [TOPIC_ARN]


def test_only_the_guard_that_asks_makes_the_accounts_anomaly_monitor(resources: dict[str, Any]) -> None:
    ((monitor_id, monitor),) = resources["aws_ce_anomaly_monitor"].items()
    assert monitor["name"] == "production-aws-services"
    assert (monitor["monitor_type"], monitor["monitor_dimension"]) == ("DIMENSIONAL", "SERVICE")
    (subscription,) = resources["aws_ce_anomaly_subscription"].values()
    assert subscription["name"] == "production-cost-anomalies"
    assert subscription["monitor_arn_list"] == [f"${{aws_ce_anomaly_monitor.{monitor_id}.arn}}"]


def test_anomalies_reach_the_topic_at_once_from_the_threshold_up(resources: dict[str, Any]) -> None:
    (subscription,) = resources["aws_ce_anomaly_subscription"].values()
    assert subscription["frequency"] == "IMMEDIATE"
    assert subscription["subscriber"] == [{"type": "SNS", "address": TOPIC_ARN}]
    assert subscription["threshold_expression"] == {
        "dimension": {
            "key": "ANOMALY_TOTAL_IMPACT_ABSOLUTE",
            "match_options": ["GREATER_THAN_OR_EQUAL"],
            "values": ["100"],
        }
    }


@pytest.mark.parametrize("limit", [0, -50])
def test_props_refuse_a_limit_below_one_dollar(limit: int) -> None:
    with pytest.raises(
        ConfigError,
        match=rf"^CostGuardProps.monthly_limit_usd must be between 1 and 10000000 USD, got {limit}$",
    ):
        CostGuardProps(monthly_limit_usd=limit, tag_value="dev")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"monthly_limit_usd": 99.5}, r"CostGuardProps.monthly_limit_usd must be an int, got float 99.5"),
        (
            {"anomaly_threshold_usd": 0},
            r"CostGuardProps.anomaly_threshold_usd must be between 1 and 1000000 USD",
        ),
        (
            {"tag_key": "aws:createdBy"},
            r"CostGuardProps.tag_key must be a user-defined tag, not an AWS-generated",
        ),
        ({"tag_key": "Env$"}, r"CostGuardProps.tag_key must be a cost-allocation tag key of 1-128 letters"),
        ({"tag_value": ""}, r"CostGuardProps.tag_value must be a cost-allocation tag value of 1-256 letters"),
    ],
)
def test_props_refuse_what_aws_would_not_accept(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        CostGuardProps(**{"monthly_limit_usd": 100, "tag_value": "dev", **overrides})  # type: ignore[arg-type]

"""Budgets in every account: each environment's foundation stack holds its monthly budget (its configured
limit, over its tagged resources, forecast alerts at 80 % and 100 % to its alerts topic) and the environment
that owns the account the Cost Anomaly Detection monitor with an immediate subscription to the same topic;
both services may publish to the topic and use its key."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

import environments
from tests.conftest import StackDoc, resources

Reader = Callable[[str], StackDoc]


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_every_environment_has_a_monthly_budget_alerting_its_topic_at_80_and_100_percent_forecast(
    stack_doc: Reader, env: environments.EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-foundation")
    (budget,) = resources(doc, "aws_budgets_budget").values()
    (topic_address,) = resources(doc, "aws_sns_topic")
    topic = f"${{aws_sns_topic.{topic_address}.arn}}"
    assert (budget["name"], budget["budget_type"], budget["time_unit"]) == (
        f"{env.name}-monthly", "COST", "MONTHLY",
    )  # fmt: skip
    assert (budget["limit_amount"], budget["limit_unit"]) == (str(env.monthly_budget_usd), "USD")
    assert budget["cost_filter"] == [
        {"name": "TagKeyValue", "values": [f"user:Environment${env.tags['Environment']}"]}
    ]
    alerts = {(n["notification_type"], n["threshold"]) for n in budget["notification"]}
    assert {("FORECASTED", 80), ("FORECASTED", 100)} <= alerts
    assert all(n["subscriber_sns_topic_arns"] == [topic] for n in budget["notification"])
    assert all(n["threshold_type"] == "PERCENTAGE" for n in budget["notification"])


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_the_account_owner_detects_cost_anomalies_at_once_and_no_one_else_makes_a_second_monitor(
    stack_doc: Reader, env: environments.EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-foundation")
    monitors = resources(doc, "aws_ce_anomaly_monitor")
    subscriptions = resources(doc, "aws_ce_anomaly_subscription")
    if not env.owns_account:
        assert monitors == {} and subscriptions == {}
        return
    ((monitor_address, monitor),) = monitors.items()
    (subscription,) = subscriptions.values()
    (topic_address,) = resources(doc, "aws_sns_topic")
    assert (monitor["monitor_type"], monitor["monitor_dimension"]) == ("DIMENSIONAL", "SERVICE")
    assert subscription["frequency"] == "IMMEDIATE"
    assert subscription["monitor_arn_list"] == [f"${{aws_ce_anomaly_monitor.{monitor_address}.arn}}"]
    assert subscription["subscriber"] == [
        {"type": "SNS", "address": f"${{aws_sns_topic.{topic_address}.arn}}"}
    ]


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_budgets_and_anomaly_detection_may_use_the_alerts_key(
    stack_doc: Reader, env: environments.EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-foundation")
    keys = [json.loads(k["policy"]) for k in resources(doc, "aws_kms_key").values() if "policy" in k]
    services = {
        service
        for policy in keys
        for statement in policy["Statement"]
        if "kms:GenerateDataKey*" in statement.get("Action", [])
        for service in statement.get("Principal", {}).get("Service", [])
    }
    assert {"budgets.amazonaws.com", "costalerts.amazonaws.com"} <= services

"""CostGuard: an environment's monthly AWS Budgets cost budget and, in the environment that owns the
account, Cost Anomaly Detection, both alerting the environment's KMS-encrypted alerts topic.

Why both. A budget compares the month's spend of the environment's resources (chosen by their
cost-allocation tag) with a fixed limit: it catches slow growth and a month that will end over plan, but
only against a number someone chose. Cost Anomaly Detection learns the account's spend per AWS service and
reports a spike however small the budget's share of it is: it catches the runaway resource on day one, in
any environment of the account, tagged or not. Neither needs anything running in the cluster.

Both services publish to the topic themselves, as service principals: the topic's policy must let
``PUBLISHERS`` call ``sns:Publish``, and the topic's KMS key policy must let them use the key (see
``PUBLISHERS``). Neither service costs anything here (the budget has no actions; see ``CostGuard``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_aws.budgets_budget import (
    BudgetsBudget,
    BudgetsBudgetCostFilter,
    BudgetsBudgetNotification,
)
from cdktf_cdktf_provider_aws.ce_anomaly_monitor import CeAnomalyMonitor
from cdktf_cdktf_provider_aws.ce_anomaly_subscription import (
    CeAnomalySubscription,
    CeAnomalySubscriptionSubscriber,
    CeAnomalySubscriptionThresholdExpression,
    CeAnomalySubscriptionThresholdExpressionDimension,
)
from constructs import Construct

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_pattern, check_range, is_known
from marketplace_constructs.naming import resource_name

# The service principals that publish to the alerts topic for CostGuard. The topic policy must allow each
# "sns:Publish" (pinned to aws:SourceAccount, as Budgets' documented statement does; it may also pin
# aws:SourceArn "arn:aws:budgets::<account>:*"), and the key policy "kms:GenerateDataKey*" and
# "kms:Decrypt", because the topic is SSE-KMS and a publisher must be able to use its key.
# - budgets.amazonaws.com: AWS Budgets, "Creating an Amazon SNS topic for budget notifications",
#   https://docs.aws.amazon.com/cost-management/latest/userguide/budgets-sns-policy.html
# - costalerts.amazonaws.com: Cost Anomaly Detection, "Creating an Amazon SNS topic for anomaly
#   notifications", https://docs.aws.amazon.com/cost-management/latest/userguide/ad-SNS.html
PUBLISHERS: Final = ("budgets.amazonaws.com", "costalerts.amazonaws.com")

# Forecast alerts, in percent of the limit, and the alert once the limit is actually spent.
FORECAST_PERCENTS: Final = (80, 100)
ACTUAL_OVERRUN_PERCENT: Final = 100

# A cost-allocation tag as AWS accepts it: letters, digits, spaces and _ . : / = + - @. The key may not
# hold "$" (the filter's separator) and may not start with "aws:" (AWS-generated tags).
_TAG_CHARACTERS: Final = r"[\w .:/=+\-@]"


def tag_filter(key: str, value: str) -> str:
    """The Budgets "TagKeyValue" filter value for a user-defined cost-allocation tag: ``user:<key>$<value>``.

    Without the ``user:`` prefix the budget is created but matches no spend (it shows $0):
    hashicorp/terraform-provider-aws#39850 and #40987, fixed in the resource's docs by #41085; AWS labels
    user-defined cost-allocation tags with ``user:`` (AWS Billing user guide, "Organizing and tracking
    costs using AWS cost allocation tags",
    https://docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/cost-alloc-tags.html)."""
    return f"user:{key}${value}"


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class CostGuardProps:
    """One environment's monthly cost budget and, optionally, the account's anomaly detection.

    The budget counts only spend that carries the tag ``tag_key`` = ``tag_value``, and only once that tag
    is activated as a cost-allocation tag of the account (Billing console, or ``aws_ce_cost_allocation_tag``);
    before, it counts nothing.

    Attributes:
        monthly_limit_usd: The month's budget in whole US dollars, 1-10,000,000. Required.
        tag_value: The value of ``tag_key`` on the environment's resources (the environment's name).
            Required.
        tag_key: The user-defined cost-allocation tag that marks the environment's resources.
            Default: "Environment" (every resource carries it through the provider's default_tags).
        anomaly_detection: Also make the account's "AWS services" anomaly monitor and its immediate
            alerts. AWS allows one such monitor per account, so only the environment that owns the account
            sets it. Default: False.
        anomaly_threshold_usd: Alert on an anomaly whose total cost impact reaches this many US dollars,
            1-1,000,000 (smaller anomalies stay visible in the console). Default: 100.
    """

    monthly_limit_usd: int
    tag_value: str
    tag_key: str = "Environment"
    anomaly_detection: bool = False
    anomaly_threshold_usd: int = 100

    def __post_init__(self) -> None:
        owner = "CostGuardProps"
        check_range(owner, "monthly_limit_usd", self.monthly_limit_usd, 1, 10_000_000, " USD")
        check_range(owner, "anomaly_threshold_usd", self.anomaly_threshold_usd, 1, 1_000_000, " USD")
        rule = "a cost-allocation tag {} of 1-{} letters, digits, spaces or _ . : / = + - @"
        check_pattern(owner, "tag_key", self.tag_key, f"{_TAG_CHARACTERS}{{1,128}}", rule.format("key", 128))
        check_pattern(
            owner, "tag_value", self.tag_value, f"{_TAG_CHARACTERS}{{1,256}}", rule.format("value", 256)
        )
        if is_known(self.tag_key) and self.tag_key.lower().startswith("aws:"):
            raise ConfigError(
                f"{owner}.tag_key must be a user-defined tag, not an AWS-generated 'aws:' one, "
                f"got {self.tag_key!r}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class CostGuardRef:
    """Handle to a CostGuard: the budget's name and ARN, and the anomaly monitor's ARN (None when the
    environment makes none); tokens, except the name."""

    budget_name: str
    budget_arn: str
    anomaly_monitor_arn: str | None


class CostGuard(Construct):
    """A monthly COST budget ``<name>-monthly`` and, with ``props.anomaly_detection``, a Cost Anomaly
    Detection monitor and subscription, all alerting ``topic_arn``.

    The budget (unblended cost, the AWS default cost types) alerts three times a month at most:
    - FORECASTED > 80 % and > 100 % of the limit: the month is heading over plan, while there is still
      time to act.
    - ACTUAL > 100 %: added because a forecast is an estimate that needs spending history, so a new
      environment (or a newly activated tag) may forecast nothing for its first weeks, and a spike late in
      the month may cross the limit before any forecast does. The actual alert is the fact that the limit
      is spent; it costs nothing extra (a budget's notifications are free).
    Budgets without actions cost nothing (AWS Price List, AWSBudgets "$0.00 for Budget-days"; only
    action-enabled budgets are billed, $0.10 a budget-day after the first 62 budget-days of a month).

    The anomaly subscription sends each anomaly whose total impact reaches ``props.anomaly_threshold_usd``
    at once (frequency IMMEDIATE); AWS sends IMMEDIATE alerts only to an SNS topic, DAILY and WEEKLY ones
    only by email (Cost Explorer API reference, "AnomalySubscription",
    https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_AnomalySubscription.html).
    The monitor is DIMENSIONAL by SERVICE, the "AWS services" monitor: one per account ("AWS Cost Anomaly
    Detection FAQs", https://aws.amazon.com/aws-cost-management/aws-cost-anomaly-detection/faqs/).

    ``name`` is the environment's name; renaming it replaces the budget (a new month of history). ``after``:
    what must exist before the services may publish (the topic policy, the key), so the first alert finds
    the topic open to them.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: CostGuardProps,
        name: str,
        topic_arn: str,
        after: Sequence[ITerraformDependable] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        depends_on = list(after) or None
        alerts = [
            *(("FORECASTED", percent) for percent in FORECAST_PERCENTS),
            ("ACTUAL", ACTUAL_OVERRUN_PERCENT),
        ]
        notifications = [
            BudgetsBudgetNotification(
                notification_type=kind,
                threshold_type="PERCENTAGE",
                comparison_operator="GREATER_THAN",
                threshold=percent,
                subscriber_sns_topic_arns=[topic_arn],
            )
            for kind, percent in alerts
        ]
        budget_name = resource_name(name, "monthly")
        budget = BudgetsBudget(
            self,
            "budget",
            name=budget_name,
            budget_type="COST",
            limit_amount=str(props.monthly_limit_usd),
            limit_unit="USD",
            time_unit="MONTHLY",
            cost_filter=[
                BudgetsBudgetCostFilter(
                    name="TagKeyValue", values=[tag_filter(props.tag_key, props.tag_value)]
                )
            ],
            notification=notifications,
            depends_on=depends_on,
        )
        monitor_arn: str | None = None
        if props.anomaly_detection:
            monitor = CeAnomalyMonitor(
                self,
                "anomaly_monitor",
                name=resource_name(name, "aws-services"),
                monitor_type="DIMENSIONAL",
                monitor_dimension="SERVICE",
            )
            CeAnomalySubscription(
                self,
                "anomaly_subscription",
                name=resource_name(name, "cost-anomalies"),
                frequency="IMMEDIATE",
                monitor_arn_list=[monitor.arn],
                subscriber=[CeAnomalySubscriptionSubscriber(type="SNS", address=topic_arn)],
                # The only form AWS documents: an absolute impact, GREATER_THAN_OR_EQUAL, the value a string.
                threshold_expression=CeAnomalySubscriptionThresholdExpression(
                    dimension=CeAnomalySubscriptionThresholdExpressionDimension(
                        key="ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                        match_options=["GREATER_THAN_OR_EQUAL"],
                        values=[str(props.anomaly_threshold_usd)],
                    )
                ),
                depends_on=depends_on,
            )
            monitor_arn = monitor.arn
        self.ref = CostGuardRef(
            budget_name=budget_name, budget_arn=budget.arn, anomaly_monitor_arn=monitor_arn
        )

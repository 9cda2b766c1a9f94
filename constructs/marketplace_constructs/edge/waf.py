"""WebFirewall: a regional WAF web ACL with AWS managed rules and a per-IP rate limit, logging to an
encrypted log group with credentials redacted. Only the requests a rule blocked or counted are logged
(LOGGED_ACTIONS): those are what someone investigates, and logging every allowed request at the edge's
traffic would cost more than the rest of the logs together."""

from __future__ import annotations

from typing import Any, Final

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.cloudwatch_log_resource_policy import CloudwatchLogResourcePolicy
from cdktf_cdktf_provider_aws.wafv2_ip_set import Wafv2IpSet
from cdktf_cdktf_provider_aws.wafv2_web_acl import (
    Wafv2WebAcl,
    Wafv2WebAclDefaultAction,
    Wafv2WebAclDefaultActionAllow,
    Wafv2WebAclRule,
    Wafv2WebAclRuleAction,
    Wafv2WebAclRuleActionBlock,
    Wafv2WebAclRuleOverrideAction,
    Wafv2WebAclRuleOverrideActionNone,
    Wafv2WebAclRuleVisibilityConfig,
    Wafv2WebAclVisibilityConfig,
)
from cdktf_cdktf_provider_aws.wafv2_web_acl_association import Wafv2WebAclAssociation
from cdktf_cdktf_provider_aws.wafv2_web_acl_logging_configuration import (
    Wafv2WebAclLoggingConfiguration,
    Wafv2WebAclLoggingConfigurationLoggingFilter,
    Wafv2WebAclLoggingConfigurationLoggingFilterFilter,
    Wafv2WebAclLoggingConfigurationLoggingFilterFilterCondition,
    Wafv2WebAclLoggingConfigurationLoggingFilterFilterConditionActionCondition,
    Wafv2WebAclLoggingConfigurationRedactedFields,
    Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader,
)
from constructs import Construct

from marketplace_constructs.aws import AwsLocation, policy_document

# AWS managed rule groups, in evaluation order, each with the rules it only counts: OWASP-style common
# attacks, known bad inputs (Log4Shell and the like), IPs Amazon's threat intelligence flags, anonymizers
# (Tor exits, anonymous proxies and VPNs) and SQL injection. The anonymizer group's hosting-provider list is
# counted, not blocked: the marketplace's API clients run in clouds.
MANAGED_RULE_GROUPS: Final[dict[str, tuple[str, ...]]] = {
    "AWSManagedRulesCommonRuleSet": (),
    "AWSManagedRulesKnownBadInputsRuleSet": (),
    "AWSManagedRulesAmazonIpReputationList": (),
    "AWSManagedRulesAnonymousIpList": ("HostingProviderIPList",),
    "AWSManagedRulesSQLiRuleSet": (),
}
REDACTED_HEADERS: Final = ("authorization", "cookie")  # credentials never reach the logs


def _visibility(metric: str) -> dict[str, Any]:
    return {"cloudwatch_metrics_enabled": True, "metric_name": metric, "sampled_requests_enabled": True}


def _host_is(hosts: tuple[str, ...]) -> dict[str, Any]:
    """Statement: the request's Host header is one of ``hosts`` (case-insensitive)."""
    matches = [
        {
            "byte_match_statement": {
                "search_string": host,
                "positional_constraint": "EXACTLY",
                "field_to_match": {"single_header": {"name": "host"}},
                "text_transformation": [{"priority": 0, "type": "LOWERCASE"}],
            }
        }
        for host in hosts
    ]
    return matches[0] if len(matches) == 1 else {"or_statement": {"statement": matches}}


def _operator_rules(
    hosts: tuple[str, ...], ip_set_arn: str | None, first_priority: int
) -> list[tuple[str, int, dict[str, Any]]]:
    """Block rules for the operators' names: requests without an Authorization header (the mesh refuses
    them anyway; here they never reach the cluster), and, with ``ip_set_arn``, requests from addresses
    outside the operators' set. (name, priority, statement) each."""
    no_token = {
        "not_statement": {
            "statement": [
                {
                    "size_constraint_statement": {
                        "comparison_operator": "GT",
                        "size": 0,
                        "field_to_match": {"single_header": {"name": "authorization"}},
                        "text_transformation": [{"priority": 0, "type": "NONE"}],
                    }
                }
            ]
        }
    }
    rules = [
        (
            "operators-need-a-token",
            first_priority,
            {"and_statement": {"statement": [_host_is(hosts), no_token]}},
        )
    ]
    if ip_set_arn:
        elsewhere = {"not_statement": {"statement": [{"ip_set_reference_statement": {"arn": ip_set_arn}}]}}
        rules.append(
            (
                "operators-from-their-addresses",
                first_priority + 1,
                {"and_statement": {"statement": [_host_is(hosts), elsewhere]}},
            )
        )
    return rules


def _managed_group(group: str, counted: tuple[str, ...]) -> dict[str, Any]:
    """An AWS managed rule group whose ``counted`` rules only count (and label) what they match."""
    statement: dict[str, Any] = {"name": group, "vendor_name": "AWS"}
    if counted:
        statement["rule_action_override"] = [
            {"name": rule, "action_to_use": {"count": {}}} for rule in counted
        ]
    return statement


# What the logs keep: requests a rule blocked, counted (a count rule, or a managed rule overridden to count);
# allowed requests are dropped (the ALB's access logs record every request).
LOGGED_ACTIONS: Final = ("BLOCK", "COUNT", "EXCLUDED_AS_COUNT")


def _logged_actions_only() -> Wafv2WebAclLoggingConfigurationLoggingFilter:
    """Keep a request's log record when any rule took one of LOGGED_ACTIONS; drop the rest."""
    return Wafv2WebAclLoggingConfigurationLoggingFilter(
        default_behavior="DROP",
        filter=[
            Wafv2WebAclLoggingConfigurationLoggingFilterFilter(
                behavior="KEEP",
                requirement="MEETS_ANY",
                condition=[
                    Wafv2WebAclLoggingConfigurationLoggingFilterFilterCondition(
                        action_condition=Wafv2WebAclLoggingConfigurationLoggingFilterFilterConditionActionCondition(
                            action=action
                        )
                    )
                    for action in LOGGED_ACTIONS
                ],
            )
        ],
    )


class WebFirewall(Construct):
    """Web ACL ``<name>-edge`` on ``protected_arn`` (an ALB): the managed groups (``MANAGED_RULE_GROUPS``,
    1,177 of the ACL's 1,500 capacity units with the rate rule), then a block of any IP over
    ``rate_limit`` requests per 5 minutes; for ``operator_hosts``, a block of requests without an
    Authorization header and, with ``operator_cidrs``, of requests from other addresses; everything else
    allowed. Logs go to ``aws-waf-logs-<name>``
    (the prefix WAF requires), encrypted with ``log_key_arn``, with the authorization and cookie headers
    redacted; CloudWatch metrics for the ACL and each rule."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        location: AwsLocation,
        protected_arn: str,
        rate_limit: int,
        log_key_arn: str,
        log_retention_days: int,
        operator_hosts: tuple[str, ...] = (),
        operator_cidrs: tuple[str, ...] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        rules = [
            Wafv2WebAclRule(
                name=group,
                priority=priority,
                override_action=Wafv2WebAclRuleOverrideAction(none=Wafv2WebAclRuleOverrideActionNone()),
                statement={"managed_rule_group_statement": _managed_group(group, counted)},
                visibility_config=Wafv2WebAclRuleVisibilityConfig(**_visibility(group)),
            )
            for priority, (group, counted) in enumerate(MANAGED_RULE_GROUPS.items())
        ]
        rules.append(
            Wafv2WebAclRule(
                name="rate-limit-per-ip",
                priority=len(MANAGED_RULE_GROUPS),
                action=Wafv2WebAclRuleAction(block=Wafv2WebAclRuleActionBlock()),
                statement={"rate_based_statement": {"limit": rate_limit, "aggregate_key_type": "IP"}},
                visibility_config=Wafv2WebAclRuleVisibilityConfig(**_visibility("rate-limit-per-ip")),
            )
        )
        if operator_hosts:
            ip_set = (
                Wafv2IpSet(
                    self,
                    "operator_addresses",
                    name=f"{name}-operators",
                    scope="REGIONAL",
                    ip_address_version="IPV4",
                    addresses=list(operator_cidrs),
                    description=f"{name}: where operators connect from",
                )
                if operator_cidrs
                else None
            )
            rules += [
                Wafv2WebAclRule(
                    name=rule_name,
                    priority=priority,
                    action=Wafv2WebAclRuleAction(block=Wafv2WebAclRuleActionBlock()),
                    statement=statement,
                    visibility_config=Wafv2WebAclRuleVisibilityConfig(**_visibility(rule_name)),
                )
                for rule_name, priority, statement in _operator_rules(
                    operator_hosts, ip_set.arn if ip_set else None, len(rules)
                )
            ]
        acl = Wafv2WebAcl(
            self, "web_acl", name=f"{name}-edge", scope="REGIONAL",
            description=f"{name}: managed rules and a per-IP rate limit in front of the ALB",
            default_action=Wafv2WebAclDefaultAction(allow=Wafv2WebAclDefaultActionAllow()), rule=rules,
            visibility_config=Wafv2WebAclVisibilityConfig(**_visibility(f"{name}-edge")),
        )  # fmt: skip
        Wafv2WebAclAssociation(self, "association", resource_arn=protected_arn, web_acl_arn=acl.arn)
        logs = CloudwatchLogGroup(
            self, "log_group", name=f"aws-waf-logs-{name}", retention_in_days=log_retention_days,
            kms_key_id=log_key_arn,
        )  # fmt: skip
        # WAF delivers through CloudWatch Logs' log delivery service, which the group must admit.
        delivery = CloudwatchLogResourcePolicy(
            self, "log_delivery", policy_name=f"aws-waf-logs-{name}",
            policy_document=policy_document([{
                "Effect": "Allow",
                "Principal": {"Service": "delivery.logs.amazonaws.com"},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [f"{logs.arn}:*"],
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": location.account_id},
                    "ArnLike": {"aws:SourceArn": location.arn("logs", "*")},
                },
            }]),
        )  # fmt: skip
        Wafv2WebAclLoggingConfiguration(
            self, "logging", resource_arn=acl.arn, log_destination_configs=[logs.arn],
            redacted_fields=[
                Wafv2WebAclLoggingConfigurationRedactedFields(
                    single_header=Wafv2WebAclLoggingConfigurationRedactedFieldsSingleHeader(name=header)
                )
                for header in REDACTED_HEADERS
            ],
            logging_filter=_logged_actions_only(),
            depends_on=[delivery],
        )  # fmt: skip
        self.web_acl_arn: str = acl.arn

"""The internet edge in every foundation stack (ALB, TLS 1.3, ACM, Route 53, WAF) and its cluster side in
every apps stack (the gateway's certificate, the Istio Gateway, the TargetGroupBinding)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import environments
from environments.base import EnvironmentConfig
from tests.conftest import ALL_STACK_IDS, StackDoc, policy, resources

Reader = Callable[[str], StackDoc]
ALL = pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
ENVS = {env.name: env for env in environments.ALL}


def only(doc: StackDoc, resource_type: str) -> tuple[str, dict[str, Any]]:
    ((name, resource),) = resources(doc, resource_type).items()
    return name, resource


def listeners(doc: StackDoc) -> dict[int, dict[str, Any]]:
    return {listener["port"]: listener for listener in resources(doc, "aws_lb_listener").values()}


def test_production_listens_on_443_alone_with_tls13_only(stack_doc: Reader) -> None:
    found = listeners(stack_doc("production-foundation"))
    assert list(found) == [443]  # plain HTTP is refused, not redirected
    assert found[443]["ssl_policy"] == "ELBSecurityPolicy-TLS13-1-3-2021-06"
    assert found[443]["protocol"] == "HTTPS"


@ALL
def test_alb_is_public_hardened_logged_and_protected_outside_dev(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-foundation")
    _, balancer = only(doc, "aws_lb")
    assert balancer["internal"] is False and balancer["drop_invalid_header_fields"] is True
    assert balancer["enable_deletion_protection"] is env.edge.deletion_protection
    assert env.tier == "sandbox" or env.edge.deletion_protection  # the guarded tiers require it (test_tiers)
    assert balancer["access_logs"]["enabled"] is True and balancer["access_logs"]["prefix"] == "alb"
    certificate = listeners(doc)[443]["certificate_arn"]
    assert certificate.startswith("${aws_acm_certificate_validation.")  # waits for an issued certificate


@ALL
def test_alb_admits_the_internet_and_reaches_only_the_gateway_ports_on_the_nodes(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-foundation")
    alb_group = next(
        n for n, g in resources(doc, "aws_security_group").items() if g["name"] == f"{env.name}-alb"
    )
    node_group = next(
        n for n, g in resources(doc, "aws_security_group").items() if g["name"].endswith("}-nodes")
    )
    ref = "${aws_security_group.%s.id}"
    ingress = [
        r
        for r in resources(doc, "aws_vpc_security_group_ingress_rule").values()
        if r["security_group_id"] == ref % alb_group
    ]
    assert sorted((r["from_port"], r["cidr_ipv4"]) for r in ingress) == [(443, "0.0.0.0/0")]
    egress = [
        r
        for r in resources(doc, "aws_vpc_security_group_egress_rule").values()
        if r["security_group_id"] == ref % alb_group
    ]
    assert sorted(r["from_port"] for r in egress) == [443, 15021]
    assert all(r["referenced_security_group_id"] == ref % node_group for r in egress)
    into_nodes = [
        r for r in resources(doc, "aws_vpc_security_group_ingress_rule").values()
        if r["security_group_id"] == ref % node_group
    ]  # fmt: skip
    back = [r for r in into_nodes if r.get("referenced_security_group_id") == ref % alb_group]
    assert sorted(r["from_port"] for r in back) == [443, 15021]


@ALL
def test_certificate_is_validated_by_dns_in_the_environments_zone_and_named_by_an_alias(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-foundation")
    zone_name, zone = only(doc, "aws_route53_zone")
    _, certificate = only(doc, "aws_acm_certificate")
    assert (zone["name"], certificate["domain_name"]) == (env.edge.hosted_zone, env.edge.domain)
    assert certificate["subject_alternative_names"][0] == env.edge.operator_domain
    assert certificate["validation_method"] == "DNS"
    own_zone = f"${{aws_route53_zone.{zone_name}.zone_id}}"
    own = [r for r in resources(doc, "aws_route53_record").values() if r["zone_id"] == own_zone]
    aliases = {r["name"]: r for r in own if r["type"] == "A"}
    assert aliases.keys() == {env.edge.domain, env.edge.operator_domain}
    assert all(alias["alias"]["evaluate_target_health"] is True for alias in aliases.values())
    assert len(own) == 4  # an alias and a certificate validation record for each of the two names
    assert "edge_name_servers" in doc["output"]


@ALL
def test_the_certificate_validation_lists_a_record_for_every_name_on_the_certificate(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    """The provider refuses a validation whose list misses the record of a name on the certificate
    (internal/service/acm/certificate_validation.go); dr's certificate names production's two names too."""
    doc = stack_doc(f"{env.name}-foundation")
    _, certificate = only(doc, "aws_acm_certificate")
    _, validation = only(doc, "aws_acm_certificate_validation")
    names = [certificate["domain_name"], *certificate["subject_alternative_names"]]
    listed = validation["validation_record_fqdns"]
    assert len(listed) == len(names) == (4 if env.standby else 2)
    for name, fqdn in zip(names, listed, strict=True):
        assert f"o.domain_name == {json.dumps(name)}" in fqdn or fqdn.startswith("${aws_route53_record.")


@ALL
def test_waf_applies_the_managed_groups_and_the_rate_rule_to_the_alb(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-foundation")
    acl_name, acl = only(doc, "aws_wafv2_web_acl")
    assert acl["scope"] == "REGIONAL" and "allow" in acl["default_action"]
    rules = {rule["name"]: rule for rule in acl["rule"]}
    managed = {
        "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesAnonymousIpList",
        "AWSManagedRulesSQLiRuleSet",
    }  # fmt: skip
    assert {rules[name]["statement"]["managed_rule_group_statement"]["name"] for name in managed} == managed
    assert all("none" in rules[name]["override_action"] for name in managed)  # the groups' own actions block
    # Anonymizers are blocked; hosting providers, where the marketplace's API clients run, only counted.
    anonymous = rules["AWSManagedRulesAnonymousIpList"]["statement"]["managed_rule_group_statement"]
    assert anonymous["rule_action_override"] == [
        {"name": "HostingProviderIPList", "action_to_use": {"count": {}}}
    ]
    rate = rules["rate-limit-per-ip"]
    assert rate["statement"]["rate_based_statement"] == {
        "limit": env.edge.waf_rate_limit,
        "aggregate_key_type": "IP",
    }
    assert "block" in rate["action"]
    lb_name, _ = only(doc, "aws_lb")
    _, association = only(doc, "aws_wafv2_web_acl_association")
    assert (association["resource_arn"], association["web_acl_arn"]) == (
        f"${{aws_lb.{lb_name}.arn}}", f"${{aws_wafv2_web_acl.{acl_name}.arn}}"
    )  # fmt: skip


@ALL
def test_waf_logs_to_an_encrypted_group_with_credentials_redacted(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-foundation")
    group_name, group = next(
        (n, g)
        for n, g in resources(doc, "aws_cloudwatch_log_group").items()
        if g["name"] == f"aws-waf-logs-{env.name}"
    )
    assert group["kms_key_id"].startswith("${aws_kms_key.logs_key")
    _, logging = only(doc, "aws_wafv2_web_acl_logging_configuration")
    assert logging["log_destination_configs"] == [f"${{aws_cloudwatch_log_group.{group_name}.arn}}"]
    redacted = sorted(field["single_header"]["name"] for field in logging["redacted_fields"])
    assert redacted == ["authorization", "cookie"]
    # only what a rule blocked or counted is logged; allowed requests are in the ALB's access logs
    (kept,) = logging["logging_filter"]["filter"]
    assert logging["logging_filter"]["default_behavior"] == "DROP"
    assert (kept["behavior"], kept["requirement"]) == ("KEEP", "MEETS_ANY")
    assert [c["action_condition"]["action"] for c in kept["condition"]] == [
        "BLOCK",
        "COUNT",
        "EXCLUDED_AS_COUNT",
    ]
    (delivery,) = [
        p for p in resources(doc, "aws_cloudwatch_log_resource_policy").values()
        if p["policy_name"] == f"aws-waf-logs-{env.name}"
    ]  # fmt: skip
    (statement,) = policy(delivery["policy_document"])["Statement"]
    assert statement["Principal"] == {"Service": "delivery.logs.amazonaws.com"}


@ALL
def test_gateway_serves_the_domain_with_tls13_minimum_and_binds_to_the_alb(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    manifests = [
        m["manifest"] for m in resources(stack_doc(f"{env.name}-apps"), "kubernetes_manifest").values()
    ]
    objects = {o["kind"]: o for o in manifests if o["metadata"].get("namespace") == "istio-ingress"}
    (server,) = objects["Gateway"]["spec"]["servers"]
    assert server["tls"] == {"mode": "SIMPLE", "credentialName": "edge-tls", "minProtocolVersion": "TLSV1_3"}
    primary = ENVS[env.standby.primary] if env.standby else None
    hosts = [env.edge.domain, *([primary.edge.domain] if primary else [])]
    operators = [env.edge.operator_domain, *([primary.edge.operator_domain] if primary else [])]
    # The ALB reaches the gateway without SNI: the server lists no name, only the namespaces whose
    # VirtualServices may bind (istio/istio#31421).
    assert [host.rsplit("/", 1)[1] for host in server["hosts"]] == ["*"] * len(server["hosts"])
    assert objects["Gateway"]["spec"]["selector"] == {"istio": "ingressgateway"}
    certificate = objects["Certificate"]["spec"]
    assert certificate["dnsNames"] == hosts + operators and certificate["secretName"] == "edge-tls"
    # the "*" server would also route a VirtualService's in-cluster name: the gateway admits only these
    (allowlist,) = [
        o
        for o in manifests
        if o["kind"] == "AuthorizationPolicy" and o["metadata"]["namespace"] == "istio-ingress"
    ]
    assert allowlist["spec"]["action"] == "DENY" and allowlist["spec"]["selector"]["matchLabels"] == {
        "istio": "ingressgateway"
    }
    ((rule,),) = [allowlist["spec"]["rules"]]
    assert rule == {
        "to": [{"operation": {"notHosts": [v for h in hosts + operators for v in (h, f"{h}:443")]}}]
    }
    assert certificate["issuerRef"]["name"] == f"llm-marketplace-{env.name}-ca"
    binding = objects["TargetGroupBinding"]["spec"]
    assert (
        binding["serviceRef"] == {"name": "istio-ingressgateway", "port": 443}
        and binding["targetType"] == "ip"
    )
    assert binding["targetGroupARN"].startswith("${data.terraform_remote_state.")


# A credential-named key may hold only an External Secrets template reference such as "{{ .password }}".
SECRET_ATTRIBUTES = re.compile(
    r'"(password|master_password|auth_token|secret_string|secret_binary|private_key)"\s*:'
    r'(?!\s*"\{\{ \.\w+ \}\}")'
)
SECRET_TYPES = ("aws_secretsmanager_secret_version", "kubernetes_secret", "random_password")
# The one Kubernetes Secret Terraform writes: Elasticsearch's role definitions (ECK reads roles only from a
# Secret); privileges, never a credential.
ROLE_DEFINITIONS = {"roles.yml"}


@pytest.mark.parametrize("stack_id", ALL_STACK_IDS)
def test_no_secret_value_in_any_synthesized_stack(synth_dir: Path, stack_id: str) -> None:
    text = (synth_dir / "stacks" / stack_id / "cdk.tf.json").read_text()
    doc = json.loads(text)
    assert not set(doc.get("resource", {})) & set(SECRET_TYPES)
    for secret in resources(doc, "kubernetes_secret_v1").values():
        assert set(secret["data"]) == ROLE_DEFINITIONS and "password" not in secret["data"]["roles.yml"]
    assert not SECRET_ATTRIBUTES.search(text)
    assert "PRIVATE KEY-----" not in text


def test_production_and_dr_form_a_route53_failover_pair_for_the_public_name(stack_doc: Reader) -> None:
    production, dr = ENVS["production"], ENVS["dr"]
    primary_doc, standby_doc = stack_doc("production-foundation"), stack_doc("dr-foundation")
    primaries = [r for r in resources(primary_doc, "aws_route53_record").values() if r["type"] == "A"]
    assert [r["name"] for r in primaries] == [production.edge.domain, production.edge.operator_domain]
    check_name, check = only(primary_doc, "aws_route53_health_check")
    for primary in primaries:
        assert primary["failover_routing_policy"] == {"type": "PRIMARY"}
        assert primary["set_identifier"] == "production-primary"
        assert primary["health_check_id"] == f"${{aws_route53_health_check.{check_name}.id}}"
    assert check["type"] == "CLOUDWATCH_METRIC" and check["insufficient_data_health_status"] == "Unhealthy"
    (alarm,) = [
        a
        for name, a in resources(primary_doc, "aws_cloudwatch_metric_alarm").items()
        if name.startswith("edge_") and a["namespace"] == "AWS/ApplicationELB"
    ]
    assert (alarm["metric_name"], alarm["comparison_operator"], alarm["threshold"]) == (
        "HealthyHostCount", "LessThanThreshold", 1,
    )  # fmt: skip
    assert alarm["treat_missing_data"] == "breaching"  # a region that stops reporting fails over
    secondaries = [
        r for r in resources(standby_doc, "aws_route53_record").values() if "failover_routing_policy" in r
    ]
    assert [r["name"] for r in secondaries] == [production.edge.domain, production.edge.operator_domain]
    for secondary in secondaries:
        assert secondary["failover_routing_policy"] == {"type": "SECONDARY"}
        assert secondary["zone_id"].startswith(
            "${data.terraform_remote_state.cross-stack-reference-input-production"
        )
    _, certificate = only(standby_doc, "aws_acm_certificate")
    assert certificate["domain_name"] == dr.edge.domain
    assert certificate["subject_alternative_names"] == [
        dr.edge.operator_domain,
        production.edge.domain,
        production.edge.operator_domain,
    ]


@ALL
def test_the_zone_is_signed_with_dnssec_by_a_key_only_route53_may_use_in_us_east_1(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-foundation")
    zone_name, _ = only(doc, "aws_route53_zone")
    ksk_name, ksk = only(doc, "aws_route53_key_signing_key")
    _, dnssec = only(doc, "aws_route53_hosted_zone_dnssec")
    assert ksk["hosted_zone_id"] == f"${{aws_route53_zone.{zone_name}.zone_id}}" and ksk["status"] == "ACTIVE"
    assert dnssec == {
        **dnssec, "hosted_zone_id": f"${{aws_route53_key_signing_key.{ksk_name}.hosted_zone_id}}",
        "signing_status": "SIGNING",
    }  # fmt: skip
    key_name = ksk["key_management_service_arn"].split(".")[1]
    key = resources(doc, "aws_kms_key")[key_name]
    assert (key["customer_master_key_spec"], key["key_usage"]) == ("ECC_NIST_P256", "SIGN_VERIFY")
    route53 = [s for s in policy(key["policy"])["Statement"] if s["Principal"].get("Service")]
    assert {s["Principal"]["Service"] for s in route53} == {"dnssec-route53.amazonaws.com"}
    signs = next(s for s in route53 if "kms:Sign" in s["Action"])
    assert signs["Condition"]["StringEquals"] == {"aws:SourceAccount": env.location.account_id}
    # Route 53 requires the key in us-east-1: dr's stack (us-west-2) reaches it through its alias provider.
    home = None if env.location.region == "us-east-1" else "aws.route53_home"
    assert {key.get("provider"), ksk.get("provider"), dnssec.get("provider")} == {home}
    assert "${aws_route53_key_signing_key." in doc["output"]["edge_ds_record"]["value"]


@ALL
def test_every_query_to_the_zone_is_logged_for_a_year_encrypted_in_us_east_1(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-foundation")
    zone_name, _ = only(doc, "aws_route53_zone")
    group_name, group = next(
        (n, g) for n, g in resources(doc, "aws_cloudwatch_log_group").items()
        if g["name"] == f"/aws/route53/{env.edge.hosted_zone}"
    )  # fmt: skip
    assert group["retention_in_days"] == 365 and group["kms_key_id"].startswith("${aws_kms_key.edge_dns_")
    _, query_log = only(doc, "aws_route53_query_log")
    assert query_log["zone_id"] == f"${{aws_route53_zone.{zone_name}.zone_id}}"
    assert query_log["cloudwatch_log_group_arn"] == f"${{aws_cloudwatch_log_group.{group_name}.arn}}"
    (writer_name, writer), *_ = [
        (n, p) for n, p in resources(doc, "aws_cloudwatch_log_resource_policy").items()
        if p["policy_name"] == f"{env.name}-route53-query-logs"
    ]  # fmt: skip
    (statement,) = policy(writer["policy_document"])["Statement"]
    assert statement["Principal"] == {"Service": "route53.amazonaws.com"}
    assert statement["Resource"] == "TOKEN:*"  # the query-log group's streams, and nothing else:
    assert f"aws_cloudwatch_log_group.{group_name}.arn" in writer["policy_document"]
    assert query_log["depends_on"] == [f"aws_cloudwatch_log_resource_policy.{writer_name}"]
    home = None if env.location.region == "us-east-1" else "aws.route53_home"
    assert {group.get("provider"), query_log.get("provider"), writer.get("provider")} == {home}


@ALL
def test_dnssec_alarms_notify_the_alerts_topic_where_it_shares_route53s_region(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    alarms = [
        a for a in resources(stack_doc(f"{env.name}-foundation"), "aws_cloudwatch_metric_alarm").values()
        if a.get("namespace") == "AWS/Route53"  # metric-math alarms have none
    ]  # fmt: skip
    if env.location.region != "us-east-1" and env.standby is None:
        assert alarms == []  # an alarm can only notify a topic of its own region (documented gap)
        return
    # a standby elsewhere raises them in us-east-1 through its primary's topic there (same account)
    assert sorted(a["metric_name"] for a in alarms) == [
        "DNSSECInternalFailure", "DNSSECKeySigningKeysNeedingAction",
    ]  # fmt: skip
    topics = {a["alarm_actions"][0] for a in alarms}
    assert all(a["alarm_actions"] == a["ok_actions"] for a in alarms) and len(topics) == 1
    (topic,) = topics  # the environment's own topic, or its primary's in us-east-1 by ARN
    assert "sns_topic.alerts" in topic or topic.startswith("arn:aws:sns:us-east-1:")

"""InternetEdge: Route 53 zone and alias, ACM certificate, an HTTPS-only ALB in the public subnets with WAF,
forwarding to the Istio ingress gateway's pods over TLS."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.acm_certificate import AcmCertificate
from cdktf_cdktf_provider_aws.acm_certificate_validation import AcmCertificateValidation
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from cdktf_cdktf_provider_aws.lb import Lb, LbAccessLogs
from cdktf_cdktf_provider_aws.lb_listener import (
    LbListener,
    LbListenerDefaultAction,
)
from cdktf_cdktf_provider_aws.lb_target_group import LbTargetGroup, LbTargetGroupHealthCheck
from cdktf_cdktf_provider_aws.route53_health_check import Route53HealthCheck
from cdktf_cdktf_provider_aws.route53_record import (
    Route53Record,
    Route53RecordAlias,
    Route53RecordFailoverRoutingPolicy,
)
from cdktf_cdktf_provider_aws.route53_zone import Route53Zone
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from marketplace_constructs.aws import AwsLocation
from marketplace_constructs.edge.dns_protection import DnsProtection
from marketplace_constructs.edge.props import DEREGISTRATION_DELAY_SECONDS, EdgeProps
from marketplace_constructs.edge.waf import WebFirewall
from marketplace_constructs.protection import prevent_destroy

# The Istio ingress gateway's pods: HTTPS on 443 (the chart lets them bind it unprivileged) and the status
# port, whose /healthz/ready answers the ALB's health checks.
GATEWAY_HTTPS_PORT: Final = 443
GATEWAY_STATUS_PORT: Final = 15021
ANYWHERE: Final = "0.0.0.0/0"


@dataclass(frozen=True, slots=True, kw_only=True)
class EdgeRef:
    """What the cluster side needs: the target group the gateway's pods register in, the public name, and
    the names the gateway answers for: the API's (``hosts``: the public name, and a primary's this edge
    stands by for) and the operators' (``operator_hosts``, likewise)."""

    target_group_arn: str
    domain: str
    hosts: tuple[str, ...]
    operator_hosts: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class FailoverTarget:
    """A primary environment's public names that this edge takes over when the primary's health check fails:
    the API's name, the operators' (or None), and their hosted zone (a token from the primary's stack), or
    None where this edge answers for the names but no longer manages the failover records (after a
    failover)."""

    zone_id: str | None
    domain: str
    operator_domain: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.domain, self.operator_domain) if self.operator_domain else (self.domain,)


class InternetEdge(Construct):
    """The environment's front door.

    - a public hosted zone ``props.hosted_zone`` (delegate it from the parent domain: ``name_servers``), an
      ACM certificate for ``props.domain`` validated by DNS there, and an alias record to the ALB;
    - the zone signed with DNSSEC and its queries logged (``DnsProtection``, in us-east-1: ``dns_provider``
      where the stack's region is another); its DNSSEC alarms notify ``dns_alarm_topic_arn``, a topic in
      us-east-1 (none without one);
    - the ALB in ``public_subnet_ids``, listening on 443 only (no port 80: an API client that dials plain
      HTTP is refused before it sends a credential in clear), with ``props.tls_policy`` (TLS 1.3
      only by default), invalid header fields are dropped, access logs go to ``log_bucket`` (prefix ``alb``),
      deletion protection per ``props``;
    - its security group admits 443 from the internet and reaches only the gateway's ports on the
      nodes (``target_security_group_id``, which admits it back);
    - an IP target group, HTTPS to the gateway's pods (with a TLS 1.3 listener policy the ALB speaks TLS 1.3
      to targets too), health-checked on the gateway's status port;
    - WAF (``WebFirewall``) in front.

    Failover (a primary with a standby in another region): with ``failover_primary`` the alias record is the
    PRIMARY of a Route 53 failover pair, health-checked through a CloudWatch alarm (notifying
    ``alarm_topic_arn``) on the target group's healthy gateway pods (the ALB checks each pod's /healthz/ready
    on the status port); a region that stops reporting counts as unhealthy. With ``serves`` (the standby) the
    certificate also names the primary's domain (ACM validates it with the record the primary already has) and
    a SECONDARY record in the primary's zone points that name at this ALB.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: EdgeProps,
        name: str,
        location: AwsLocation,
        vpc_id: str,
        public_subnet_ids: tuple[str, ...],
        target_security_group_id: str,
        log_bucket: str,
        log_key_arn: str,
        log_retention_days: int,
        failover_primary: bool = False,
        serves: FailoverTarget | None = None,
        alarm_topic_arn: str | None = None,
        dns_provider: TerraformProvider | None = None,
        dns_alarm_topic_arn: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        zone = Route53Zone(self, "zone", name=props.hosted_zone, comment=f"{name}: public names")
        prevent_destroy(zone, props.deletion_protection)
        dns = DnsProtection(
            self, "dns", name=name, location=location, zone_id=zone.zone_id, zone_name=props.hosted_zone,
            provider=dns_provider, deletion_protection=props.deletion_protection,
            alarm_topic_arn=dns_alarm_topic_arn,
        )  # fmt: skip
        own = (props.domain, props.operator_domain) if props.operator_domain else (props.domain,)
        served = serves.names if serves else ()
        certificate_arn = self._certificate(own, zone, served)
        security_group = self._security_group(name, vpc_id, target_security_group_id)
        balancer = Lb(
            self, "load_balancer", name=f"{name}-edge", internal=False, load_balancer_type="application",
            security_groups=[security_group], subnets=list(public_subnet_ids),
            drop_invalid_header_fields=True, enable_deletion_protection=props.deletion_protection,
            desync_mitigation_mode="defensive",
            enable_http2=True, idle_timeout=60,
            access_logs=LbAccessLogs(bucket=log_bucket, prefix="alb", enabled=True),
        )  # fmt: skip
        targets = LbTargetGroup(
            self, "gateway_targets", name=f"{name}-gateway", target_type="ip", protocol="HTTPS",
            port=GATEWAY_HTTPS_PORT, vpc_id=vpc_id, deregistration_delay=str(DEREGISTRATION_DELAY_SECONDS),
            health_check=LbTargetGroupHealthCheck(
                protocol="HTTP", port=str(GATEWAY_STATUS_PORT), path="/healthz/ready", matcher="200",
                interval=10, healthy_threshold=2, unhealthy_threshold=2,
            ),
        )  # fmt: skip
        LbListener(
            self, "https", load_balancer_arn=balancer.arn, port=443, protocol="HTTPS",
            ssl_policy=props.tls_policy, certificate_arn=certificate_arn,
            default_action=[LbListenerDefaultAction(type="forward", target_group_arn=targets.arn)],
        )  # fmt: skip
        alias = Route53RecordAlias(
            name=balancer.dns_name, zone_id=balancer.zone_id, evaluate_target_health=True
        )
        health_check = (
            self._health_check(name, location, balancer, targets, alarm_topic_arn)
            if failover_primary
            else None
        )
        # Construct ids name records by role ("alias": the API's name), so adding the operators' name
        # leaves the existing records' addresses alone.
        for prefix, domain in zip(("", "operator_"), own, strict=False):
            if health_check:
                Route53Record(
                    self, f"{prefix}alias", zone_id=zone.zone_id, name=domain, type="A", alias=alias,
                    set_identifier=f"{name}-primary",
                    failover_routing_policy=Route53RecordFailoverRoutingPolicy(type="PRIMARY"),
                    health_check_id=health_check,
                )  # fmt: skip
            else:
                Route53Record(
                    self, f"{prefix}alias", zone_id=zone.zone_id, name=domain, type="A", alias=alias
                )
        if serves and serves.zone_id:
            for prefix, domain in zip(("", "operator_"), served, strict=False):
                Route53Record(
                    self, f"{prefix}failover_alias", zone_id=serves.zone_id, name=domain, type="A",
                    alias=alias, set_identifier=f"{name}-secondary",
                    failover_routing_policy=Route53RecordFailoverRoutingPolicy(type="SECONDARY"),
                )  # fmt: skip
        operator_hosts = (*own[1:], *served[1:])
        WebFirewall(
            self, "firewall", name=name, location=location, protected_arn=balancer.arn,
            rate_limit=props.waf_rate_limit, log_key_arn=log_key_arn, log_retention_days=log_retention_days,
            operator_hosts=operator_hosts, operator_cidrs=props.operator_cidrs,
        )  # fmt: skip
        self.name_servers: list[str] = zone.name_servers
        self.ds_record: str = dns.ds_record
        self.dns_name: str = balancer.dns_name
        self.zone_id: str = zone.zone_id
        hosts = (props.domain, serves.domain) if serves else (props.domain,)
        self.ref = EdgeRef(
            target_group_arn=targets.arn, domain=props.domain, hosts=hosts, operator_hosts=operator_hosts
        )

    def _health_check(
        self, name: str, location: AwsLocation, balancer: Lb, targets: LbTargetGroup, topic: str | None
    ) -> str:
        """A Route 53 health check that follows an alarm on the healthy gateway pods behind the ALB; missing
        data (the region stops reporting) is unhealthy, so a regional outage fails over too."""
        alarm = CloudwatchMetricAlarm(
            self, "healthy_gateways_alarm", alarm_name=f"{name}-edge-no-healthy-gateway",
            alarm_description=f"{name}: no healthy Istio ingress gateway pod behind the ALB (DNS fails over)",
            namespace="AWS/ApplicationELB", metric_name="HealthyHostCount", statistic="Minimum",
            dimensions={"LoadBalancer": balancer.arn_suffix, "TargetGroup": targets.arn_suffix},
            period=60, evaluation_periods=2, threshold=1, comparison_operator="LessThanThreshold",
            treat_missing_data="breaching",
            alarm_actions=[topic] if topic else None, ok_actions=[topic] if topic else None,
        )  # fmt: skip
        check = Route53HealthCheck(
            self, "health_check", type="CLOUDWATCH_METRIC", cloudwatch_alarm_name=alarm.alarm_name,
            cloudwatch_alarm_region=location.region, insufficient_data_health_status="Unhealthy",
            tags={"Name": f"{name}-edge"},
        )  # fmt: skip
        check_id: str = check.id
        return check_id

    def _certificate(self, own: tuple[str, ...], zone: Route53Zone, served: tuple[str, ...]) -> str:
        """ACM certificate (ECDSA P-256) for ``own`` (names in ``zone``; the first is the subject) and
        ``served`` (a primary's names this edge stands by for); returns the ARN once validated, so the HTTPS
        listener waits for an issued certificate.

        Each of ``own`` gets its validation record in ``zone``. A ``served`` name's record is the one its
        primary keeps in its own zone for its own certificate: ACM gives a domain name the same validation
        CNAME for every certificate of the account. The validation lists the record of every name on the
        certificate (the provider refuses a name whose record is not listed); for ``served`` names that is
        the name ACM asks for, which the primary's record holds, so this stack never writes (or, destroyed,
        deletes) a record another stack owns.
        """
        certificate = AcmCertificate(
            self, "certificate", domain_name=own[0], validation_method="DNS", key_algorithm="EC_prime256v1",
            subject_alternative_names=[*own[1:], *served] or None,
        )  # fmt: skip
        certificate.add_override("lifecycle.create_before_destroy", True)
        options = f"{certificate.fqn}.domain_validation_options"

        def option(domain: str) -> str:
            """The validation record ACM asks for ``domain``: one() reads it from the set ACM returns."""
            return f"one([for o in {options} : o if o.domain_name == {json.dumps(domain)}])"

        fqdns = []
        for prefix, domain in zip(("", "operator_"), own, strict=False):
            record = Route53Record(
                self, f"{prefix}certificate_validation_record", zone_id=zone.zone_id,
                name=f"${{{option(domain)}.resource_record_name}}",
                type=f"${{{option(domain)}.resource_record_type}}",
                records=[f"${{{option(domain)}.resource_record_value}}"], ttl=300, allow_overwrite=True,
            )  # fmt: skip
            fqdns.append(record.fqdn)
        fqdns += [f"${{{option(domain)}.resource_record_name}}" for domain in served]
        validation = AcmCertificateValidation(
            self, "certificate_validation", certificate_arn=certificate.arn, validation_record_fqdns=fqdns
        )
        arn: str = validation.certificate_arn
        return arn

    def _security_group(self, name: str, vpc_id: str, target_security_group_id: str) -> str:
        """The ALB's group: 443 in from anywhere, out only to the gateway's ports on the nodes, which
        admit it back."""
        group = SecurityGroup(
            self, "security_group", name=f"{name}-alb", vpc_id=vpc_id,
            description=f"{name} ALB: HTTPS from the internet to the Istio ingress gateway",
            tags={"Name": f"{name}-alb"},
        )  # fmt: skip
        VpcSecurityGroupIngressRule(
            self, "from_internet_443", security_group_id=group.id, ip_protocol="tcp", from_port=443,
            to_port=443, cidr_ipv4=ANYWHERE, description="Internet clients on 443",
        )  # fmt: skip
        for port in (GATEWAY_HTTPS_PORT, GATEWAY_STATUS_PORT):
            VpcSecurityGroupEgressRule(
                self, f"to_gateway_{port}", security_group_id=group.id, ip_protocol="tcp", from_port=port,
                to_port=port, referenced_security_group_id=target_security_group_id,
                description=f"Istio ingress gateway pods on {port}",
            )  # fmt: skip
            VpcSecurityGroupIngressRule(
                self, f"gateway_from_alb_{port}", security_group_id=target_security_group_id,
                ip_protocol="tcp", from_port=port, to_port=port, referenced_security_group_id=group.id,
                description=f"{name} ALB to the Istio ingress gateway on {port}",
            )  # fmt: skip
        group_id: str = group.id
        return group_id

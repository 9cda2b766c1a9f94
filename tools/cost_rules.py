"""How each synthesized AWS resource type costs money per month: one rule per priced type, an explicit list of
types that cost nothing themselves (with why), and everything else reported as not priced.

A rule returns line items with a low and a high figure: node groups at their minimum and maximum size,
database storage at its allocated size and its autoscaling ceiling; everything else is the same in both.
A scenario switches the what-if levers: Spot for the compute group, Graviton where a same-size Graviton
type has a price, and 1-year Reserved Instances for PostgreSQL and Redis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from tools.pricing import Prices, Usage


@dataclass(frozen=True, slots=True)
class Scenario:
    """The what-if levers (all off: on-demand list prices)."""

    spot_compute: bool = False
    graviton: bool = False
    reserved: bool = False


@dataclass(frozen=True, slots=True)
class Line:
    """One priced item: ``low`` and ``high`` in USD per month."""

    address: str
    what: str
    category: str
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule may read: prices, the environment's usage, the stack (for references) and the scenario,
    plus the counts a usage figure is shared over (log groups, NAT gateways)."""

    prices: Prices
    usage: Usage
    doc: dict[str, Any]
    scenario: Scenario
    cache_node_type: str  # a Global Datastore secondary names none: the environment's configured type

    def count(self, resource_type: str) -> int:
        return len(self.doc.get("resource", {}).get(resource_type, {}))


Rule = Callable[[str, dict[str, Any], Context], list[Line]]

# Types that cost nothing by themselves: configuration of priced things, identities, or free of charge.
FREE: Final = {
    "aws_acm_certificate": "public certificates are free",
    "aws_acm_certificate_validation": "a wait, not a resource",
    "aws_appautoscaling_policy": "configuration", "aws_appautoscaling_target": "configuration",
    "aws_backup_selection": "configuration", "aws_backup_vault_lock_configuration": "configuration",
    "aws_backup_vault": "storage priced on the backup plan's line",
    "aws_cloudwatch_log_resource_policy": "configuration", "aws_db_parameter_group": "configuration",
    "aws_db_subnet_group": "configuration", "aws_default_security_group": "configuration",
    "aws_ecr_lifecycle_policy": "configuration", "aws_eks_access_entry": "configuration",
    "aws_eks_access_policy_association": "configuration", "aws_eks_addon": "runs on the node groups",
    "aws_elasticache_subnet_group": "configuration", "aws_elasticache_user": "configuration",
    "aws_elasticache_user_group": "configuration", "aws_flow_log": "delivery priced on its log group",
    "aws_guardduty_detector_feature": "priced on the detector's line",
    "aws_iam_openid_connect_provider": "IAM",
    "aws_iam_policy": "IAM", "aws_iam_role": "IAM", "aws_iam_role_policy": "IAM",
    "aws_iam_role_policy_attachment": "IAM", "aws_iam_service_linked_role": "IAM",
    "aws_internet_gateway": "free (traffic priced as data transfer)", "aws_kms_alias": "free",
    "aws_launch_template": "its volumes are priced on the node group's line",
    "aws_lb_listener": "priced with the load balancer",
    "aws_lb_target_group": "priced with the load balancer",
    "aws_msk_cluster_policy": "configuration", "aws_msk_configuration": "configuration",
    "aws_route": "configuration", "aws_route53_hosted_zone_dnssec": "free",
    "aws_route53_key_signing_key": "its KMS key is priced",
    "aws_route53_query_log": "priced on its log group",
    "aws_route53_record": "priced with the zone's queries", "aws_route_table": "configuration",
    "aws_route_table_association": "configuration",
    "aws_s3_bucket_lifecycle_configuration": "configuration", "aws_s3_bucket_logging": "configuration",
    "aws_s3_bucket_notification": "EventBridge delivery of S3 events is free",
    "aws_s3_bucket_object_lock_configuration": "configuration",
    "aws_s3_bucket_ownership_controls": "configuration", "aws_s3_bucket_policy": "configuration",
    "aws_s3_bucket_public_access_block": "configuration",
    "aws_s3_bucket_server_side_encryption_configuration": "configuration",
    "aws_s3_bucket_versioning": "configuration", "aws_security_group": "configuration",
    "aws_sns_topic": "alarm notifications stay in the free tier", "aws_sns_topic_policy": "configuration",
    "aws_subnet": "configuration", "aws_vpc": "configuration",
    "aws_vpc_security_group_egress_rule": "configuration",
    "aws_vpc_security_group_ingress_rule": "configuration",
    "aws_wafv2_web_acl_association": "priced with the web ACL",
    "aws_wafv2_web_acl_logging_configuration": "priced on its log group",
}  # fmt: skip
# Kubernetes and Helm objects run on the node groups (priced there); the volumes charts create are priced
# from the configuration (tools/cost.py), since they are not Terraform resources.
FREE_PREFIXES: Final = ("kubernetes_", "helm_")


def _ec2(instance_type: str, ctx: Context, *, spot: bool) -> tuple[str, float]:
    """(type actually priced, hourly price) for a node under the scenario."""
    graviton = ctx.prices.graviton(instance_type) if ctx.scenario.graviton else None
    priced = graviton or instance_type
    hourly = ctx.prices.hourly("ec2", "on_demand_hourly", priced)
    if spot:
        hourly *= 1 - ctx.prices.get("ec2", "spot_discount")
    return priced, hourly


def node_group(address: str, group: dict[str, Any], ctx: Context) -> list[Line]:
    size = group["scaling_config"]
    spot = group["capacity_type"] == "SPOT" or (
        ctx.scenario.spot_compute and group["node_group_name"] == "compute"
    )
    priced, hourly = _ec2(group["instance_types"][0], ctx, spot=spot)
    template = ctx.doc["resource"]["aws_launch_template"][group["launch_template"]["id"].split(".")[1]]
    volume_gb = sum(m["ebs"]["volume_size"] for m in template.get("block_device_mappings", []))
    per_node = ctx.prices.monthly(hourly) + volume_gb * ctx.prices.get("ebs", "gp3_gb_month")
    kind = f"{priced} spot" if spot else priced
    what = f"{group['node_group_name']}: {kind}, {size['min_size']}-{size['max_size']} nodes"
    return [Line(address, what, "compute", per_node * size["min_size"], per_node * size["max_size"])]


def eks_cluster(address: str, cluster: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.prices.monthly(ctx.prices.get("eks", "cluster_hourly"))
    return [Line(address, f"EKS control plane {cluster['name']}", "compute", monthly, monthly)]


def postgres(address: str, db: dict[str, Any], ctx: Context) -> list[Line]:
    table = "reserved_1y_hourly" if ctx.scenario.reserved else "on_demand_hourly"
    copies = 2 if db.get("multi_az") else 1
    instance = ctx.prices.monthly(ctx.prices.hourly("rds_postgresql", table, db["instance_class"])) * copies
    gb = ctx.prices.get("rds_postgresql", "gp3_gb_month") * copies
    low, high = (
        db.get("allocated_storage", 0),
        db.get("max_allocated_storage", db.get("allocated_storage", 0)),
    )
    what = f"PostgreSQL {db['identifier']} {db['instance_class']}{' Multi-AZ' if copies == 2 else ''}"
    if ctx.scenario.reserved:
        what += " reserved 1y"
    return [Line(address, what, "database", instance + gb * low, instance + gb * high)]


def redis(address: str, group: dict[str, Any], ctx: Context) -> list[Line]:
    table = "reserved_1y_hourly" if ctx.scenario.reserved else "on_demand_hourly"
    node_type = group.get("node_type", ctx.cache_node_type)
    nodes = group.get("num_cache_clusters", 3)
    monthly = ctx.prices.monthly(ctx.prices.hourly("elasticache_redis", table, node_type)) * nodes
    return [
        Line(
            address,
            f"Redis {group['replication_group_id']} {node_type} x{nodes}",
            "database",
            monthly,
            monthly,
        )
    ]


def kafka(address: str, cluster: dict[str, Any], ctx: Context) -> list[Line]:
    info = cluster["broker_node_group_info"]
    brokers = cluster["number_of_broker_nodes"]
    hourly = ctx.prices.hourly("msk", "broker_hourly", info["instance_type"])
    storage = info["storage_info"]["ebs_storage_info"]["volume_size"] * ctx.prices.get(
        "msk", "storage_gb_month"
    )
    monthly = (ctx.prices.monthly(hourly) + storage) * brokers
    return [
        Line(
            address,
            f"MSK {cluster['cluster_name']} {info['instance_type']} x{brokers}",
            "database",
            monthly,
            monthly,
        )
    ]


def kafka_replicator(address: str, replicator: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.prices.monthly(ctx.prices.get("msk", "replicator_hourly"))
    monthly += ctx.usage["replicated_gb"] * (
        ctx.prices.get("msk", "replicated_gb") + ctx.prices.get("data_transfer", "inter_region_gb")
    )
    return [Line(address, f"MSK Replicator {replicator['replicator_name']}", "network", monthly, monthly)]


def nat_gateway(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
    share = ctx.usage["nat_processed_gb"] / ctx.count("aws_nat_gateway")
    monthly = ctx.prices.monthly(ctx.prices.get("vpc", "nat_gateway_hourly")) + share * ctx.prices.get(
        "vpc", "nat_processed_gb"
    )
    return [Line(address, "NAT gateway", "network", monthly, monthly)]


def public_ip(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.prices.monthly(ctx.prices.get("vpc", "public_ipv4_hourly"))
    return [Line(address, "public IPv4 address", "network", monthly, monthly)]


def vpc_endpoint(address: str, endpoint: dict[str, Any], ctx: Context) -> list[Line]:
    name = endpoint["service_name"].split(".", 3)[3]
    if endpoint.get("vpc_endpoint_type") == "Gateway":
        return [Line(address, f"{name} gateway endpoint (free)", "network", 0.0, 0.0)]
    zones = len(endpoint.get("subnet_ids", [])) or 1
    interface = [
        e for e in ctx.doc["resource"]["aws_vpc_endpoint"].values() if e.get("vpc_endpoint_type") != "Gateway"
    ]
    share = ctx.usage["endpoint_processed_gb"] / len(interface)
    monthly = ctx.prices.monthly(ctx.prices.get("vpc", "interface_endpoint_hourly_per_az")) * zones
    monthly += share * ctx.prices.get("vpc", "endpoint_processed_gb")
    return [Line(address, f"{name} interface endpoint x{zones} zones", "network", monthly, monthly)]


def load_balancer(address: str, balancer: dict[str, Any], ctx: Context) -> list[Line]:
    alb = ctx.prices.monthly(
        ctx.prices.get("elb", "alb_hourly") + ctx.usage["alb_lcu"] * ctx.prices.get("elb", "lcu_hourly")
    )
    out = ctx.usage["internet_out_gb"] * ctx.prices.get("data_transfer", "internet_out_gb")
    return [
        Line(address, f"ALB {balancer['name']} ({ctx.usage['alb_lcu']:.0f} LCU)", "network", alb, alb),
        Line(address, f"data transfer out ({ctx.usage['internet_out_gb']:,.0f} GB)", "network", out, out),
    ]


def web_acl(address: str, acl: dict[str, Any], ctx: Context) -> list[Line]:
    fixed = ctx.prices.get("waf", "web_acl_month") + len(acl["rule"]) * ctx.prices.get("waf", "rule_month")
    requests = ctx.usage["requests_million"] * ctx.prices.get("waf", "million_requests")
    return [
        Line(address, f"WAF {acl['name']} ({len(acl['rule'])} rules)", "security", fixed, fixed),
        Line(
            address,
            f"WAF requests ({ctx.usage['requests_million']:,.0f} million)",
            "security",
            requests,
            requests,
        ),
    ]


def hosted_zone(address: str, zone: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.prices.get("route53", "hosted_zone_month") + ctx.usage[
        "dns_queries_million"
    ] * ctx.prices.get("route53", "million_queries")
    return [Line(address, f"Route 53 zone {zone['name']}", "network", monthly, monthly)]


def flat(service: str, key: str, category: str, what: str) -> Rule:
    """A rule for a fixed monthly price per resource."""

    def rule(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
        price = ctx.prices.get(service, key)
        return [Line(address, what, category, price, price)]

    return rule


def log_group(address: str, group: dict[str, Any], ctx: Context) -> list[Line]:
    """The environment's log volume shared evenly over its groups, stored for the group's retention."""
    ingest = ctx.usage["log_ingest_gb"] / ctx.count("aws_cloudwatch_log_group")
    stored = ingest * min(group.get("retention_in_days", 365), 365) / 30
    monthly = ingest * ctx.prices.get("cloudwatch", "logs_ingested_gb") + stored * ctx.prices.get(
        "cloudwatch", "logs_stored_gb_month"
    )
    return [Line(address, f"logs {group['name']}", "observability", monthly, monthly)]


BUCKET_USAGE: Final = {
    "-backups-": "backups_gb",
    "-loki-": "loki_gb",
    "-access-logs-": "access_logs_gb",
    "-audit-": "audit_gb",
}


def bucket(address: str, resource: dict[str, Any], ctx: Context) -> list[Line]:
    name = resource["bucket"]
    usage = next((key for part, key in BUCKET_USAGE.items() if part in name), None)
    gb = ctx.usage[usage] if usage else 1.0  # state and its logs: a few MB
    monthly = gb * ctx.prices.get("s3", "standard_gb_month")
    return [Line(address, f"S3 {name} ({gb:,.0f} GB)", "storage", monthly, monthly)]


def bucket_replication(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
    """Backups written in a month, copied across regions with Replication Time Control."""
    gb = ctx.usage["backups_changed_gb"]
    monthly = gb * (
        ctx.prices.get("data_transfer", "inter_region_gb")
        + ctx.prices.get("s3", "replication_time_control_gb")
    )
    return [Line(address, f"S3 replication with RTC ({gb:,.0f} GB)", "network", monthly, monthly)]


def registry(address: str, repository: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.usage["images_gb_per_repository"] * ctx.prices.get("ecr", "storage_gb_month")
    return [Line(address, f"ECR {repository['name']}", "storage", monthly, monthly)]


def registry_replication(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
    gb = ctx.usage["images_gb_per_repository"] * ctx.count("aws_ecr_repository")
    monthly = gb * ctx.prices.get("data_transfer", "inter_region_gb")
    return [Line(address, "ECR replication", "network", monthly, monthly)]


def backup_plan(address: str, plan: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.usage["database_snapshot_gb"] * ctx.prices.get("backup", "snapshot_gb_month")
    return [Line(address, f"AWS Backup {plan['name']} snapshots", "storage", monthly, monthly)]


def backups_replication(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
    gb = ctx.usage["database_snapshot_gb"]
    monthly = gb * (
        ctx.prices.get("rds_postgresql", "backup_gb_month")
        + ctx.prices.get("data_transfer", "inter_region_gb")
    )
    return [Line(address, "automated backups replicated to this region", "storage", monthly, monthly)]


def global_datastore(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.usage["replicated_gb"] / 3 * ctx.prices.get("data_transfer", "inter_region_gb")
    return [Line(address, "Global Datastore replication traffic", "network", monthly, monthly)]


def trail(address: str, resource: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.usage["cloudtrail_data_events_hundred_thousand"] * ctx.prices.get(
        "cloudtrail", "hundred_thousand_data_events"
    )
    return [Line(address, f"CloudTrail {resource['name']} S3 data events", "security", monthly, monthly)]


def detector(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.usage["guardduty_month"]
    return [Line(address, "GuardDuty (volume analysed, from usage.yaml)", "security", monthly, monthly)]


RULES: Final[dict[str, Rule]] = {
    "aws_eks_node_group": node_group,
    "aws_eks_cluster": eks_cluster,
    "aws_db_instance": postgres,
    "aws_elasticache_replication_group": redis,
    "aws_msk_cluster": kafka,
    "aws_msk_replicator": kafka_replicator,
    "aws_nat_gateway": nat_gateway,
    "aws_eip": public_ip,
    "aws_vpc_endpoint": vpc_endpoint,
    "aws_lb": load_balancer,
    "aws_wafv2_web_acl": web_acl,
    "aws_route53_zone": hosted_zone,
    "aws_route53_health_check": flat("route53", "health_check_month", "network", "Route 53 health check"),
    "aws_kms_key": flat("kms", "key_month", "security", "KMS key"),
    "aws_secretsmanager_secret": flat("secrets_manager", "secret_month", "security", "secret"),
    "aws_cloudwatch_metric_alarm": flat("cloudwatch", "alarm_month", "observability", "alarm"),
    "aws_cloudwatch_log_group": log_group,
    "aws_s3_bucket": bucket,
    "aws_s3_bucket_replication_configuration": bucket_replication,
    "aws_ecr_repository": registry,
    "aws_ecr_replication_configuration": registry_replication,
    "aws_backup_plan": backup_plan,
    "aws_db_instance_automated_backups_replication": backups_replication,
    "aws_elasticache_global_replication_group": global_datastore,
    "aws_cloudtrail": trail,
    "aws_guardduty_detector": detector,
}

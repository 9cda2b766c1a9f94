"""How each synthesized AWS resource type costs money per month: one rule per priced type, an explicit list of
types that cost nothing themselves (with why), and everything else reported as not priced.

A rule returns line items with three figures: ``steady`` (node groups at their minimum, storage as
allocated), ``daily`` (the same; tools/cost.py adds the nodes the day's traffic and the headroom need) and
``ceiling`` (node groups at their maximum, database storage at its autoscaling ceiling). Traffic-driven
volumes come from the environment's usage model (tools/usage_model.py), never a flat figure of their own. A
scenario switches the what-if levers: Graviton where a same-size Graviton type has a price, a Compute Savings
Plan for the on-demand nodes, and 1-year Reserved Instances for PostgreSQL and Redis.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from marketplace_constructs.capacity.instances import INSTANCE_SHAPES
from tools.pricing import MissingPrice, Prices, Usage
from tools.usage_model import GB, Traffic


@dataclass(frozen=True, slots=True)
class Scenario:
    """The what-if levers (all off: on-demand list prices, and Spot only where a group asks for it)."""

    graviton: bool = False
    savings_plan: bool = False  # Compute Savings Plan for the on-demand nodes' steady use
    reserved: bool = False


@dataclass(frozen=True, slots=True)
class Line:
    """One priced item in USD per month: steady, over the daily curve, and at the ceiling."""

    address: str
    what: str
    category: str
    steady: float
    daily: float
    ceiling: float

    @classmethod
    def flat(cls, address: str, what: str, category: str, monthly: float) -> Line:
        """An item that costs the same however busy the environment is."""
        return cls(address, what, category, monthly, monthly, monthly)


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule may read: prices, the environment's usage, the stack (for references) and the scenario,
    plus the counts a usage figure is shared over (log groups, NAT gateways)."""

    prices: Prices
    usage: Usage
    traffic: Traffic
    doc: dict[str, Any]
    scenario: Scenario
    cache_node_type: str  # a Global Datastore secondary names none: the environment's configured type

    def count(self, resource_type: str) -> int:
        return len(self.doc.get("resource", {}).get(resource_type, {}))


Rule = Callable[[str, dict[str, Any], Context], list[Line]]


def node_monthly(
    instance_type: str, ctx: Context, *, spot: bool, volume_gb: float, committed: bool = True
) -> tuple[str, float]:
    """(type actually priced, USD a month) for one node under the scenario: the instance, its root volume, its
    detailed monitoring and GuardDuty's runtime monitoring of its vCPUs. A Savings Plan covers a node only
    when ``committed`` (the steady on-demand nodes its commitment is sized for)."""
    graviton = ctx.prices.graviton(instance_type) if ctx.scenario.graviton else None
    priced = graviton or instance_type
    hourly = ctx.prices.hourly("ec2", "on_demand_hourly", priced)
    if spot:
        hourly *= 1 - ctx.prices.get("ec2", "spot_discount")
    elif ctx.scenario.savings_plan and committed:
        hourly *= 1 - ctx.prices.get("ec2", "compute_savings_plan_1y_discount")
    vcpus = INSTANCE_SHAPES[priced].vcpus if priced in INSTANCE_SHAPES else 0
    monthly = (
        ctx.prices.monthly(hourly)
        + volume_gb * ctx.prices.get("ebs", "gp3_gb_month")
        + ctx.prices.get("ec2", "detailed_monitoring_instance_month")
        + vcpus * ctx.prices.get("guardduty", "runtime_vcpu_month")
    )
    return priced, monthly


def group_node_monthly(group: dict[str, Any], ctx: Context, *, committed: bool = True) -> tuple[str, float]:
    """(type priced, USD a month) for one node of a synthesized node group."""
    template = ctx.doc["resource"]["aws_launch_template"][group["launch_template"]["id"].split(".")[1]]
    volume_gb = sum(m["ebs"]["volume_size"] for m in template.get("block_device_mappings", []))
    spot = group["capacity_type"] == "SPOT"
    return node_monthly(group["instance_types"][0], ctx, spot=spot, volume_gb=volume_gb, committed=committed)


def node_group(address: str, group: dict[str, Any], ctx: Context) -> list[Line]:
    """The group's minimum (steady and daily) and its maximum (ceiling); under a Savings Plan the nodes
    above the minimum pay on-demand rates, the commitment being sized for the steady use."""
    size = group["scaling_config"]
    priced, per_node = group_node_monthly(group, ctx)
    _, uncommitted = group_node_monthly(group, ctx, committed=False)
    kind = f"{priced} spot" if group["capacity_type"] == "SPOT" else priced
    what = f"{group['node_group_name']}: {kind}, {size['min_size']}-{size['max_size']} nodes"
    low = per_node * size["min_size"]
    return [
        Line(address, what, "compute", low, low, low + uncommitted * (size["max_size"] - size["min_size"]))
    ]


def eks_cluster(address: str, cluster: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.prices.monthly(ctx.prices.get("eks", "cluster_hourly"))
    return [Line.flat(address, f"EKS control plane {cluster['name']}", "compute", monthly)]


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
    steady = instance + gb * low
    return [Line(address, what, "database", steady, steady, instance + gb * high)]


def redis(address: str, group: dict[str, Any], ctx: Context) -> list[Line]:
    table = "reserved_1y_hourly" if ctx.scenario.reserved else "on_demand_hourly"
    node_type = group.get("node_type", ctx.cache_node_type)
    nodes = group.get("num_cache_clusters", 3)
    monthly = ctx.prices.monthly(ctx.prices.hourly("elasticache_redis", table, node_type)) * nodes
    return [
        Line.flat(address, f"Redis {group['replication_group_id']} {node_type} x{nodes}", "database", monthly)
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
        Line.flat(
            address, f"MSK {cluster['cluster_name']} {info['instance_type']} x{brokers}", "database", monthly
        )
    ]


def kafka_replicator(address: str, replicator: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.prices.monthly(ctx.prices.get("msk", "replicator_hourly"))
    monthly += ctx.usage["replicated_gb"] * (
        ctx.prices.get("msk", "replicated_gb") + ctx.prices.get("data_transfer", "inter_region_gb")
    )
    return [Line.flat(address, f"MSK Replicator {replicator['replicator_name']}", "network", monthly)]


def nat_gateway(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
    share = ctx.usage["nat_processed_gb"] / ctx.count("aws_nat_gateway")
    monthly = ctx.prices.monthly(ctx.prices.get("vpc", "nat_gateway_hourly")) + share * ctx.prices.get(
        "vpc", "nat_processed_gb"
    )
    return [Line.flat(address, "NAT gateway", "network", monthly)]


def public_ip(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.prices.monthly(ctx.prices.get("vpc", "public_ipv4_hourly"))
    return [Line.flat(address, "public IPv4 address", "network", monthly)]


def vpc_endpoint(address: str, endpoint: dict[str, Any], ctx: Context) -> list[Line]:
    name = endpoint["service_name"].split(".", 3)[3]
    if endpoint.get("vpc_endpoint_type") == "Gateway":
        return [Line.flat(address, f"{name} gateway endpoint (free)", "network", 0.0)]
    zones = len(endpoint.get("subnet_ids", [])) or 1
    interface = [
        e for e in ctx.doc["resource"]["aws_vpc_endpoint"].values() if e.get("vpc_endpoint_type") != "Gateway"
    ]
    share = ctx.usage["endpoint_processed_gb"] / len(interface)
    monthly = ctx.prices.monthly(ctx.prices.get("vpc", "interface_endpoint_hourly_per_az")) * zones
    monthly += share * ctx.prices.get("vpc", "endpoint_processed_gb")
    return [Line.flat(address, f"{name} interface endpoint x{zones} zones", "network", monthly)]


def load_balancer(address: str, balancer: dict[str, Any], ctx: Context) -> list[Line]:
    """The ALB's hours and its capacity units from the usage model, one public IPv4 address per zone, and
    every response's bytes out to the internet."""
    lcu, traffic = ctx.traffic.lcu, ctx.traffic
    zones = len(balancer.get("subnets", [])) or 1
    alb = ctx.prices.monthly(
        ctx.prices.get("elb", "alb_hourly")
        + lcu * ctx.prices.get("elb", "lcu_hourly")
        + zones * ctx.prices.get("vpc", "public_ipv4_hourly")
    )
    out = traffic.egress_gb * ctx.prices.get("data_transfer", "internet_out_gb")
    what = f"ALB {balancer['name']} ({lcu:.1f} LCU on average, {zones} public addresses)"
    return [
        Line.flat(address, what, "network", alb),
        Line.flat(address, f"data transfer out ({traffic.egress_gb:,.0f} GB)", "network", out),
    ]


def web_acl(address: str, acl: dict[str, Any], ctx: Context) -> list[Line]:
    fixed = ctx.prices.get("waf", "web_acl_month") + len(acl["rule"]) * ctx.prices.get("waf", "rule_month")
    million = ctx.traffic.requests_million
    requests = million * ctx.prices.get("waf", "million_requests")
    return [
        Line.flat(address, f"WAF {acl['name']} ({len(acl['rule'])} rules)", "security", fixed),
        Line.flat(address, f"WAF requests ({million:,.0f} million)", "security", requests),
    ]


def cross_zone(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
    """Traffic between the VPC's zones (calls between services, to the data stores and the gateway)."""
    gb = ctx.usage["cross_zone_gb"]
    monthly = gb * ctx.prices.get("data_transfer", "cross_zone_gb")
    return [Line.flat(address, f"traffic between zones ({gb:,.0f} GB)", "network", monthly)]


def hosted_zone(address: str, zone: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.prices.get("route53", "hosted_zone_month") + ctx.usage[
        "dns_queries_million"
    ] * ctx.prices.get("route53", "million_queries")
    return [Line.flat(address, f"Route 53 zone {zone['name']}", "network", monthly)]


def flat(service: str, key: str, category: str, what: str) -> Rule:
    """A rule for a fixed monthly price per resource."""

    def rule(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
        price = ctx.prices.get(service, key)
        return [Line.flat(address, what, category, price)]

    return rule


# Where a CloudWatch log group's volume comes from, by its name: traffic (the usage model) or a figure of the
# usage model's ``log_gb`` for the sources that do not follow requests.
LOG_SOURCES: Final = (
    ("aws-waf-logs-", "waf"),
    ("/aws/route53/", "dns"),
    ("/vpc/", "flow"),
    ("/aws/eks/", "cluster"),
    ("/aws/cloudtrail/", "trail"),
    ("/aws/rds/", "data_store"),
    ("/elasticache/", "data_store"),
    ("/msk/", "data_store"),
)


def log_volume_gb(name: str, ctx: Context) -> float:
    """GB a month ingested by the log group ``name``; a group of no known source is a MissingPrice."""
    source = next((kind for prefix, kind in LOG_SOURCES if name.startswith(prefix)), None)
    if source == "waf":
        return ctx.traffic.waf_log_gb
    if source == "dns":
        return ctx.usage["dns_queries_million"] * 1e6 * ctx.usage["dns_log_record_bytes"] / GB
    if source is None:
        raise MissingPrice(f"no log source for the log group {name!r}: add its prefix to LOG_SOURCES")
    return ctx.usage.log_gb(source)


def log_group(address: str, group: dict[str, Any], ctx: Context) -> list[Line]:
    """The group's own volume, ingested and stored for its retention (at most a year accumulates)."""
    ingest = log_volume_gb(group["name"], ctx)
    stored = ingest * min(group.get("retention_in_days", 365), 365) / 30
    monthly = ingest * ctx.prices.get("cloudwatch", "logs_ingested_gb") + stored * ctx.prices.get(
        "cloudwatch", "logs_stored_gb_month"
    )
    what = f"logs {group['name']} ({ingest:,.1f} GB a month)"
    return [Line.flat(address, what, "observability", monthly)]


BUCKET_USAGE: Final = {"-backups-": "backups_gb", "-audit-": "audit_gb"}
DAYS_KEPT_WITHOUT_EXPIRY: Final = 365  # a bucket that never expires objects: a year's accumulation


def days_kept(address: str, ctx: Context) -> int:
    """How long the bucket at ``address`` keeps objects: its lifecycle's expiration, else a year."""
    reference = f"${{{address}.id}}"
    for lifecycle in ctx.doc["resource"].get("aws_s3_bucket_lifecycle_configuration", {}).values():
        if lifecycle["bucket"] != reference:
            continue
        for rule in lifecycle["rule"]:
            for expiration in rule.get("expiration") or []:
                if "days" in expiration:
                    return int(expiration["days"])
    return DAYS_KEPT_WITHOUT_EXPIRY


def bucket(address: str, resource: dict[str, Any], ctx: Context) -> list[Line]:
    """Backups and audit logs from the usage model's sizes; Loki's chunks and the ALB's access logs from
    traffic, for as long as the bucket keeps them; state and its logs are a few MB."""
    name, traffic = resource["bucket"], ctx.traffic
    usage = next((key for part, key in BUCKET_USAGE.items() if part in name), None)
    if "-loki-" in name:
        gb = traffic.application_log_gb / ctx.usage["loki_compression"] * days_kept(address, ctx) / 30
    elif "-access-logs-" in name:
        monthly_gb = traffic.requests * ctx.usage["access_log_bytes_per_request"] / GB
        gb = monthly_gb * days_kept(address, ctx) / 30
    else:
        gb = ctx.usage[usage] if usage else 1.0
    monthly = gb * ctx.prices.get("s3", "standard_gb_month")
    return [Line.flat(address, f"S3 {name} ({gb:,.0f} GB)", "storage", monthly)]


def bucket_replication(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
    """Backups written in a month, copied across regions with Replication Time Control."""
    gb = ctx.usage["backups_changed_gb"]
    monthly = gb * (
        ctx.prices.get("data_transfer", "inter_region_gb")
        + ctx.prices.get("s3", "replication_time_control_gb")
    )
    return [Line.flat(address, f"S3 replication with RTC ({gb:,.0f} GB)", "network", monthly)]


def registry(address: str, repository: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.usage["images_gb_per_repository"] * ctx.prices.get("ecr", "storage_gb_month")
    return [Line.flat(address, f"ECR {repository['name']}", "storage", monthly)]


def registry_replication(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
    gb = ctx.usage["images_gb_per_repository"] * ctx.count("aws_ecr_repository")
    monthly = gb * ctx.prices.get("data_transfer", "inter_region_gb")
    return [Line.flat(address, "ECR replication", "network", monthly)]


def backup_plan(address: str, plan: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.usage["database_snapshot_gb"] * ctx.prices.get("backup", "snapshot_gb_month")
    return [Line.flat(address, f"AWS Backup {plan['name']} snapshots", "storage", monthly)]


def backups_replication(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
    gb = ctx.usage["database_snapshot_gb"]
    monthly = gb * (
        ctx.prices.get("rds_postgresql", "backup_gb_month")
        + ctx.prices.get("data_transfer", "inter_region_gb")
    )
    return [Line.flat(address, "automated backups replicated to this region", "storage", monthly)]


def global_datastore(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.usage["replicated_gb"] / 3 * ctx.prices.get("data_transfer", "inter_region_gb")
    return [Line.flat(address, "Global Datastore replication traffic", "network", monthly)]


def trail(address: str, resource: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.usage["cloudtrail_data_events_hundred_thousand"] * ctx.prices.get(
        "cloudtrail", "hundred_thousand_data_events"
    )
    return [Line.flat(address, f"CloudTrail {resource['name']} S3 data events", "security", monthly)]


def detector(address: str, _: dict[str, Any], ctx: Context) -> list[Line]:
    """Foundational analysis and S3 protection by volume (usage model), and EKS audit-log monitoring by the
    audit events the control plane logs (its log group's volume over an event's size); runtime monitoring is
    priced per vCPU with each node."""
    foundational = ctx.usage["guardduty_month"]
    events_million = ctx.usage.log_gb("cluster") * GB / ctx.usage["audit_event_bytes"] / 1e6
    audit = events_million * ctx.prices.get("guardduty", "eks_audit_million_events")
    return [
        Line.flat(address, "GuardDuty foundational and S3 protection (usage.yaml)", "security", foundational),
        Line.flat(
            address, f"GuardDuty EKS audit logs ({events_million:,.0f} million events)", "security", audit
        ),
    ]


def budget(address: str, resource: dict[str, Any], ctx: Context) -> list[Line]:
    monthly = ctx.prices.get("budgets", "budget_day") * ctx.prices.hours / 24
    return [Line.flat(address, f"AWS Budgets {resource['name']} (notifications only)", "security", monthly)]


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
    "aws_budgets_budget": budget,
    "aws_ce_anomaly_monitor": flat("budgets", "anomaly_monitor_month", "security", "Cost Anomaly Detection"),
    "aws_vpc": cross_zone,
}

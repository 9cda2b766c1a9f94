"""The architecture of one environment as a graph, read from its synthesized stacks (the source of truth,
not a hand-kept list): what ``bin/dev diagram`` draws and what tests/test_architecture.py checks.

Nodes sit in nested groups (``("AWS us-east-1", "VPC 10.30.0.0/16", "us-east-1a")``). Edges are the paths a
request or a copy of data takes: the internet through Route 53, WAF and the ALB to the Istio gateway; the
gateway and the services to the services that admit them (their Istio AuthorizationPolicies); each service
to the data stores its IAM role may reach; and, for a standby, each replication link from its primary.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

INTERNET: Final = "internet"
GATEWAY: Final = "gateway"
# Platform releases by the part of the platform they belong to (helm release names).
PLATFORM_PARTS: Final = {
    "mesh": ("istio-base", "istiod", "istio-cni", "istio-ingressgateway"),
    "observability": (
        "kube-prometheus-stack", "grafana", "loki", "alloy", "opentelemetry-collector", "jaeger",
        "eck-operator", "prometheus-postgres-exporter", "prometheus-redis-exporter",
        "prometheus-elasticsearch-exporter",
    ),
    "delivery": ("flagger",),
    "cluster": ("aws-load-balancer-controller", "cluster-autoscaler", "metrics-server"),
    "security": ("cert-manager", "external-secrets"),
    "backup": ("velero",),
}  # fmt: skip
# A service's IAM action prefix -> the data store it reaches.
STORE_ACTIONS: Final = {"rds-db:": "database", "elasticache:": "cache", "kafka-cluster:": "kafka"}
PRINCIPAL: Final = re.compile(r"cluster\.local/ns/([^/]+)/sa/([^/]+)")


@dataclass(frozen=True, slots=True)
class Node:
    """One thing on the picture: ``kind`` picks its icon, ``group`` the boxes it is drawn in."""

    id: str
    label: str
    kind: str
    group: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    label: str = ""


@dataclass(slots=True)
class Architecture:
    """One environment's nodes (by id) and edges, in the order they were found."""

    env: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def add(self, node: Node) -> None:
        self.nodes[node.id] = node

    def link(self, source: str, target: str, label: str = "") -> None:
        if source in self.nodes and target in self.nodes and Edge(source, target, label) not in self.edges:
            self.edges.append(Edge(source, target, label))


def architecture(synth_dir: Path, env: str) -> Architecture:
    """The graph of ``env`` from ``synth_dir`` (a ``cdktf.out``): foundation, platform and apps stacks."""
    foundation, platform, apps = (
        _stack(synth_dir, f"{env}-{layer}") for layer in ("foundation", "platform", "apps")
    )
    model = Architecture(env)
    aws = f"AWS {_region(foundation)}"
    vpc = (aws, f"VPC {_one(foundation, 'aws_vpc')['cidr_block']}")
    _edge(model, foundation, aws)
    _network(model, foundation, vpc)
    _cluster(model, foundation, vpc)
    _stores(model, foundation, aws, vpc)
    _platform(model, platform, apps, vpc)
    _services(model, foundation, apps, vpc)
    _replication(model, foundation)
    return model


def _edge(model: Architecture, doc: dict[str, Any], aws: str) -> None:
    model.add(Node(INTERNET, "clients", "users"))
    zone = _one(doc, "aws_route53_zone")["name"]
    model.add(Node("zone", f"Route 53 {zone}\nDNSSEC, query logs", "dns", (aws, "edge")))
    acl = _one(doc, "aws_wafv2_web_acl")
    groups = [
        rule["name"].removeprefix("AWSManagedRules") for rule in acl["rule"] if "override_action" in rule
    ]
    model.add(Node("waf", f"WAF {acl['name']}\n" + "\n".join(groups), "waf", (aws, "edge")))
    model.add(Node("alb", f"ALB {_one(doc, 'aws_lb')['name']}\nHTTPS 443, TLS 1.3", "alb", (aws, "edge")))
    for source, target in ((INTERNET, "zone"), ("zone", "waf"), ("waf", "alb")):
        model.link(source, target)


def _network(model: Architecture, doc: dict[str, Any], vpc: tuple[str, ...]) -> None:
    subnets = _resources(doc, "aws_subnet")
    zone_of = {name: subnet["availability_zone"] for name, subnet in subnets.items()}
    for name, subnet in sorted(
        subnets.items(), key=lambda item: (item[1]["availability_zone"], item[1]["tags"]["Tier"])
    ):
        tier = subnet["tags"]["Tier"]
        model.add(
            Node(
                f"subnet:{name}",
                f"{tier} {subnet['cidr_block']}",
                f"subnet-{tier}",
                (*vpc, subnet["availability_zone"]),
            )
        )
    for name, nat in _resources(doc, "aws_nat_gateway").items():
        zone = zone_of[_ref(nat["subnet_id"])]
        model.add(Node(f"nat:{name}", "NAT gateway", "nat", (*vpc, zone)))
        model.link(f"nat:{name}", INTERNET, "egress")
    services = sorted(_endpoint_name(e["service_name"]) for e in _resources(doc, "aws_vpc_endpoint").values())
    if services:
        model.add(Node("endpoints", "VPC endpoints\n" + "\n".join(services), "endpoint", vpc))


def _cluster(model: Architecture, doc: dict[str, Any], vpc: tuple[str, ...]) -> None:
    cluster = _one(doc, "aws_eks_cluster")
    eks = (*vpc, f"EKS {cluster['name']} {cluster.get('version', '')}".strip())
    for group in _resources(doc, "aws_eks_node_group").values():
        size = group["scaling_config"]
        label = (
            f"{group['node_group_name']}: {', '.join(group['instance_types'])}\n"
            f"{group['capacity_type'].lower().replace('_', '-')} {size['min_size']}-{size['max_size']} nodes"
        )
        model.add(Node(f"nodes:{group['node_group_name']}", label, "node-group", eks))


def _stores(model: Architecture, doc: dict[str, Any], aws: str, vpc: tuple[str, ...]) -> None:
    data = (*vpc, "data (database subnets)")
    database = _one(doc, "aws_db_instance")
    model.add(Node("database", f"PostgreSQL {database['identifier']}\n{database['instance_class']}"
                   f"{', Multi-AZ' if database.get('multi_az') else ''}", "postgres", data))  # fmt: skip
    cache = _one(doc, "aws_elasticache_replication_group")
    shape = f"{cache['node_type']} x{cache['num_cache_clusters']}" if "node_type" in cache else "secondary"
    model.add(Node("cache", f"Redis {cache['replication_group_id']}\n{shape}", "redis", data))
    kafka = _one(doc, "aws_msk_cluster")
    brokers = f"{kafka['broker_node_group_info']['instance_type']} x{kafka['number_of_broker_nodes']}"
    model.add(Node("kafka", f"MSK {kafka['cluster_name']}\n{brokers}", "kafka", data))
    buckets = sorted(b["bucket"] for b in _resources(doc, "aws_s3_bucket").values())
    model.add(Node("buckets", "S3\n" + "\n".join(buckets), "s3", (aws, "regional services")))
    repositories = sorted(r["name"] for r in _resources(doc, "aws_ecr_repository").values())
    model.add(Node("registry", "ECR\n" + "\n".join(repositories), "ecr", (aws, "regional services")))


def _platform(
    model: Architecture, platform: dict[str, Any], apps: dict[str, Any], vpc: tuple[str, ...]
) -> None:
    releases = {r["name"] for doc in (platform, apps) for r in _resources(doc, "helm_release").values()}
    eks = next(node.group for node in model.nodes.values() if node.kind == "node-group")
    for part, names in PLATFORM_PARTS.items():
        present = [name for name in names if name in releases]
        if present:
            model.add(
                Node(
                    f"platform:{part}",
                    f"{part}\n" + "\n".join(present),
                    f"platform-{part}",
                    (*eks, "platform"),
                )
            )
    model.add(Node(GATEWAY, "Istio ingress gateway\nmTLS STRICT inside", "gateway", (*eks, "platform")))
    model.link("alb", GATEWAY, "HTTPS")


def _services(
    model: Architecture, foundation: dict[str, Any], apps: dict[str, Any], vpc: tuple[str, ...]
) -> None:
    eks = next(node.group for node in model.nodes.values() if node.kind == "node-group")
    deployments = sorted(d["metadata"]["name"] for d in _resources(apps, "kubernetes_deployment_v1").values())
    for name in deployments:
        model.add(Node(f"service:{name}", name, "service", (*eks, "services")))
    for manifest in (m["manifest"] for m in _resources(apps, "kubernetes_manifest").values()):
        if manifest["kind"] != "AuthorizationPolicy" or not manifest.get("spec", {}).get("rules"):
            continue
        target = f"service:{_namespace(apps, manifest['metadata']['namespace'])}"
        for principal in _principals(manifest["spec"]):
            namespace, account = PRINCIPAL.fullmatch(principal).groups()  # type: ignore[union-attr]
            source = GATEWAY if account == "istio-ingressgateway" else f"service:{namespace}"
            model.link(source, target, "mTLS")
    for name, policy in _resources(foundation, "aws_iam_role_policy").items():
        service = name.split("_service_role", 1)[0] if "_service_role" in name else None
        if service not in deployments:
            continue
        actions = [a for s in json.loads(policy["policy"])["Statement"] for a in _list(s["Action"])]
        for prefix, store in STORE_ACTIONS.items():
            if any(action.startswith(prefix) for action in actions):
                model.link(f"service:{service}", store, "IAM auth")


def _replication(model: Architecture, doc: dict[str, Any]) -> None:
    """A standby's copies of its primary: each drawn from an outside node in the primary's region."""
    links = {
        "aws_db_instance": ("database", "replicate_source_db", "read replica"),
        "aws_elasticache_global_replication_group": ("cache", None, "Global Datastore"),
        "aws_msk_replicator": ("kafka", None, "MSK Replicator"),
        "aws_s3_bucket_replication_configuration": ("buckets", None, "S3 replication (RTC)"),
        "aws_ecr_replication_configuration": ("registry", None, "ECR replication"),
    }
    for resource_type, (store, attribute, label) in links.items():
        found = [r for r in _resources(doc, resource_type).values() if attribute is None or r.get(attribute)]
        if not found:
            continue
        what = model.nodes[store].label.split()[0]  # PostgreSQL, Redis, MSK, S3, ECR
        model.add(Node(f"primary:{store}", f"primary's {what}", model.nodes[store].kind, ("primary region",)))
        model.link(f"primary:{store}", store, label)


def _namespace(doc: dict[str, Any], value: str) -> str:
    """A namespace name, or the name of the ``kubernetes_namespace_v1`` a token refers to."""
    if not value.startswith("${"):
        return value
    name: str = _resources(doc, "kubernetes_namespace_v1")[_ref(value)]["metadata"]["name"]
    return name


def _endpoint_name(service_name: str) -> str:
    """``com.amazonaws.<region>.ecr.api`` -> ``ecr.api``."""
    return service_name.split(".", 3)[3]


def _principals(spec: dict[str, Any]) -> Iterator[str]:
    for rule in spec["rules"]:
        for source in rule.get("from", []):
            yield from source["source"].get("principals", [])


def _stack(synth_dir: Path, stack: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((synth_dir / "stacks" / stack / "cdk.tf.json").read_text())
    return doc


def _resources(doc: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = doc.get("resource", {}).get(resource_type, {})
    return found


def _one(doc: dict[str, Any], resource_type: str) -> dict[str, Any]:
    (only,) = _resources(doc, resource_type).values()
    return only


def _region(doc: dict[str, Any]) -> str:
    region: str = next(p for p in doc["provider"]["aws"] if "alias" not in p)["region"]
    return region


def _ref(token: str) -> str:
    """The resource name in a ``${type.name.attribute}`` reference."""
    return token.removeprefix("${").split(".")[1]


def _list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value

"""The data path's hops past the pod's own egress policy: the mesh's way out (ServiceEntries under
REGISTRY_ONLY), the store's security group, and the store's own port and endpoint names."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

from tools.paths.edge_rules import in_cidrs
from tools.paths.model import Hop, hop
from tools.paths.view import EnvView, Ref


@dataclass(frozen=True, slots=True)
class Store:
    """A data store as its foundation resource says: the address, the port clients dial and the protocol
    they speak on it (PostgreSQL starts in plain text and upgrades, so TCP; Redis and MSK: TLS from the first
    byte, matched on SNI), the names they resolve (Refs to its endpoint attributes, or a DNS pattern), its
    subnets' CIDRs and security groups."""

    kind: str
    address: str
    port: int
    protocol: str
    hosts: tuple[Any, ...]
    cidrs: tuple[str, ...]
    groups: tuple[Ref, ...]
    evidence: str


def _subnets(view: EnvView, subnet_ids: list[Any]) -> tuple[str, ...]:
    cidrs = []
    for subnet in subnet_ids:
        resource = view.resource(subnet) if isinstance(subnet, Ref) else None
        if resource is not None:
            cidrs.append(str(resource["cidr_block"]))
    return tuple(cidrs)


def _group_subnets(view: EnvView, group: Any) -> tuple[str, ...]:
    """The CIDRs of a subnet group's subnets (an RDS or ElastiCache subnet group of the stack)."""
    resource = view.resource(group) if isinstance(group, Ref) else None
    return _subnets(view, view.resolve("foundation", resource["subnet_ids"]) if resource else [])


def _region(view: EnvView) -> str:
    providers = view.synth.stacks.get(view.stack("foundation"), {}).get("provider", {}).get("aws", [])
    return next(str(p["region"]) for p in providers if "alias" not in p)


def stores(view: EnvView) -> dict[str, Store]:
    """The environment's PostgreSQL, Redis and Kafka. PostgreSQL listens on the engine's default 5432 when
    no port is set; Redis on the replication group's port, with a primary and a reader endpoint; MSK with
    SASL/IAM on 9098 inside the VPC (Amazon MSK developer guide, "Port information")."""
    found: dict[str, Store] = {}
    for name, db in view.resources("foundation", "aws_db_instance").items():
        stack = view.stack("foundation")
        db = view.resolve("foundation", db)
        found["postgres"] = Store(
            "postgres",
            f"aws_db_instance.{name}",
            int(db.get("port") or 5432),
            "TCP",
            (Ref(stack, f"aws_db_instance.{name}", "address"),),
            _group_subnets(view, db.get("db_subnet_group_name")),
            tuple(g for g in db.get("vpc_security_group_ids", []) if isinstance(g, Ref)),
            f"aws_db_instance.{name} {db.get('engine')} :{db.get('port') or 5432}",
        )
    for name, cache in view.resources("foundation", "aws_elasticache_replication_group").items():
        stack = view.stack("foundation")
        cache = view.resolve("foundation", cache)
        address = f"aws_elasticache_replication_group.{name}"
        found["redis"] = Store(
            "redis",
            address,
            int(cache.get("port") or 6379),
            "TLS",
            (Ref(stack, address, "primary_endpoint_address"), Ref(stack, address, "reader_endpoint_address")),
            _group_subnets(view, cache.get("subnet_group_name")),
            tuple(g for g in cache.get("security_group_ids", []) if isinstance(g, Ref)),
            f"{address} :{cache.get('port')} primary and reader endpoints",
        )
    for name, cluster in view.resources("foundation", "aws_msk_cluster").items():
        cluster = view.resolve("foundation", cluster)
        info = cluster["broker_node_group_info"]
        iam = cluster.get("client_authentication", {}).get("sasl", {}).get("iam") is True
        found["kafka"] = Store(
            "kafka",
            f"aws_msk_cluster.{name}",
            9098 if iam else 9094,
            "TLS",
            (f"b-1.{cluster['cluster_name']}.abc123.c1.kafka.{_region(view)}.amazonaws.com",),
            _subnets(view, info["client_subnets"]),
            tuple(g for g in info.get("security_groups", []) if isinstance(g, Ref)),
            f"aws_msk_cluster.{name} brokers b-<n>.<cluster>.<id>.c<k>.kafka.{_region(view)}.amazonaws.com, "
            f"SASL/IAM {iam}",
        )
    return found


def outbound_mode(view: EnvView, namespace: str) -> str:
    """The namespace's Sidecar ``outboundTrafficPolicy``, else the mesh's (istiod's meshConfig; Istio's
    default ALLOW_ANY)."""
    for sidecar in view.kind("Sidecar", namespace):
        mode = sidecar.body["spec"].get("outboundTrafficPolicy", {}).get("mode")
        if mode:
            return str(mode)
    for release in view.release("istiod"):
        return str(
            release.values.get("meshConfig", {}).get("outboundTrafficPolicy", {}).get("mode", "ALLOW_ANY")
        )
    return "ALLOW_ANY"


def _host_matches(entry_host: Any, wanted: Any) -> bool:
    if isinstance(wanted, Ref) or isinstance(entry_host, Ref):
        return bool(entry_host == wanted)
    return fnmatch.fnmatchcase(str(wanted), str(entry_host))


def service_entry(view: EnvView, namespace: str, store: Store) -> Hop:
    """Under REGISTRY_ONLY a proxy forwards only to hosts it knows, so every name the client dials needs a
    ServiceEntry visible to the namespace (exported to it, in a namespace its Sidecar lists) on the store's
    port; a TCP entry with ``resolution: NONE`` matches on its ``addresses``, which must cover the store's
    subnets (Istio, "ServiceEntry" reference; REGISTRY_ONLY in "Accessing External Services")."""
    mode = outbound_mode(view, namespace)
    if mode == "ALLOW_ANY":
        return hop("service entry", True, f"{namespace}: outbound ALLOW_ANY, every host passes through")
    sidecar_namespaces = {
        entry.split("/", 1)[0]
        for sidecar in view.kind("Sidecar", namespace)
        for egress in sidecar.body["spec"].get("egress", [])
        for entry in egress.get("hosts", [])
    } or {"*"}
    visible = [
        e
        for e in view.kind("ServiceEntry")
        if ({"*", namespace} & set(e.body["spec"].get("exportTo", ["*"])) or e.namespace == namespace)
        and (
            {"*", e.namespace} & sidecar_namespaces
            or (e.namespace == namespace and "." in sidecar_namespaces)
        )
    ]
    missing = []
    used = set()
    for wanted in store.hosts:
        entry = next(
            (
                e
                for e in visible
                if any(_host_matches(h, wanted) for h in e.body["spec"]["hosts"])
                and any(
                    int(p["number"]) == store.port and p["protocol"] == store.protocol
                    for p in e.body["spec"]["ports"]
                )
            ),
            None,
        )
        if entry is None:
            missing.append(f"{wanted} ({store.protocol})")
            continue
        spec = entry.body["spec"]
        by_address = spec.get("resolution") == "NONE" and spec["ports"][0]["protocol"] == "TCP"
        addresses = list(spec.get("addresses", []))
        if by_address and addresses and not all(in_cidrs(cidr, addresses) for cidr in store.cidrs):
            missing.append(f"{wanted} (addresses {addresses} miss {list(store.cidrs)})")
            continue
        used.add(f"{entry} {spec.get('resolution')}")
    return hop(
        "service entry",
        not missing,
        f"{mode}: {sorted(used)}" + (f"; no entry for {missing} on {store.port}" if missing else ""),
    )


def node_groups(view: EnvView) -> set[Ref]:
    """The security groups pods carry: their node's, from the node groups' launch templates (the VPC CNI
    gives pods the node's groups when security groups for pods are off)."""
    return {
        g
        for template in view.resources("foundation", "aws_launch_template").values()
        for g in view.resolve("foundation", template.get("vpc_security_group_ids", []))
        if isinstance(g, Ref)
    }


def store_security_group(view: EnvView, store: Store) -> Hop:
    """A security group of the store admits a group the pods carry on the store's port."""
    pods = node_groups(view)
    for name, rule in view.resources("foundation", "aws_vpc_security_group_ingress_rule").items():
        rule = view.resolve("foundation", rule)
        source = rule.get("referenced_security_group_id")
        if (
            rule["security_group_id"] in store.groups
            and source in pods
            and rule.get("from_port", 0) <= store.port <= rule.get("to_port", -1)
        ):
            evidence = f"aws_vpc_security_group_ingress_rule.{name} :{store.port} from {source}"
            return hop("store security group", True, evidence)
    return hop(
        "store security group",
        False,
        f"no rule of {[str(g) for g in store.groups]} admits the pods' groups on {store.port}",
    )

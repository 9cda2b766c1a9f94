"""A service namespace's NetworkPolicies: deny everything, then allow exactly what the mesh and the spec need.

The Istio CNI redirects traffic inside the pod's network namespace, so the sidecar's own connections (to
istiod, to callees, to the data stores) leave with the pod's address and these policies bind them too. The
VPC CNI enforces them on the host side of the pod's interface, where the destination port is still the
original one (the callee's port, not the sidecar's 15006). Kubelet probes come from the node, which
NetworkPolicy always admits, so no rule covers them (Istio rewrites them to the agent's 15020).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final

from cdktf_cdktf_provider_kubernetes.network_policy_v1 import (
    NetworkPolicyV1,
    NetworkPolicyV1Metadata,
    NetworkPolicyV1Spec,
    NetworkPolicyV1SpecEgress,
    NetworkPolicyV1SpecEgressPorts,
    NetworkPolicyV1SpecEgressTo,
    NetworkPolicyV1SpecEgressToIpBlock,
    NetworkPolicyV1SpecEgressToNamespaceSelector,
    NetworkPolicyV1SpecEgressToPodSelector,
    NetworkPolicyV1SpecIngress,
    NetworkPolicyV1SpecIngressFrom,
    NetworkPolicyV1SpecIngressFromNamespaceSelector,
    NetworkPolicyV1SpecIngressFromPodSelector,
    NetworkPolicyV1SpecIngressPorts,
    NetworkPolicyV1SpecPodSelector,
)
from constructs import Construct

from marketplace_constructs.checked import checked
from marketplace_constructs.delivery.loadtester import NAMESPACE as LOAD_TESTER_NAMESPACE
from marketplace_constructs.delivery.loadtester import POD_LABELS as LOAD_TESTER_LABELS
from marketplace_constructs.errors import ConfigError, check_dns_label, check_range, is_known
from marketplace_constructs.mesh._render import GATEWAY_LABELS, ISTIOD_LABELS
from marketplace_constructs.observability.tracing import COLLECTOR_LABELS
from marketplace_constructs.workload.service_props import MicroserviceProps

DATA_STORE_PORTS: Final[Mapping[str, int]] = MappingProxyType(
    {"postgres": 5432, "redis": 6379, "kafka": 9098}  # kafka: MSK's IAM-authenticated TLS listener
)
NAMESPACE_LABEL: Final = "kubernetes.io/metadata.name"  # set by the API server on every namespace
DNS_NAMESPACE: Final = "kube-system"
DNS_LABELS: Final = {"k8s-app": "kube-dns"}  # CoreDNS pods of the EKS add-on
PROMETHEUS_LABELS: Final = {"app.kubernetes.io/name": "prometheus"}  # set by prometheus-operator
XDS_PORT: Final = 15012  # istiod's xDS and CA (mTLS, the proxy's istio-token); 15017 is the webhook's port
MERGED_METRICS_PORT: Final = 15020  # pilot-agent: Envoy's metrics plus the app's, outside the proxy
OTLP_PORTS: Final = (4317, 4318)  # gRPC, HTTP
HTTPS: Final = 443


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceNetwork:
    """What a service's NetworkPolicies open besides its callers and callees.

    Attributes:
        data_store_cidrs: The VPC's database subnets, where PostgreSQL, Redis and MSK answer. Required.
        data_store_ports: Port of each data store. Default: postgres 5432, redis 6379, kafka 9098 (IAM).
        ingress_namespace: The ingress gateway's namespace. Default: "istio-ingress".
        monitoring_namespace: Prometheus's and the trace collector's namespace. Default: "monitoring".
        mesh_namespace: istiod's namespace. Default: "istio-system".
        load_tester_namespace: The release analysis' load tester's namespace. Default: "loadtester".
    """

    data_store_cidrs: tuple[str, ...]
    data_store_ports: Mapping[str, int] = field(default_factory=lambda: DATA_STORE_PORTS)
    ingress_namespace: str = "istio-ingress"
    monitoring_namespace: str = "monitoring"
    mesh_namespace: str = "istio-system"
    load_tester_namespace: str = LOAD_TESTER_NAMESPACE

    def __post_init__(self) -> None:
        owner = "ServiceNetwork"
        if not self.data_store_cidrs:
            raise ConfigError(f"{owner}.data_store_cidrs must name at least one subnet")
        for cidr in self.data_store_cidrs:
            if not is_known(cidr):
                continue
            try:
                ipaddress.IPv4Network(cidr)
            except ValueError:
                raise ConfigError(
                    f"{owner}.data_store_cidrs must hold IPv4 CIDRs such as '10.0.192.0/22', got {cidr!r}"
                ) from None
        for store, port in self.data_store_ports.items():
            check_range(owner, f"data_store_ports[{store!r}]", port, 1, 65535)
        for name in ("ingress_namespace", "monitoring_namespace", "mesh_namespace", "load_tester_namespace"):
            check_dns_label(owner, name, getattr(self, name))


Ingress = list[tuple[list[NetworkPolicyV1SpecIngressFrom], list[NetworkPolicyV1SpecIngressPorts]]]
Egress = list[tuple[list[NetworkPolicyV1SpecEgressTo], list[NetworkPolicyV1SpecEgressPorts]]]


def from_pods(namespace: str, pods: Mapping[str, str] | None = None) -> NetworkPolicyV1SpecIngressFrom:
    """Ingress peer: the pods of ``namespace`` (those with labels ``pods``, or all)."""
    return NetworkPolicyV1SpecIngressFrom(
        namespace_selector=NetworkPolicyV1SpecIngressFromNamespaceSelector(
            match_labels={NAMESPACE_LABEL: namespace}
        ),
        pod_selector=NetworkPolicyV1SpecIngressFromPodSelector(match_labels=dict(pods)) if pods else None,
    )


def to_pods(namespace: str, pods: Mapping[str, str] | None = None) -> NetworkPolicyV1SpecEgressTo:
    """Egress peer: the pods of ``namespace`` (those with labels ``pods``, or all)."""
    return NetworkPolicyV1SpecEgressTo(
        namespace_selector=NetworkPolicyV1SpecEgressToNamespaceSelector(
            match_labels={NAMESPACE_LABEL: namespace}
        ),
        pod_selector=NetworkPolicyV1SpecEgressToPodSelector(match_labels=dict(pods)) if pods else None,
    )


def in_ports(*ports: int) -> list[NetworkPolicyV1SpecIngressPorts]:
    return [NetworkPolicyV1SpecIngressPorts(port=str(port), protocol="TCP") for port in ports]


def out_ports(*ports: int, protocols: tuple[str, ...] = ("TCP",)) -> list[NetworkPolicyV1SpecEgressPorts]:
    return [
        NetworkPolicyV1SpecEgressPorts(port=str(port), protocol=protocol)
        for port in ports
        for protocol in protocols
    ]


def mesh_egress(net: ServiceNetwork) -> Egress:
    """What every meshed pod's egress needs: DNS (kube-dns, UDP and TCP 53), istiod on 15012 (xDS and
    certificates) and the trace collector on 4317/4318 (its proxy's spans)."""
    return [
        ([to_pods(DNS_NAMESPACE, DNS_LABELS)], out_ports(53, protocols=("UDP", "TCP"))),
        ([to_pods(net.mesh_namespace, ISTIOD_LABELS)], out_ports(XDS_PORT)),
        ([to_pods(net.monitoring_namespace, COLLECTOR_LABELS)], out_ports(*OTLP_PORTS)),
    ]


def namespace_policy(
    scope: Construct,
    construct_id: str,
    *,
    name: str,
    namespace: str,
    ingress: Ingress | None = None,
    egress: Egress | None = None,
) -> NetworkPolicyV1:
    """A policy selecting every pod of ``namespace``; with neither rule list it denies both directions
    (a policy's types isolate the pods it selects, and policies only add allowances)."""
    types = (["Ingress"] if ingress is not None else []) + (["Egress"] if egress is not None else [])
    return NetworkPolicyV1(
        scope,
        construct_id,
        metadata=NetworkPolicyV1Metadata(name=name, namespace=namespace),
        spec=NetworkPolicyV1Spec(
            pod_selector=NetworkPolicyV1SpecPodSelector(),
            policy_types=types or ["Ingress", "Egress"],
            ingress=[NetworkPolicyV1SpecIngress(from_=peers, ports=ports) for peers, ports in ingress or []]
            or None,
            egress=[NetworkPolicyV1SpecEgress(to=peers, ports=ports) for peers, ports in egress or []]
            or None,
        ),
    )


class ServiceNetworkPolicies(Construct):
    """Default deny for every pod of ``namespace`` (the service's Deployment, and Flagger's ``-primary``
    copy), then one policy of ingress allowances and one of egress allowances, a rule per purpose:

    - ingress: the gateway's pods on ``props.port`` (services with public or operator routes); each declared
      caller's namespace on ``props.port``; the load tester's pod on ``props.port`` (release analysis);
      Prometheus on 15020 (merged metrics);
    - egress: DNS (kube-dns, UDP and TCP 53); istiod on 15012; the trace collector on 4317/4318; each
      callee (a spec listing this service among its callers) on its port; the database subnets on the ports
      of ``props.data_stores`` only; TCP 443 anywhere for the AWS APIs (STS for IRSA, Secrets Manager, S3):
      their addresses are not fixed, and the mesh's REGISTRY_ONLY ServiceEntries already limit which hosts
      the sidecar lets through.

    Three objects per namespace rather than one per purpose: each resource costs synthesis time, and the
    rules read the same.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: MicroserviceProps,
        namespace: str,
        callees: tuple[MicroserviceProps, ...],
        network: ServiceNetwork,
    ) -> None:
        super().__init__(scope, construct_id)
        net = network
        namespace_policy(self, "default_deny", name="default-deny", namespace=namespace)
        ingress: Ingress = [
            ([from_pods(net.monitoring_namespace, PROMETHEUS_LABELS)], in_ports(MERGED_METRICS_PORT)),
            ([from_pods(net.load_tester_namespace, LOAD_TESTER_LABELS)], in_ports(props.port)),
        ]
        if props.exposed:
            ingress.append(([from_pods(net.ingress_namespace, GATEWAY_LABELS)], in_ports(props.port)))
        if props.callers:
            ingress.append(([from_pods(caller) for caller in props.callers], in_ports(props.port)))
        anywhere = NetworkPolicyV1SpecEgressTo(ip_block=NetworkPolicyV1SpecEgressToIpBlock(cidr="0.0.0.0/0"))
        egress: Egress = [
            *mesh_egress(net),
            ([anywhere], out_ports(HTTPS)),
            *(([to_pods(callee.name)], out_ports(callee.port)) for callee in callees),
        ]
        if props.data_stores:
            subnets = [
                NetworkPolicyV1SpecEgressTo(ip_block=NetworkPolicyV1SpecEgressToIpBlock(cidr=cidr))
                for cidr in net.data_store_cidrs
            ]
            ports = out_ports(*(net.data_store_ports[store] for store in props.data_stores))
            egress.append((subnets, ports))
        namespace_policy(self, "allow_ingress", name="allow-ingress", namespace=namespace, ingress=ingress)
        namespace_policy(self, "allow_egress", name="allow-egress", namespace=namespace, egress=egress)

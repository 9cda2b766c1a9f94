"""MeshPolicies: the mesh-wide defaults as Istio custom resources, and the ServiceEntries that are the only
way out of the mesh under REGISTRY_ONLY."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from constructs import Construct

from marketplace_constructs.manifests import custom_resource
from marketplace_constructs.manifests.istio import (
    OutboundMode,
    allow_nothing,
    egress_sidecar,
    external_service,
    mesh_telemetry,
    strict_mtls,
)
from marketplace_constructs.mesh._render import TRACING_PROVIDER
from marketplace_constructs.mesh.props import MeshProps

ROOT_NAMESPACE: Final = "istio-system"  # Istio's root namespace: policies there apply mesh-wide
# AWS APIs the services call over HTTPS: STS (IRSA credentials), Secrets Manager, S3. RDS and ElastiCache IAM
# tokens are signed locally and MSK's IAM auth rides the Kafka connection, so they need no API.
AWS_APIS: Final = ("sts", "secretsmanager", "s3")


@dataclass(frozen=True, slots=True, kw_only=True)
class DataEndpoints:
    """Where the data stores answer: host names are tokens read from the foundation's outputs;
    ``database_cidrs`` are the database subnets, where every store's addresses lie."""

    database_host: str
    cache_host: str
    cache_reader_host: str
    database_cidrs: tuple[str, ...]
    region: str


class MeshPolicies(Construct):
    """Mesh-wide mTLS STRICT; a deny-all AuthorizationPolicy and an egress-limiting Sidecar in each service
    namespace; Telemetry with the environment's trace sampling and access logs; ServiceEntries for the data
    stores and the AWS APIs, exported to the whole mesh from the root namespace.

    A service namespace's proxies reach their own namespace, the root namespace's entries (the data
    stores, the AWS APIs), the trace collector, and the namespaces of the services it calls (``callees``,
    by label). Custom resources:
    create this in a layer deployed after ``IstioMesh``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: MeshProps,
        service_namespaces: dict[str, str],
        endpoints: DataEndpoints,
        callees: Mapping[str, tuple[str, ...]] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        custom_resource(self, "strict_mtls", strict_mtls(ROOT_NAMESPACE))
        custom_resource(
            self, "telemetry", mesh_telemetry(ROOT_NAMESPACE, TRACING_PROVIDER, props.trace_sampling_percent)
        )
        outbound: OutboundMode = "ALLOW_ANY" if props.allow_any_outbound else "REGISTRY_ONLY"
        # Own namespace, the root namespace's entries, and the trace collector (the proxies' spans and the
        # services' own OTLP go there; under REGISTRY_ONLY a host the Sidecar omits is unreachable).
        reachable = ("./*", f"{ROOT_NAMESPACE}/*", f"*/{props.collector_host}")
        for label, namespace in service_namespaces.items():
            called = tuple(f"{callee}/*" for callee in (callees or {}).get(label, ()))
            custom_resource(self, f"{label}_deny_all", allow_nothing(namespace))
            custom_resource(
                self, f"{label}_sidecar", egress_sidecar(namespace, (*reachable, *called), outbound)
            )
        region = endpoints.region
        api_hosts = [f"{api}.{region}.amazonaws.com" for api in AWS_APIS]
        entries = {
            # The database's addresses rather than its name: with resolution NONE the proxy forwards to the
            # address the application resolved, so after a Multi-AZ failover (RDS repoints the endpoint's
            # CNAME) the client's next lookup reaches the new primary, with no second DNS cache in Envoy
            # (refreshed on its own schedule) to expire first.
            # Plain TCP carries no name to match on, so the database subnets bound where it may go.
            "postgres": external_service(
                "postgres", ROOT_NAMESPACE, hosts=[endpoints.database_host], port=5432, protocol="TCP",
                resolution="NONE", addresses=list(endpoints.database_cidrs),
            ),
            # The primary endpoint for writes and the reader endpoint that spreads reads over the replicas:
            # under REGISTRY_ONLY a host missing here is black-holed.
            "redis": external_service(
                "redis", ROOT_NAMESPACE, hosts=[endpoints.cache_host, endpoints.cache_reader_host], port=6379,
                protocol="TLS", resolution="DNS",
            ),
            # Brokers are b-<n>.<cluster>.<id>.c<k>.kafka.<region>.amazonaws.com: matched on the TLS SNI.
            "kafka": external_service(
                "kafka", ROOT_NAMESPACE, hosts=[f"*.kafka.{region}.amazonaws.com"], port=9098,
                protocol="TLS", resolution="NONE",
            ),
            "aws_apis": external_service(
                "aws-apis", ROOT_NAMESPACE, hosts=[*api_hosts, f"*.s3.{region}.amazonaws.com"], port=443,
                protocol="TLS", resolution="NONE",
            ),
        }  # fmt: skip
        for label, body in entries.items():
            custom_resource(self, f"{label}_entry", body)

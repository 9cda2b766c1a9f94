"""LoadTesterAccess: what the load tester may reach (each service's port, nothing else) and who may reach it
(Flagger's pod alone), in the apps layer, which knows the services."""

from __future__ import annotations

from constructs import Construct

from marketplace_constructs.delivery.flagger import FLAGGER_NAMESPACE
from marketplace_constructs.delivery.loadtester import FLAGGER_POD_LABELS, NAMESPACE, WEBHOOK_PORT
from marketplace_constructs.manifests import custom_resource
from marketplace_constructs.manifests.istio import OutboundMode, allow_nothing, egress_sidecar
from marketplace_constructs.workload.network_policies import (
    ServiceNetwork,
    from_pods,
    in_ports,
    mesh_egress,
    namespace_policy,
    out_ports,
    to_pods,
)
from marketplace_constructs.workload.service_props import MicroserviceProps


class LoadTesterAccess(Construct):
    """In the load tester's namespace: NetworkPolicies (default deny; in, Flagger's pod on the webhook port;
    out, DNS, istiod, the trace collector and each service's namespace on that service's port), a Sidecar
    whose proxy learns only the services' namespaces and the collector, and a deny-all AuthorizationPolicy
    (nothing in the mesh calls the load tester). Each service admits the load tester's identity on its
    declared path only (``Microservice``)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        specs: tuple[MicroserviceProps, ...],
        network: ServiceNetwork,
        outbound: OutboundMode,
        collector_host: str,
    ) -> None:
        super().__init__(scope, construct_id)
        namespace_policy(self, "default_deny", name="default-deny", namespace=NAMESPACE)
        namespace_policy(
            self, "allow_ingress", name="allow-ingress", namespace=NAMESPACE,
            ingress=[([from_pods(FLAGGER_NAMESPACE, FLAGGER_POD_LABELS)], in_ports(WEBHOOK_PORT))],
        )  # fmt: skip
        namespace_policy(
            self, "allow_egress", name="allow-egress", namespace=NAMESPACE,
            egress=[
                *mesh_egress(network),
                *(([to_pods(spec.name)], out_ports(spec.port)) for spec in specs),
            ],
        )  # fmt: skip
        hosts = (*(f"{spec.name}/*" for spec in specs), f"*/{collector_host}")
        custom_resource(self, "sidecar", egress_sidecar(NAMESPACE, hosts, outbound))
        custom_resource(self, "deny_all", allow_nothing(NAMESPACE))

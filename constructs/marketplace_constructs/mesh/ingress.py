"""IngressBinding: the cluster side of the internet edge: the gateway's certificate, the Istio Gateway and the
binding of the gateway's pods to the ALB's target group."""

from __future__ import annotations

from typing import Final

from constructs import Construct

from marketplace_constructs.edge.edge import GATEWAY_HTTPS_PORT, EdgeRef
from marketplace_constructs.manifests import custom_resource
from marketplace_constructs.manifests.authorization import deny_other_hosts
from marketplace_constructs.manifests.certificates import certificate
from marketplace_constructs.manifests.elbv2 import target_group_binding
from marketplace_constructs.manifests.istio import https_gateway
from marketplace_constructs.mesh._render import GATEWAY_LABELS

GATEWAY_SERVICE: Final = "istio-ingressgateway"  # the gateway release's name, so its Service's
CREDENTIAL: Final = "edge-tls"


class IngressBinding(Construct):
    """In ``namespace`` (the gateway's): a cert-manager Certificate for the edge's names (``edge.hosts`` and
    ``edge.operator_hosts``) from ClusterIssuer ``issuer`` (the private CA: the ALB does not check a target's
    certificate, but the hop stays encrypted); the Gateway ``edge`` on 443 with TLS 1.3 minimum; an
    AuthorizationPolicy ``edge-hosts-only`` that refuses any Host but the edge's names; and a
    TargetGroupBinding that keeps the gateway's pod IPs registered in the ALB's target group.

    The Gateway's server lists ``<namespace>/*`` for each of ``route_namespaces`` (the services with routes)
    rather than the names: the ALB opens its TLS connection to a target without SNI, and Istio matches a
    server listing host names on SNI, so a ClientHello without it finds no filter chain and is reset
    (istio/istio#31421; Istio's "Configuring SNI routing when not sending SNI"). A bare ``*`` host turns SNI
    matching off; the namespace part still limits which VirtualServices may bind to the gateway. Routing by
    name happens in those VirtualServices, on the request's ``:authority``.

    Custom resources: create this in a layer deployed after cert-manager, Istio and the AWS Load Balancer
    Controller.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        edge: EdgeRef,
        issuer: str,
        namespace: str,
        route_namespaces: tuple[str, ...],
    ) -> None:
        super().__init__(scope, construct_id)
        served = certificate(
            CREDENTIAL, namespace, secret_name=CREDENTIAL, issuer=issuer,
            dns_names=(*edge.hosts, *edge.operator_hosts),
        )  # fmt: skip
        custom_resource(self, "certificate", served)
        gateway = https_gateway(
            "edge", namespace, selector=GATEWAY_LABELS,
            hosts=[f"{route_namespace}/*" for route_namespace in route_namespaces], credential=CREDENTIAL,
        )  # fmt: skip
        custom_resource(self, "gateway", gateway)
        # Flagger adds each service's own name to its VirtualService's hosts, which the "*" server would then
        # route from the internet too; only the edge's names may pass (WAF's rules match on them).
        names = [*edge.hosts, *edge.operator_hosts]
        custom_resource(
            self, "edge_hosts_only",
            deny_other_hosts("edge-hosts-only", namespace, selector=GATEWAY_LABELS, hosts=names),
        )  # fmt: skip
        custom_resource(
            self, "target_group_binding",
            target_group_binding(
                GATEWAY_SERVICE, namespace, service=GATEWAY_SERVICE, port=GATEWAY_HTTPS_PORT,
                target_group_arn=edge.target_group_arn,
            ),
        )  # fmt: skip

"""IngressBinding: the cluster side of the internet edge: the gateway's certificate, the Istio Gateway and the
binding of the gateway's pods to the ALB's target group."""

from __future__ import annotations

from typing import Final

from constructs import Construct

from marketplace_constructs.edge.edge import GATEWAY_HTTPS_PORT, EdgeRef
from marketplace_constructs.manifests import custom_resource
from marketplace_constructs.manifests.certificates import certificate
from marketplace_constructs.manifests.elbv2 import target_group_binding
from marketplace_constructs.manifests.istio import https_gateway
from marketplace_constructs.mesh._render import GATEWAY_LABELS

GATEWAY_SERVICE: Final = "istio-ingressgateway"  # the gateway release's name, so its Service's
CREDENTIAL: Final = "edge-tls"


class IngressBinding(Construct):
    """In ``namespace`` (the gateway's): a cert-manager Certificate for ``edge.hosts`` from ClusterIssuer
    ``issuer`` (the private CA: the ALB does not check a target's certificate, but the hop stays encrypted);
    the Gateway ``edge`` serving those names on 443 with TLS 1.3 minimum; and a TargetGroupBinding that keeps
    the gateway's pod IPs registered in the ALB's target group.

    Custom resources: create this in a layer deployed after cert-manager, Istio and the AWS Load Balancer
    Controller.
    """

    def __init__(
        self, scope: Construct, construct_id: str, *, edge: EdgeRef, issuer: str, namespace: str
    ) -> None:
        super().__init__(scope, construct_id)
        served = certificate(
            CREDENTIAL, namespace, secret_name=CREDENTIAL, issuer=issuer, dns_names=edge.hosts
        )
        custom_resource(self, "certificate", served)
        gateway = https_gateway(
            "edge", namespace, selector=GATEWAY_LABELS, hosts=list(edge.hosts), credential=CREDENTIAL
        )
        custom_resource(self, "gateway", gateway)
        custom_resource(
            self, "target_group_binding",
            target_group_binding(
                GATEWAY_SERVICE, namespace, service=GATEWAY_SERVICE, port=GATEWAY_HTTPS_PORT,
                target_group_arn=edge.target_group_arn,
            ),
        )  # fmt: skip

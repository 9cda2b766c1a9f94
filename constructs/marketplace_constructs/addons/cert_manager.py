"""CertManager: cert-manager with its CRDs, highly available, for the certificates inside the cluster."""

from __future__ import annotations

from cdktf_cdktf_provider_helm.release import Release
from constructs import Construct

from marketplace_constructs.helm import HelmChart, helm_release
from marketplace_constructs.manifests import custom_resource
from marketplace_constructs.manifests.certificates import ca_issuer, certificate, self_signed_issuer

REPLICAS = 2  # controller, webhook and CA injector each: one survives a node drain (PDB) or a node loss


def cert_manager_values() -> dict[str, object]:
    """CRDs installed and kept on uninstall (deleting them would delete every Certificate); two replicas of
    each component with a PodDisruptionBudget; requests and limits (the start-up check Job's too)."""
    resources = {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}
    component = {"replicaCount": REPLICAS, "podDisruptionBudget": {"enabled": True}, "resources": resources}
    return {
        "crds": {"enabled": True, "keep": True},
        **component,
        "webhook": component,
        "cainjector": component,
        "startupapicheck": {"resources": resources},  # the install-time Job that waits for the webhook
    }


class CertManager(Construct):
    """The ``cert-manager`` release in ``namespace``; issuers and certificates wait for ``release``."""

    def __init__(self, scope: Construct, construct_id: str, *, chart: HelmChart, namespace: str) -> None:
        super().__init__(scope, construct_id)
        self.release: Release = helm_release(
            self, "release", chart=chart, namespace=namespace, values=cert_manager_values()
        )


class PrivateCertificateAuthority(Construct):
    """The environment's private CA for TLS inside the platform (the ALB to the gateway, webhooks): a
    self-signed bootstrap issuer mints a 10-year ECDSA root in ``namespace`` (cert-manager's own, where a
    ClusterIssuer looks for its Secret), and ClusterIssuer ``issuer_name`` signs with it.

    Custom resources: create it in a layer deployed after ``CertManager``.
    """

    def __init__(self, scope: Construct, construct_id: str, *, name: str, namespace: str) -> None:
        super().__init__(scope, construct_id)
        bootstrap = f"{name}-selfsigned"
        self.issuer_name = f"{name}-ca"
        secret = f"{name}-root-ca"
        first = custom_resource(self, "bootstrap_issuer", self_signed_issuer(bootstrap))
        root = custom_resource(
            self, "root_certificate",
            certificate(
                secret, namespace, secret_name=secret, issuer=bootstrap,
                common_name=f"{name} private root CA", is_ca=True, duration="87600h0m0s",
                renew_before="8760h0m0s",
            ),
        )  # fmt: skip
        root.node.add_dependency(first)
        issuer = custom_resource(self, "issuer", ca_issuer(self.issuer_name, secret))
        issuer.node.add_dependency(root)

"""<env>-platform: in-cluster platform layer (Istio, observability and their CRDs arrive in later issues)."""

from __future__ import annotations

from typing import Final

from cdktf import TerraformStack
from constructs import Construct

from environments.base import EnvironmentConfig
from marketplace_constructs import ClusterRef, Namespace, NamespaceProps
from stacks.backend import configure_backend
from stacks.cluster_access import helm_provider, kubernetes_provider

# Platform namespaces. Node exporters and log shippers read host paths, so monitoring runs "privileged";
# the mesh control plane and gateways stay "baseline" and out of the mesh they manage.
PLATFORM_NAMESPACES: Final = (
    NamespaceProps(name="istio-system", allow_pod_security="baseline", mesh_injection=False),
    NamespaceProps(name="istio-ingress", allow_pod_security="baseline", mesh_injection=False),
    NamespaceProps(name="monitoring", allow_pod_security="privileged", mesh_injection=False),
)


class PlatformStack(TerraformStack):
    """Kubernetes and Helm providers built from the foundation's ClusterRef (remote state, known at plan)."""

    def __init__(
        self, scope: Construct, stack_id: str, *, env: EnvironmentConfig, cluster: ClusterRef
    ) -> None:
        super().__init__(scope, stack_id)
        configure_backend(self, env, stack_id)
        kubernetes_provider(self, cluster)
        helm_provider(self, cluster)
        self.namespaces = {
            props.name: Namespace(self, props.name.replace("-", "_"), props=props)
            for props in PLATFORM_NAMESPACES
        }

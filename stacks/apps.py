"""<env>-apps: the marketplace services, one namespace each (workloads arrive in the services issue)."""

from __future__ import annotations

from cdktf import TerraformStack
from constructs import Construct

from environments.base import EnvironmentConfig
from marketplace_constructs import ClusterRef, Namespace, NamespaceProps
from stacks.backend import configure_backend
from stacks.cluster_access import kubernetes_provider


class AppsStack(TerraformStack):
    """Deployed after the platform stack, whose CRDs its custom resources will need."""

    def __init__(
        self,
        scope: Construct,
        stack_id: str,
        *,
        env: EnvironmentConfig,
        cluster: ClusterRef,
        services: tuple[NamespaceProps, ...],
    ) -> None:
        super().__init__(scope, stack_id)
        configure_backend(self, env, stack_id)
        kubernetes_provider(self, cluster)
        self.namespaces = {props.name: Namespace(self, props.name, props=props) for props in services}

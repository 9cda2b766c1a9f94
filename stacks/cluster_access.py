"""Kubernetes and Helm providers configured from a ClusterRef, authenticated with ``aws eks get-token``."""

from __future__ import annotations

from typing import Final

from cdktf import Fn, TerraformStack
from cdktf_cdktf_provider_helm.provider import (
    HelmProvider,
    HelmProviderKubernetes,
    HelmProviderKubernetesExec,
)
from cdktf_cdktf_provider_kubernetes.provider import KubernetesProvider, KubernetesProviderExec

from marketplace_constructs import ClusterRef

EXEC_API_VERSION: Final = "client.authentication.k8s.io/v1beta1"


def _token_args(cluster: ClusterRef) -> list[str]:
    # A short-lived token per Terraform run, from the caller's AWS credentials; nothing is stored in state.
    return [
        "eks",
        "get-token",
        "--cluster-name",
        cluster.name,
        "--region",
        cluster.region,
        "--output",
        "json",
    ]


def kubernetes_provider(stack: TerraformStack, cluster: ClusterRef) -> KubernetesProvider:
    """The kubernetes provider for ``cluster``; endpoint and CA are known at plan time (remote state)."""
    return KubernetesProvider(
        stack,
        "kubernetes",
        host=cluster.endpoint,
        cluster_ca_certificate=Fn.base64decode(cluster.certificate_authority_data),
        exec=[KubernetesProviderExec(api_version=EXEC_API_VERSION, command="aws", args=_token_args(cluster))],
    )


def helm_provider(stack: TerraformStack, cluster: ClusterRef) -> HelmProvider:
    """The helm provider for ``cluster``, same authentication as kubernetes_provider."""
    return HelmProvider(
        stack,
        "helm",
        kubernetes=HelmProviderKubernetes(
            host=cluster.endpoint,
            cluster_ca_certificate=Fn.base64decode(cluster.certificate_authority_data),
            exec=HelmProviderKubernetesExec(
                api_version=EXEC_API_VERSION, command="aws", args=_token_args(cluster)
            ),
        ),
    )

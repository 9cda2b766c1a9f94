"""Namespace: a Kubernetes namespace that enforces a Pod Security Standard and opts into the Istio mesh."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

from cdktf_cdktf_provider_kubernetes.namespace_v1 import NamespaceV1, NamespaceV1Metadata
from constructs import Construct

from marketplace_constructs.errors import check_dns_label, check_one_of
from marketplace_constructs.naming import PROJECT

PodSecurityLevel = Literal["restricted", "baseline", "privileged"]
PSA_VERSION: Final = "latest"


@dataclass(frozen=True, slots=True, kw_only=True)
class NamespaceProps:
    """One namespace.

    Attributes:
        name: DNS-1123 label. Changing it replaces the namespace and everything in it. Required.
        allow_pod_security: Pod Security Standard enforced on admission. "baseline" admits host ports and
            default capabilities, "privileged" anything (host namespaces and paths); audit and warn stay at
            "restricted" so every weakening remains visible. Default: "restricted".
        mesh_injection: Label the namespace for Istio sidecar injection. Default: True.
    """

    name: str
    allow_pod_security: PodSecurityLevel = "restricted"
    mesh_injection: bool = True

    def __post_init__(self) -> None:
        check_dns_label("NamespaceProps", "name", self.name)
        check_one_of(
            "NamespaceProps", "allow_pod_security", self.allow_pod_security, get_args(PodSecurityLevel)
        )


class Namespace(Construct):
    """The namespace; ``name`` is its token, so resources placed in it wait for it."""

    def __init__(self, scope: Construct, construct_id: str, *, props: NamespaceProps) -> None:
        super().__init__(scope, construct_id)
        labels = {
            "app.kubernetes.io/part-of": PROJECT,
            "app.kubernetes.io/managed-by": "terraform",
            "pod-security.kubernetes.io/enforce": props.allow_pod_security,
            "pod-security.kubernetes.io/enforce-version": PSA_VERSION,
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
        }
        if props.mesh_injection:
            labels["istio-injection"] = "enabled"
        namespace = NamespaceV1(
            self, "namespace", metadata=NamespaceV1Metadata(name=props.name, labels=labels)
        )
        self.name: str = namespace.metadata.name

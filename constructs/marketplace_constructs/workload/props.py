"""NamespaceProps: one namespace's Pod Security level and mesh membership (no provider imports)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import check_dns_label, check_one_of

PodSecurityLevel = Literal["restricted", "baseline", "privileged"]


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class NamespaceProps:
    """One namespace.

    Attributes:
        name: DNS-1123 label. Changing it replaces the namespace and everything in it. Required.
        allow_pod_security: Pod Security Standard enforced on admission. "baseline" admits host ports and
            default capabilities, "privileged" anything (host namespaces and paths); audit and warn stay at
            "restricted" so every weakening remains visible. Default: "restricted".
        mesh_injection: Label the namespace for Istio sidecar injection. Default: True.
        load_balancer_readiness_gate: Label the namespace for the AWS Load Balancer Controller's readiness
            gate: a new pod registered in a target group (IP targets) counts as ready only once the load
            balancer reports it healthy, so a rollout never removes old pods before new ones take traffic.
            The gate is added when a pod is created. Default: False.
    """

    name: str
    allow_pod_security: PodSecurityLevel = "restricted"
    mesh_injection: bool = True
    load_balancer_readiness_gate: bool = False

    def __post_init__(self) -> None:
        check_dns_label("NamespaceProps", "name", self.name)
        check_one_of(
            "NamespaceProps", "allow_pod_security", self.allow_pod_security, get_args(PodSecurityLevel)
        )

"""Namespace: a Kubernetes namespace that enforces a Pod Security Standard and opts into the Istio mesh."""

from __future__ import annotations

from typing import Final

from cdktf_cdktf_provider_kubernetes.namespace_v1 import NamespaceV1, NamespaceV1Metadata
from constructs import Construct

from marketplace_constructs.naming import PROJECT
from marketplace_constructs.workload.props import NamespaceProps

PSA_VERSION: Final = "latest"
# The AWS Load Balancer Controller's pod webhook injects target-health readiness gates in namespaces with
# this label (docs/deploy/pod_readiness_gate.md, controller v2.14).
READINESS_GATE_LABEL: Final = "elbv2.k8s.aws/pod-readiness-gate-inject"


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
        if props.load_balancer_readiness_gate:
            labels[READINESS_GATE_LABEL] = "enabled"
        namespace = NamespaceV1(
            self, "namespace", metadata=NamespaceV1Metadata(name=props.name, labels=labels)
        )
        self.name: str = namespace.metadata.name

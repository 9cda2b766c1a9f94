"""Pinned Helm charts of the platform layer (upgrade on purpose: a chart bump is a change to review)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class Chart:
    repository: str
    name: str
    version: str


METRICS_SERVER: Final = Chart("https://kubernetes-sigs.github.io/metrics-server/", "metrics-server", "3.13.0")
CLUSTER_AUTOSCALER: Final = Chart("https://kubernetes.github.io/autoscaler", "cluster-autoscaler", "9.54.0")
AWS_LOAD_BALANCER_CONTROLLER: Final = Chart(
    "https://aws.github.io/eks-charts", "aws-load-balancer-controller", "1.14.0"
)

# The autoscaler's minor must match the cluster's (its scheduler simulation is built from that Kubernetes).
CLUSTER_AUTOSCALER_IMAGE: Final = {"1.34": "v1.34.0", "1.35": "v1.35.0", "1.36": "v1.36.0"}

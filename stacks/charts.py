"""Pinned Helm charts of the platform layer. Upgrade on purpose: a chart bump is a change to review, and the
new version's defaults go into policy/charts/ in the same change."""

from __future__ import annotations

from typing import Final

from marketplace_constructs import HelmChart, IstioCharts

METRICS_SERVER: Final = HelmChart(
    "https://kubernetes-sigs.github.io/metrics-server/", "metrics-server", "3.13.0"
)
CLUSTER_AUTOSCALER: Final = HelmChart(
    "https://kubernetes.github.io/autoscaler", "cluster-autoscaler", "9.54.0"
)
AWS_LOAD_BALANCER_CONTROLLER: Final = HelmChart(
    "https://aws.github.io/eks-charts", "aws-load-balancer-controller", "1.14.0"
)
KUBE_PROMETHEUS_STACK: Final = HelmChart(
    "https://prometheus-community.github.io/helm-charts", "kube-prometheus-stack", "88.5.3"
)
CERT_MANAGER: Final = HelmChart("https://charts.jetstack.io", "cert-manager", "v1.21.1")
EXTERNAL_SECRETS: Final = HelmChart("https://charts.external-secrets.io", "external-secrets", "2.9.0")
ISTIO_REPOSITORY: Final = "https://istio-release.storage.googleapis.com/charts"
ISTIO_VERSION: Final = "1.30.3"
ISTIO: Final = IstioCharts(
    base=HelmChart(ISTIO_REPOSITORY, "base", ISTIO_VERSION),
    istiod=HelmChart(ISTIO_REPOSITORY, "istiod", ISTIO_VERSION),
    cni=HelmChart(ISTIO_REPOSITORY, "cni", ISTIO_VERSION),
    gateway=HelmChart(ISTIO_REPOSITORY, "gateway", ISTIO_VERSION),
)

# The autoscaler's minor must match the cluster's (its scheduler simulation is built from that Kubernetes).
CLUSTER_AUTOSCALER_IMAGE: Final = {"1.34": "v1.34.0", "1.35": "v1.35.0", "1.36": "v1.36.0"}

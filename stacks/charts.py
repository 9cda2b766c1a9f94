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
GRAFANA_COMMUNITY: Final = "https://grafana-community.github.io/helm-charts"
PROMETHEUS_COMMUNITY: Final = "https://prometheus-community.github.io/helm-charts"
KUBE_PROMETHEUS_STACK: Final = HelmChart(PROMETHEUS_COMMUNITY, "kube-prometheus-stack", "88.5.3")
GRAFANA: Final = HelmChart(GRAFANA_COMMUNITY, "grafana", "12.11.1")  # the version kube-prometheus-stack pins
LOKI: Final = HelmChart(GRAFANA_COMMUNITY, "loki", "18.11.0")  # the OSS chart's home since 2026-03
ALLOY: Final = HelmChart("https://grafana.github.io/helm-charts", "alloy", "1.11.1")
JAEGER: Final = HelmChart("https://jaegertracing.github.io/helm-charts", "jaeger", "4.11.1")
OPENTELEMETRY_COLLECTOR: Final = HelmChart(
    "https://open-telemetry.github.io/opentelemetry-helm-charts", "opentelemetry-collector", "0.170.0"
)
ECK_OPERATOR: Final = HelmChart("https://helm.elastic.co", "eck-operator", "3.5.0")
POSTGRES_EXPORTER: Final = HelmChart(PROMETHEUS_COMMUNITY, "prometheus-postgres-exporter", "8.2.0")
REDIS_EXPORTER: Final = HelmChart(PROMETHEUS_COMMUNITY, "prometheus-redis-exporter", "6.29.0")
ELASTICSEARCH_EXPORTER: Final = HelmChart(PROMETHEUS_COMMUNITY, "prometheus-elasticsearch-exporter", "7.4.0")
FLAGGER: Final = HelmChart("https://flagger.app", "flagger", "1.44.0")
LOADTESTER: Final = HelmChart("https://flagger.app", "loadtester", "0.38.0")  # Flagger 1.44.0's own
CERT_MANAGER: Final = HelmChart("https://charts.jetstack.io", "cert-manager", "v1.21.1")
EXTERNAL_SECRETS: Final = HelmChart("https://charts.external-secrets.io", "external-secrets", "2.9.0")
VELERO: Final = HelmChart("https://vmware-tanzu.github.io/helm-charts", "velero", "12.1.0")
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

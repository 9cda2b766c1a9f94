"""Pinned Helm charts of the platform and apps layers. Each version is the chart's one vendored copy in
charts/ (charts/vendor.yaml): upgrading a chart is vendoring its new release (bin/dev vendor-chart), then
rendering and reviewing what changes (docs/charts.md, "Upgrading a chart")."""

from __future__ import annotations

from typing import Final

from marketplace_constructs import HelmChart, IstioCharts
from tools.charts.vendor import pinned_version as pinned

METRICS_SERVER: Final = HelmChart(
    "https://kubernetes-sigs.github.io/metrics-server/", "metrics-server", pinned("metrics-server")
)
CLUSTER_AUTOSCALER: Final = HelmChart(
    "https://kubernetes.github.io/autoscaler", "cluster-autoscaler", pinned("cluster-autoscaler")
)
AWS_LOAD_BALANCER_CONTROLLER: Final = HelmChart(
    "https://aws.github.io/eks-charts", "aws-load-balancer-controller", pinned("aws-load-balancer-controller")
)
GRAFANA_COMMUNITY: Final = "https://grafana-community.github.io/helm-charts"
PROMETHEUS_COMMUNITY: Final = "https://prometheus-community.github.io/helm-charts"
KUBE_PROMETHEUS_STACK: Final = HelmChart(
    PROMETHEUS_COMMUNITY, "kube-prometheus-stack", pinned("kube-prometheus-stack")
)
# The version kube-prometheus-stack pins for its subchart (one vendored copy serves both).
GRAFANA: Final = HelmChart(GRAFANA_COMMUNITY, "grafana", pinned("grafana"))
LOKI: Final = HelmChart(GRAFANA_COMMUNITY, "loki", pinned("loki"))  # the OSS chart's home since 2026-03
ALLOY: Final = HelmChart("https://grafana.github.io/helm-charts", "alloy", pinned("alloy"))
JAEGER: Final = HelmChart("https://jaegertracing.github.io/helm-charts", "jaeger", pinned("jaeger"))
OPENTELEMETRY_COLLECTOR: Final = HelmChart(
    "https://open-telemetry.github.io/opentelemetry-helm-charts",
    "opentelemetry-collector",
    pinned("opentelemetry-collector"),
)
ECK_OPERATOR: Final = HelmChart("https://helm.elastic.co", "eck-operator", pinned("eck-operator"))
POSTGRES_EXPORTER: Final = HelmChart(
    PROMETHEUS_COMMUNITY, "prometheus-postgres-exporter", pinned("prometheus-postgres-exporter")
)
REDIS_EXPORTER: Final = HelmChart(
    PROMETHEUS_COMMUNITY, "prometheus-redis-exporter", pinned("prometheus-redis-exporter")
)
ELASTICSEARCH_EXPORTER: Final = HelmChart(
    PROMETHEUS_COMMUNITY, "prometheus-elasticsearch-exporter", pinned("prometheus-elasticsearch-exporter")
)
FLAGGER: Final = HelmChart("https://flagger.app", "flagger", pinned("flagger"))
LOADTESTER: Final = HelmChart("https://flagger.app", "loadtester", pinned("loadtester"))  # Flagger's own
CERT_MANAGER: Final = HelmChart("https://charts.jetstack.io", "cert-manager", pinned("cert-manager"))
EXTERNAL_SECRETS: Final = HelmChart(
    "https://charts.external-secrets.io", "external-secrets", pinned("external-secrets")
)
VELERO: Final = HelmChart("https://vmware-tanzu.github.io/helm-charts", "velero", pinned("velero"))
ISTIO_REPOSITORY: Final = "https://istio-release.storage.googleapis.com/charts"
ISTIO_VERSION: Final = pinned("istiod")  # Istio releases its four charts together
ISTIO: Final = IstioCharts(
    base=HelmChart(ISTIO_REPOSITORY, "base", pinned("base")),
    istiod=HelmChart(ISTIO_REPOSITORY, "istiod", ISTIO_VERSION),
    cni=HelmChart(ISTIO_REPOSITORY, "cni", pinned("cni")),
    gateway=HelmChart(ISTIO_REPOSITORY, "gateway", pinned("gateway")),
)

# The autoscaler's minor must match the cluster's (its scheduler simulation is built from that Kubernetes).
CLUSTER_AUTOSCALER_IMAGE: Final = {"1.34": "v1.34.0", "1.35": "v1.35.0", "1.36": "v1.36.0"}

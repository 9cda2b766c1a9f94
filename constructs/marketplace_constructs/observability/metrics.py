"""Monitoring: kube-prometheus-stack (Prometheus, Alertmanager, node-exporter, kube-state-metrics and the
prometheus-operator with its CRDs), sized by MonitoringProps, alerting through the generated configuration."""

from __future__ import annotations

from typing import Any, Final

from constructs import Construct

from marketplace_constructs.helm import HelmChart, helm_release
from marketplace_constructs.mesh._render import zone_spread
from marketplace_constructs.observability.alertmanager import RECEIVER_DIR, alertmanager_config
from marketplace_constructs.observability.dashboards import KUBE_STATE_METRICS_LABELS_ALLOWLIST
from marketplace_constructs.observability.exporters import MonitoredStores, msk_scrape_configs
from marketplace_constructs.observability.props import MonitoringProps
from marketplace_constructs.security.contexts import RESTRICTED_CONTAINER

RECEIVERS_SECRET: Final = "alerting-receivers"  # filled by External Secrets in the next layer
STORAGE_CLASS: Final = "gp3-encrypted"  # the platform layer's default, KMS-encrypted


def _volume(size_gi: int) -> dict[str, Any]:
    return {
        "volumeClaimTemplate": {
            "spec": {
                "storageClassName": STORAGE_CLASS,
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": f"{size_gi}Gi"}},
            }
        }
    }


def _placement(replicas: int, name: str) -> dict[str, Any]:
    """Replicas on distinct nodes (hard anti-affinity) and spread over zones, when there are several."""
    if replicas < 2:
        return {}
    return {
        "podAntiAffinity": "hard",
        "topologySpreadConstraints": zone_spread({"app.kubernetes.io/name": name}),
    }


EKS_UNSCRAPED: Final = ("kubeControllerManager", "kubeScheduler", "kubeEtcd", "kubeProxy")


def stack_values(props: MonitoringProps, scrape_configs: list[dict[str, Any]]) -> dict[str, Any]:
    """The chart's value tree. Prometheus selects ServiceMonitors, PodMonitors, Probes and PrometheusRules
    from every namespace (not only the chart's own) and runs ``scrape_configs`` (targets outside the
    cluster); Grafana is a release of its own in the next layer, where its admin Secret is made."""
    prometheus_ha = props.prometheus_replicas > 1
    alertmanager_ha = props.alertmanager_replicas > 1
    return {
        "grafana": {"enabled": False},
        # EKS runs the control plane outside the cluster (no scheduler, controller-manager or etcd pods to
        # scrape) and its kube-proxy add-on serves metrics on 127.0.0.1 only: Services, monitors and "Down"
        # alerts for them would select nothing and fire for ever.
        **{component: {"enabled": False} for component in EKS_UNSCRAPED},
        # node labels the Infrastructure dashboard groups by (kube_node_labels exposes only listed ones)
        # the node exporter reads the host from its PID and network namespaces; it needs no privilege
        "prometheus-node-exporter": {"containerSecurityContext": RESTRICTED_CONTAINER},
        "kube-state-metrics": {
            "metricLabelsAllowlist": list(KUBE_STATE_METRICS_LABELS_ALLOWLIST),
            "resources": {"requests": {"cpu": "10m", "memory": "128Mi"}},  # memory grows with the objects
        },
        # the chart requests nothing for the operator and its webhook certificate Jobs
        "prometheusOperator": {
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}},
            "admissionWebhooks": {"patch": {"resources": {"requests": {"cpu": "10m", "memory": "32Mi"}}}},
        },
        "prometheus": {
            "podDisruptionBudget": {"enabled": prometheus_ha},
            "prometheusSpec": {
                "replicas": props.prometheus_replicas,
                "retention": f"{props.retention_days}d",
                "retentionSize": f"{props.retention_size_gb}GB",
                "storageSpec": _volume(props.volume_gb),
                "resources": {"requests": {"cpu": "1", "memory": "4Gi"}, "limits": {"memory": "8Gi"}},
                "serviceMonitorSelectorNilUsesHelmValues": False,
                "podMonitorSelectorNilUsesHelmValues": False,
                "probeSelectorNilUsesHelmValues": False,
                "ruleSelectorNilUsesHelmValues": False,
                "additionalScrapeConfigs": scrape_configs,
                **_placement(props.prometheus_replicas, "prometheus"),
            },
        },
        "alertmanager": {
            "podDisruptionBudget": {"enabled": alertmanager_ha},
            "config": alertmanager_config(),
            "alertmanagerSpec": {
                "replicas": props.alertmanager_replicas,
                "storage": _volume(props.alertmanager_volume_gb),
                "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
                # Optional: Alertmanager starts before External Secrets has made the Secret, and reads the
                # receivers' key files only when it sends.
                "volumes": [
                    {"name": "receivers", "secret": {"secretName": RECEIVERS_SECRET, "optional": True}}
                ],
                "volumeMounts": [{"name": "receivers", "mountPath": RECEIVER_DIR, "readOnly": True}],
                **_placement(props.alertmanager_replicas, "alertmanager"),
            },
        },
    }


class Monitoring(Construct):
    """The ``kube-prometheus-stack`` release in ``namespace``, scraping MSK's exporters on ``stores``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: MonitoringProps,
        chart: HelmChart,
        namespace: str,
        stores: MonitoredStores,
    ) -> None:
        super().__init__(scope, construct_id)
        values = stack_values(props, msk_scrape_configs(stores))
        self.release = helm_release(self, "release", chart=chart, namespace=namespace, values=values)

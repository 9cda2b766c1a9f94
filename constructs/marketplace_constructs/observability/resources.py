"""MonitoringResources: the custom resources of monitoring, applied after the platform layer installed the
prometheus-operator's CRDs: the generated alert rules, Istio's scrape configuration, and the External
Secret that brings the alert receivers' keys."""

from __future__ import annotations

from typing import Final

from constructs import Construct

from marketplace_constructs.manifests import custom_resource
from marketplace_constructs.manifests.monitoring import envoy_pod_monitor, prometheus_rule, service_monitor
from marketplace_constructs.manifests.secrets import external_secret
from marketplace_constructs.observability.alertmanager import PAGERDUTY_KEY, SLACK_WEBHOOK
from marketplace_constructs.observability.alerts import rule_groups
from marketplace_constructs.observability.metrics import RECEIVERS_SECRET
from marketplace_constructs.observability.secret_paths import PAGERDUTY_PATH, SLACK_PATH
from marketplace_constructs.observability.thresholds import AlertThresholds, ServiceObjective

# Secrets Manager secrets (JSON) holding the receivers' keys, under the environment's prefix.
RECEIVER_SECRETS: Final = {
    PAGERDUTY_KEY: (PAGERDUTY_PATH, "routing_key"),
    SLACK_WEBHOOK: (SLACK_PATH, "webhook_url"),
}


class MonitoringResources(Construct):
    """In ``namespace`` (monitoring's): PrometheusRule ``marketplace-alerts`` from ``thresholds`` for the
    services in ``service_namespaces`` (and ``objectives``); a ServiceMonitor for istiod (port
    http-monitoring) and a PodMonitor for every Istio proxy; and the ExternalSecret ``alerting-receivers``
    copying ``<env>/alerting/pagerduty`` and ``<env>/alerting/slack`` through ClusterSecretStore ``store``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        env: str,
        namespace: str,
        thresholds: AlertThresholds,
        service_namespaces: tuple[str, ...],
        store: str,
        objectives: tuple[ServiceObjective, ...] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        groups = rule_groups(thresholds, service_namespaces, objectives)
        custom_resource(self, "alert_rules", prometheus_rule("marketplace-alerts", namespace, groups))
        istiod = service_monitor(
            "istiod",
            namespace,
            selector={"app": "istiod"},
            port="http-monitoring",
            namespaces=["istio-system"],
        )
        custom_resource(self, "istiod_monitor", istiod)
        custom_resource(self, "envoy_monitor", envoy_pod_monitor("istio-proxies", namespace))
        keys = {key: (f"{env}/{path}", prop) for key, (path, prop) in RECEIVER_SECRETS.items()}
        custom_resource(
            self, "receivers", external_secret(RECEIVERS_SECRET, namespace, store=store, keys=keys)
        )

"""Grafana: the standalone chart kube-prometheus-stack pins, admin from Secrets Manager, the three datasources
linked trace <-> log, and the six dashboards as ConfigMaps its sidecar loads.

Installed in the layer after the platform's (with the ExternalSecret it needs): its pods cannot start before
External Secrets has made the admin Secret, and a release in the platform layer would wait for them forever.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Final

from cdktf_cdktf_provider_kubernetes.config_map_v1 import ConfigMapV1, ConfigMapV1Metadata
from cdktf_cdktf_provider_kubernetes.role_v1 import RoleV1, RoleV1Metadata, RoleV1Rule
from constructs import Construct

from marketplace_constructs.helm import HelmChart, helm_release
from marketplace_constructs.manifests import custom_resource
from marketplace_constructs.manifests.secrets import external_secret
from marketplace_constructs.observability.dashboards import PROMETHEUS_UID, Dashboard
from marketplace_constructs.observability.logs import TRACE_ID_FIELD
from marketplace_constructs.observability.secret_paths import GRAFANA_ADMIN_PATH

ADMIN_SECRET: Final = "grafana-admin"
DASHBOARD_READER: Final = (
    "grafana-dashboard-reader"  # Role: read ConfigMaps in Grafana's namespace, nothing else
)
DASHBOARD_LABEL: Final = "grafana_dashboard"  # the sidecar loads ConfigMaps carrying it
FOLDER_ANNOTATION: Final = "grafana_folder"  # ... into the folder this annotation names
PROMETHEUS_URL: Final = "http://kube-prometheus-stack-prometheus.monitoring.svc:9090"
LOKI_UID: Final = "loki"
JAEGER_UID: Final = "jaeger"


@dataclass(frozen=True, slots=True, kw_only=True)
class GrafanaSources:
    """Where Grafana's datasources answer (service URLs inside the cluster)."""

    loki_url: str
    jaeger_url: str


def datasources(sources: GrafanaSources) -> list[dict[str, Any]]:
    """Prometheus (default), Loki and Jaeger, with fixed uids the dashboards and links name.

    Loki -> Jaeger: a log line's ``trace_id`` (structured metadata) links to its trace. Jaeger -> Loki: a
    span links to the logs carrying its trace id, within five minutes of the span. The link's ``$$${`` reaches
    Grafana as ``$${`` (Terraform reads ``$${`` as a literal ``${``), which Grafana's provisioning reads as a
    literal ``${`` instead of expanding an environment variable."""
    return [
        {
            "name": "Prometheus",
            "uid": PROMETHEUS_UID,
            "type": "prometheus",
            "access": "proxy",
            "url": PROMETHEUS_URL,
            "isDefault": True,
            "jsonData": {"timeInterval": "30s"},
        },
        {
            "name": "Loki",
            "uid": LOKI_UID,
            "type": "loki",
            "access": "proxy",
            "url": sources.loki_url,
            "jsonData": {
                "derivedFields": [
                    {
                        "name": "Trace",
                        "matcherType": "label",
                        "matcherRegex": TRACE_ID_FIELD,  # structured metadata Alloy keeps
                        "datasourceUid": JAEGER_UID,
                        "url": "$$${__value.raw}",
                    }
                ]
            },
        },
        {
            "name": "Jaeger",
            "uid": JAEGER_UID,
            "type": "jaeger",
            "access": "proxy",
            "url": sources.jaeger_url,
            "jsonData": {
                "tracesToLogsV2": {
                    "datasourceUid": LOKI_UID,
                    "filterByTraceID": True,
                    # Istio's spans carry istio.namespace; the logs' namespace label is the same name
                    "tags": [{"key": "istio.namespace", "value": "namespace"}],
                    "spanStartTimeShift": "-5m",
                    "spanEndTimeShift": "5m",
                }
            },
        },
    ]


def grafana_values(sources: GrafanaSources) -> dict[str, Any]:
    """The chart's value tree: one stateless replica (dashboards and datasources are provisioned from code,
    so a restart loses only sessions and ad-hoc edits), admin from ``grafana-admin``, no sign-up, no
    anonymous access, no calls home, the dashboard sidecar watching the release's own namespace."""
    return {
        "replicas": 1,
        "admin": {"existingSecret": ADMIN_SECRET, "userKey": "admin-user", "passwordKey": "admin-password"},
        "grafana.ini": {
            "analytics": {"check_for_updates": False, "reporting_enabled": False},
            "auth.anonymous": {"enabled": False},
            "users": {"allow_sign_up": False, "allow_org_create": False},
            "security": {"disable_gravatar": True, "cookie_secure": True, "cookie_samesite": "strict"},
            "snapshots": {"external_enabled": False},
        },
        "datasources": {"datasources.yaml": {"apiVersion": 1, "datasources": datasources(sources)}},
        # The chart's own Role would also let the sidecar read every Secret of the namespace (credentials live
        # there): bind the narrower Role the Grafana construct makes instead.
        "rbac": {"namespaced": True, "useExistingRole": DASHBOARD_READER},
        "sidecar": {
            "dashboards": {
                "enabled": True,
                "resource": "configmap",
                "label": DASHBOARD_LABEL,
                "labelValue": "1",
                "folderAnnotation": FOLDER_ANNOTATION,
                "provider": {"foldersFromFilesStructure": True, "allowUiUpdates": False},
            },
            "resources": {"requests": {"cpu": "10m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
        },
        "serviceMonitor": {"enabled": True},
        "testFramework": {"enabled": False},  # a test pod pulling an extra image at each `helm test`
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
    }


class Grafana(Construct):
    """In ``namespace``: the ExternalSecret ``grafana-admin`` (``<env>/grafana/admin`` through
    ClusterSecretStore ``store``), one ConfigMap per dashboard, the Role ``grafana-dashboard-reader`` (read
    ConfigMaps only), and the ``grafana`` release, installed after the ExternalSecret (so its pod finds the
    Secret) and the Role."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        env: str,
        chart: HelmChart,
        namespace: str,
        store: str,
        sources: GrafanaSources,
        dashboards: tuple[Dashboard, ...],
    ) -> None:
        super().__init__(scope, construct_id)
        remote = f"{env}/{GRAFANA_ADMIN_PATH}"
        admin = custom_resource(
            self,
            "admin",
            external_secret(
                ADMIN_SECRET, namespace, store=store,
                keys={"admin-user": (remote, "username"), "admin-password": (remote, "password")},
            ),
        )  # fmt: skip
        for dashboard in dashboards:
            ConfigMapV1(
                self,
                f"dashboard_{dashboard.uid.replace('-', '_')}",
                metadata=ConfigMapV1Metadata(
                    name=f"dashboard-{dashboard.uid}",
                    namespace=namespace,
                    labels={DASHBOARD_LABEL: "1"},
                    annotations={FOLDER_ANNOTATION: dashboard.folder},
                ),
                data={f"{dashboard.uid}.json": json.dumps(dashboard.model, sort_keys=True)},
            )
        reader = RoleV1(
            self,
            "dashboard_reader",
            metadata=RoleV1Metadata(name=DASHBOARD_READER, namespace=namespace),
            rule=[RoleV1Rule(api_groups=[""], resources=["configmaps"], verbs=["get", "list", "watch"])],
        )
        values = grafana_values(sources)
        helm_release(
            self, "release", chart=chart, namespace=namespace, values=values, depends_on=[admin, reader]
        )

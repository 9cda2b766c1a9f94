"""prometheus-operator objects (monitoring.coreos.com/v1)."""

from __future__ import annotations

from typing import Any

from marketplace_constructs.manifests import metadata


def prometheus_rule(name: str, namespace: str, groups: list[dict[str, Any]]) -> dict[str, Any]:
    """A PrometheusRule holding ``groups`` (Prometheus's rule-file format)."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": metadata(name, namespace),
        "spec": {"groups": groups},
    }


def service_monitor(
    name: str, namespace: str, *, selector: dict[str, str], port: str, namespaces: list[str]
) -> dict[str, Any]:
    """Scrape port ``port`` of the Services matching ``selector`` in ``namespaces`` every 30 s."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": metadata(name, namespace),
        "spec": {
            "selector": {"matchLabels": selector},
            "namespaceSelector": {"matchNames": namespaces},
            "endpoints": [{"port": port, "interval": "30s"}],
        },
    }


def envoy_pod_monitor(name: str, namespace: str) -> dict[str, Any]:
    """Scrape every Istio proxy (sidecars and gateways) in every namespace on the agent's merged endpoint:
    the injector sets ``prometheus.io/port: "15020"`` and ``prometheus.io/path: /stats/prometheus`` on each
    pod, and that endpoint serves Envoy's metrics plus the application's own, fetched from the port and path
    the pod's original ``prometheus.io/*`` annotations named (Istio's metrics merging). Port 15020 bypasses
    the proxy, so Prometheus, outside the mesh, scrapes it in plain HTTP under STRICT mTLS. Istio's
    documented PodMonitor: keep the istio-proxy container, then point the address at the annotated port."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": metadata(name, namespace),
        "spec": {
            "selector": {"matchExpressions": [{"key": "security.istio.io/tlsMode", "operator": "Exists"}]},
            "namespaceSelector": {"any": True},
            "podMetricsEndpoints": [
                {
                    "path": "/stats/prometheus",
                    "interval": "30s",
                    "relabelings": [
                        {
                            "action": "keep",
                            "sourceLabels": ["__meta_kubernetes_pod_container_name"],
                            "regex": "istio-proxy",
                        },
                        {
                            "action": "keep",
                            "sourceLabels": ["__meta_kubernetes_pod_annotationpresent_prometheus_io_scrape"],
                        },
                        {
                            "action": "replace",
                            "sourceLabels": [
                                "__address__",
                                "__meta_kubernetes_pod_annotation_prometheus_io_port",
                            ],
                            "regex": r"([^:]+)(?::\d+)?;(\d+)",
                            "replacement": "$1:$2",
                            "targetLabel": "__address__",
                        },
                    ],
                }
            ],
        },
    }

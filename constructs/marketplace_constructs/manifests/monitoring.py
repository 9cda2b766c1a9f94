"""prometheus-operator objects (monitoring.coreos.com/v1) and the External Secret of the alert receivers."""

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
    """Scrape every Istio proxy (sidecars and gateways) in every namespace: Envoy's merged Prometheus
    endpoint, port 15090 named ``http-envoy-prom`` by the injector, path /stats/prometheus."""
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": metadata(name, namespace),
        "spec": {
            "selector": {"matchExpressions": [{"key": "security.istio.io/tlsMode", "operator": "Exists"}]},
            "namespaceSelector": {"any": True},
            "podMetricsEndpoints": [
                {"port": "http-envoy-prom", "path": "/stats/prometheus", "interval": "30s"}
            ],
        },
    }


def external_secret(
    name: str, namespace: str, *, store: str, keys: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    """ExternalSecret filling Secret ``name``: each key from (Secrets Manager secret, JSON property),
    refreshed hourly; the Secret belongs to the ExternalSecret (deleted with it)."""
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": metadata(name, namespace),
        "spec": {
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": store},
            "target": {"name": name, "creationPolicy": "Owner"},
            "data": [
                {"secretKey": key, "remoteRef": {"key": remote, "property": prop}}
                for key, (remote, prop) in keys.items()
            ],
        },
    }

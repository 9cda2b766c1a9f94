"""External Secrets objects (external-secrets.io/v1)."""

from __future__ import annotations

from typing import Any

from marketplace_constructs.manifests import metadata
from marketplace_constructs.naming import PROJECT


def secrets_manager_store(name: str, region: str) -> dict[str, Any]:
    """A ClusterSecretStore reading AWS Secrets Manager in ``region`` with the operator's own IRSA role (which
    may read only the environment's secrets), usable only from the project's namespaces."""
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterSecretStore",
        "metadata": {"name": name},
        "spec": {
            "provider": {"aws": {"service": "SecretsManager", "region": region}},
            "conditions": [{"namespaceSelector": {"matchLabels": {"app.kubernetes.io/part-of": PROJECT}}}],
        },
    }


def external_secret(
    name: str, namespace: str, *, store: str, keys: dict[str, tuple[str, str]]
) -> dict[str, Any]:
    """ExternalSecret filling Secret ``name``: each key from (Secrets Manager secret, JSON property)."""
    data = [
        {"secretKey": key, "remoteRef": {"key": remote, "property": prop}}
        for key, (remote, prop) in keys.items()
    ]
    return _external_secret(name, namespace, store, {"data": data})


def extracted_secret(name: str, namespace: str, *, store: str, key: str) -> dict[str, Any]:
    """ExternalSecret filling Secret ``name`` with every top-level key of the JSON in Secrets Manager secret
    ``key`` (``dataFrom.extract``), so a key added there reaches the pods at the next refresh without a
    change here."""
    return _external_secret(name, namespace, store, {"dataFrom": [{"extract": {"key": key}}]})


def _external_secret(name: str, namespace: str, store: str, source: dict[str, Any]) -> dict[str, Any]:
    """Through ClusterSecretStore ``store``, refreshed hourly; the Secret belongs to the ExternalSecret
    (deleted with it)."""
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": metadata(name, namespace),
        "spec": {
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": store},
            "target": {"name": name, "creationPolicy": "Owner"},
            **source,
        },
    }

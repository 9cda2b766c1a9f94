"""The ExternalSecret that turns a service's Secrets Manager JSON into the Secret its pods read as
environment variables (external-secrets.io/v1)."""

from __future__ import annotations

from typing import Any

from marketplace_constructs.manifests import metadata


def env_secret(name: str, namespace: str, *, store: str, key: str) -> dict[str, Any]:
    """ExternalSecret ``name`` filling Secret ``name`` with every top-level key of the JSON in Secrets
    Manager secret ``key`` (``dataFrom.extract``), so a key added there becomes an environment variable at
    the next refresh and pod start without a change here. Read through ClusterSecretStore ``store``,
    refreshed hourly; the Secret belongs to the ExternalSecret (deleted with it)."""
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": metadata(name, namespace),
        "spec": {
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": store},
            "target": {"name": name, "creationPolicy": "Owner"},
            "dataFrom": [{"extract": {"key": key}}],
        },
    }

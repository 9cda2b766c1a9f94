"""External Secrets objects (external-secrets.io/v1)."""

from __future__ import annotations

from typing import Any

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

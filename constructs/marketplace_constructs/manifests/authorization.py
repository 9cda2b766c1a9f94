"""Istio AuthorizationPolicy allow rules (security.istio.io/v1); the namespace's ``deny-all`` comes from
``istio.allow_nothing``."""

from __future__ import annotations

from typing import Any, Final

from marketplace_constructs.manifests import metadata

TRUST_DOMAIN: Final = "cluster.local"  # the mesh's default; meshConfig.trustDomain is not set


def principal(namespace: str, service_account: str) -> str:
    """The mTLS identity (SPIFFE id without ``spiffe://``) of the pods running as ``service_account``."""
    return f"{TRUST_DOMAIN}/ns/{namespace}/sa/{service_account}"


def allow_principals(name: str, namespace: str, *, principals: list[str], ports: list[int]) -> dict[str, Any]:
    """AuthorizationPolicy ``name``: ALLOW requests to every workload of ``namespace`` on ``ports`` whose
    peer certificate names one of ``principals``. ALLOW policies add up, so with ``deny-all`` in place
    nothing else gets in; plain-text callers have no principal and never match (mTLS is STRICT anyway)."""
    return {
        "apiVersion": "security.istio.io/v1",
        "kind": "AuthorizationPolicy",
        "metadata": metadata(name, namespace),
        "spec": {
            "action": "ALLOW",
            "rules": [
                {
                    "from": [{"source": {"principals": principals}}],
                    "to": [{"operation": {"ports": [str(port) for port in ports]}}],
                }
            ],
        },
    }

"""Istio request authorization (security.istio.io/v1): AuthorizationPolicy allow and deny rules and the
RequestAuthentication behind operators' tokens; the namespace's ``deny-all`` comes from
``istio.allow_nothing``."""

from __future__ import annotations

from typing import Any, Final, Literal

from marketplace_constructs.manifests import metadata

TRUST_DOMAIN: Final = "cluster.local"  # the mesh's default; meshConfig.trustDomain is not set
API_VERSION: Final = "security.istio.io/v1"


def principal(namespace: str, service_account: str) -> str:
    """The mTLS identity (SPIFFE id without ``spiffe://``) of the pods running as ``service_account``."""
    return f"{TRUST_DOMAIN}/ns/{namespace}/sa/{service_account}"


def _policy(
    name: str,
    namespace: str,
    rule: dict[str, Any],
    *,
    action: Literal["ALLOW", "DENY"] = "ALLOW",
    selector: dict[str, str] | None = None,
) -> dict[str, Any]:
    """AuthorizationPolicy ``name`` with one rule; without ``selector`` it covers every workload of the
    namespace (the Deployment and Flagger's ``-primary`` copy alike)."""
    spec: dict[str, Any] = {"action": action, "rules": [rule]}
    if selector:
        spec = {"selector": {"matchLabels": selector}, **spec}
    return {
        "apiVersion": API_VERSION,
        "kind": "AuthorizationPolicy",
        "metadata": metadata(name, namespace),
        "spec": spec,
    }


def _ports(ports: list[int]) -> list[str]:
    return [str(port) for port in ports]


def allow_principals(name: str, namespace: str, *, principals: list[str], ports: list[int]) -> dict[str, Any]:
    """ALLOW requests on ``ports`` whose peer certificate names one of ``principals``. ALLOW policies add
    up, so with ``deny-all`` in place nothing else gets in; plain-text callers have no principal and never
    match (mTLS is STRICT anyway)."""
    return _policy(
        name, namespace,
        {"from": [{"source": {"principals": principals}}], "to": [{"operation": {"ports": _ports(ports)}}]},
    )  # fmt: skip


def allow_requests(
    name: str,
    namespace: str,
    *,
    principals: list[str],
    ports: list[int],
    methods: list[str],
    paths: list[str],
) -> dict[str, Any]:
    """ALLOW only ``methods`` on exactly ``paths`` (and ``ports``) from the pods running as ``principals``:
    a caller that needs one request, not the service."""
    operation = {"ports": _ports(ports), "methods": methods, "paths": paths}
    return _policy(
        name, namespace, {"from": [{"source": {"principals": principals}}], "to": [{"operation": operation}]}
    )


def allow_operators(
    name: str,
    namespace: str,
    *,
    via: str,
    issuer: str,
    group_claim: str,
    groups: list[str],
    ports: list[int],
) -> dict[str, Any]:
    """ALLOW requests on ``ports`` that come through the pods running as ``via`` (the ingress gateway's
    principal) carrying a JWT from ``issuer`` (validated by the namespace's RequestAuthentication: a request
    principal is ``<iss>/<sub>``) whose ``group_claim`` holds one of ``groups`` (a list claim matches when
    any element does). A request without a token has no request principal and never matches."""
    return _policy(
        name, namespace,
        {
            "from": [{"source": {"principals": [via], "requestPrincipals": [f"{issuer}/*"]}}],
            "to": [{"operation": {"ports": _ports(ports)}}],
            "when": [{"key": f"request.auth.claims[{group_claim}]", "values": groups}],
        },
    )  # fmt: skip


def deny_other_hosts(
    name: str, namespace: str, *, selector: dict[str, str], hosts: list[str]
) -> dict[str, Any]:
    """DENY every request to the ``selector`` workloads whose Host is none of ``hosts`` (each also with
    ``:443``, as a client may send it). A gateway whose server matches any host would otherwise route a
    request for a VirtualService's in-cluster name (``<svc>.<ns>.svc.cluster.local``) too."""
    allowed = [variant for host in hosts for variant in (host, f"{host}:443")]
    return _policy(
        name, namespace, {"to": [{"operation": {"notHosts": allowed}}]}, action="DENY", selector=selector
    )


def request_authentication(
    name: str, namespace: str, *, issuer: str, audiences: list[str], jwks_uri: str | None
) -> dict[str, Any]:
    """RequestAuthentication ``name`` for every workload of ``namespace``: a bearer token, when present, must
    be a valid JWT of ``issuer`` for one of ``audiences`` (signature against the issuer's keys, from
    ``jwks_uri`` or its OIDC discovery document), or the request is refused (401); the token is kept for the
    service (``forwardOriginalToken``), which may log who acted. It admits nothing on its own: the
    AuthorizationPolicy requires the request principal it sets."""
    rule: dict[str, Any] = {"issuer": issuer, "audiences": audiences, "forwardOriginalToken": True}
    if jwks_uri:
        rule["jwksUri"] = jwks_uri
    return {
        "apiVersion": API_VERSION,
        "kind": "RequestAuthentication",
        "metadata": metadata(name, namespace),
        "spec": {"jwtRules": [rule]},
    }

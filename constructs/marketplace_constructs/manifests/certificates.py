"""cert-manager objects: ClusterIssuers and Certificates (cert-manager.io/v1)."""

from __future__ import annotations

from typing import Any, Final

from marketplace_constructs.manifests import metadata

API_VERSION: Final = "cert-manager.io/v1"
# ECDSA P-256: TLS 1.3's default curve; small keys, fast handshakes.
PRIVATE_KEY: Final = {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"}


def self_signed_issuer(name: str) -> dict[str, Any]:
    """A ClusterIssuer that signs with the certificate's own key: used only to mint the private root CA."""
    return {
        "apiVersion": API_VERSION,
        "kind": "ClusterIssuer",
        "metadata": metadata(name),
        "spec": {"selfSigned": {}},
    }


def ca_issuer(name: str, secret_name: str) -> dict[str, Any]:
    """A ClusterIssuer signing with the CA key pair in Secret ``secret_name`` of cert-manager's namespace."""
    return {
        "apiVersion": API_VERSION,
        "kind": "ClusterIssuer",
        "metadata": metadata(name),
        "spec": {"ca": {"secretName": secret_name}},
    }


def certificate(
    name: str,
    namespace: str,
    *,
    secret_name: str,
    issuer: str,
    dns_names: tuple[str, ...] = (),
    common_name: str | None = None,
    is_ca: bool = False,
    duration: str = "2160h0m0s",
    renew_before: str = "720h0m0s",
) -> dict[str, Any]:
    """A Certificate from ClusterIssuer ``issuer`` into Secret ``secret_name``, ECDSA P-256, renewed
    ``renew_before`` its end (defaults: 90 days, renewed with 30 left)."""
    spec: dict[str, Any] = {
        "secretName": secret_name,
        "issuerRef": {"name": issuer, "kind": "ClusterIssuer", "group": "cert-manager.io"},
        "privateKey": PRIVATE_KEY,
        "duration": duration,
        "renewBefore": renew_before,
    }
    if dns_names:
        spec["dnsNames"] = list(dns_names)
    if common_name:
        spec["commonName"] = common_name
    if is_ca:
        spec["isCA"] = True
    return {
        "apiVersion": API_VERSION,
        "kind": "Certificate",
        "metadata": metadata(name, namespace),
        "spec": spec,
    }

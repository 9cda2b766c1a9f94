"""Istio objects (networking.istio.io, security.istio.io, telemetry.istio.io, all v1)."""

from __future__ import annotations

from typing import Any, Literal

from marketplace_constructs.manifests import metadata

Protocol = Literal["TCP", "TLS", "HTTPS"]
Resolution = Literal["DNS", "NONE"]
OutboundMode = Literal["REGISTRY_ONLY", "ALLOW_ANY"]


def strict_mtls(namespace: str) -> dict[str, Any]:
    """PeerAuthentication ``default`` in the root namespace: every workload of the mesh accepts mTLS only."""
    return {
        "apiVersion": "security.istio.io/v1",
        "kind": "PeerAuthentication",
        "metadata": metadata("default", namespace),
        "spec": {"mtls": {"mode": "STRICT"}},
    }


def allow_nothing(namespace: str) -> dict[str, Any]:
    """AuthorizationPolicy ``deny-all``: an ALLOW policy with no rules matches nothing, so every request to
    the namespace's workloads is denied until an explicit allow names its caller."""
    return {
        "apiVersion": "security.istio.io/v1",
        "kind": "AuthorizationPolicy",
        "metadata": metadata("deny-all", namespace),
        "spec": {},
    }


def mesh_telemetry(namespace: str, tracing_provider: str, sampling_percent: float) -> dict[str, Any]:
    """Telemetry ``mesh-default`` in the root namespace: trace ``sampling_percent`` of requests to
    ``tracing_provider``, and write Envoy access logs (the mesh config makes them JSON on stdout)."""
    return {
        "apiVersion": "telemetry.istio.io/v1",
        "kind": "Telemetry",
        "metadata": metadata("mesh-default", namespace),
        "spec": {
            "tracing": [
                {"providers": [{"name": tracing_provider}], "randomSamplingPercentage": sampling_percent}
            ],
            "accessLogging": [{"providers": [{"name": "envoy"}]}],
        },
    }


def egress_sidecar(namespace: str, hosts: tuple[str, ...], outbound: OutboundMode) -> dict[str, Any]:
    """Sidecar ``default`` of ``namespace``: its proxies learn, and so reach, only ``hosts``
    (``<namespace>/<dns name>`` patterns); ``outbound`` repeats the mesh's policy for anything else."""
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "Sidecar",
        "metadata": metadata("default", namespace),
        "spec": {"egress": [{"hosts": list(hosts)}], "outboundTrafficPolicy": {"mode": outbound}},
    }


def external_service(
    name: str,
    namespace: str,
    *,
    hosts: list[str],
    port: int,
    protocol: Protocol,
    resolution: Resolution,
    addresses: list[str] | None = None,
) -> dict[str, Any]:
    """ServiceEntry for a service outside the mesh: with REGISTRY_ONLY, the only way out. TLS with
    resolution NONE matches on the SNI name (wildcards allowed); TCP with resolution NONE matches on the
    destination ``addresses`` (CIDRs)."""
    port_name = f"{protocol.lower()}-{port}"
    spec: dict[str, Any] = {
        "hosts": hosts,
        "location": "MESH_EXTERNAL",
        "ports": [{"number": port, "name": port_name, "protocol": protocol}],
        "resolution": resolution,
        "exportTo": ["*"],
    }
    if addresses:
        spec["addresses"] = addresses
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "ServiceEntry",
        "metadata": metadata(name, namespace),
        "spec": spec,
    }


def https_gateway(
    name: str, namespace: str, *, selector: dict[str, str], hosts: list[str], credential: str
) -> dict[str, Any]:
    """Gateway serving ``hosts`` (``[<namespace>/]<dns name>`` patterns of the VirtualServices that may bind)
    on 443 with the certificate in Secret ``credential``, TLS 1.3 only."""
    return {
        "apiVersion": "networking.istio.io/v1",
        "kind": "Gateway",
        "metadata": metadata(name, namespace),
        "spec": {
            "selector": selector,
            "servers": [
                {
                    "port": {"number": 443, "name": "https", "protocol": "HTTPS"},
                    "hosts": hosts,
                    "tls": {"mode": "SIMPLE", "credentialName": credential, "minProtocolVersion": "TLSV1_3"},
                }
            ],
        },
    }

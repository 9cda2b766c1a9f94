"""Custom resources as typed dicts, one function per kind, and ``custom_resource`` to apply one.

Each function returns the whole object (apiVersion, kind, metadata, spec); tests validate every object the
stacks create against its kind's real CRD schema, strict about unknown fields. A ``kubernetes_manifest``
plans only once its CRD exists, so these belong in a layer deployed after the one installing the CRD.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdktf_cdktf_provider_kubernetes.manifest import Manifest
from constructs import Construct


def custom_resource(scope: Construct, construct_id: str, body: Mapping[str, Any]) -> Manifest:
    """Apply ``body`` with server-side apply semantics through the kubernetes provider."""
    return Manifest(scope, construct_id, manifest=dict(body))


def metadata(name: str, namespace: str | None = None) -> dict[str, str]:
    """``metadata`` of a cluster-scoped (no namespace) or namespaced object."""
    return {"name": name} if namespace is None else {"name": name, "namespace": namespace}

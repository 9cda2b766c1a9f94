"""Custom resources as typed dicts, one function per kind, and ``custom_resource`` to apply one.

Each function returns the whole object (apiVersion, kind, metadata, spec); tests validate every object the
stacks create against its kind's real CRD schema, strict about unknown fields. A ``kubernetes_manifest``
plans only once its CRD exists, so these belong in a layer deployed after the one installing the CRD.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cdktf_cdktf_provider_kubernetes.manifest import Manifest, ManifestTimeouts, ManifestWait
from constructs import Construct


def custom_resource(
    scope: Construct,
    construct_id: str,
    body: Mapping[str, Any],
    *,
    wait_for: Mapping[str, str] | None = None,
    timeout: str | None = None,
) -> Manifest:
    """Apply ``body`` with server-side apply semantics through the kubernetes provider; with ``wait_for``
    (status field path: regular expression), the apply returns only once the object reports it, within
    ``timeout`` (the provider's default otherwise), so what depends on the object starts after it is up."""
    return Manifest(
        scope,
        construct_id,
        manifest=dict(body),
        wait=ManifestWait(fields=dict(wait_for)) if wait_for else None,
        timeouts=ManifestTimeouts(create=timeout, update=timeout) if timeout else None,
    )


def metadata(name: str, namespace: str | None = None) -> dict[str, str]:
    """``metadata`` of a cluster-scoped (no namespace) or namespaced object."""
    return {"name": name} if namespace is None else {"name": name, "namespace": namespace}

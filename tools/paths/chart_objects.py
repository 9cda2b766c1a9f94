"""Chart-made names, labels, ports and service accounts, read from what each release renders (Helm's engine
over the vendored chart, ``tools/charts/render.py``) instead of re-deriving them from the chart's values: a
values change or a chart upgrade that renames one shows up in the proofs at the hop that uses it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from tools.charts.pod_security import pod_spec
from tools.charts.render import Manifest
from tools.paths.view import EnvView, Release

WORKLOAD_KINDS: Final = ("Deployment", "DaemonSet", "StatefulSet")


def workload(view: EnvView, release: Release) -> Manifest | None:
    """The release's (first) long-running workload."""
    return next((m for m in view.installed(release) if m.kind in WORKLOAD_KINDS), None)


def pod_template(manifest: Manifest) -> Mapping[str, Any]:
    """The pod template (metadata and spec) of a workload manifest."""
    return dict(manifest.body.get("spec", {}).get("template") or {})


def pod_labels(manifest: Manifest) -> dict[str, str]:
    metadata = pod_template(manifest).get("metadata") or {}
    return {str(k): str(v) for k, v in (metadata.get("labels") or {}).items()}


def pod_annotations(manifest: Manifest) -> dict[str, str]:
    metadata = pod_template(manifest).get("metadata") or {}
    return {str(k): str(v) for k, v in (metadata.get("annotations") or {}).items()}


def service_account(manifest: Manifest) -> str:
    """The account the pods run as: ``serviceAccountName``, else the namespace's ``default``."""
    return str((pod_spec(manifest.body) or {}).get("serviceAccountName") or "default")


def service(view: EnvView, release: Release, name: str, namespace: str) -> Manifest | None:
    """The Service named ``namespace/name`` that ``release`` renders, if any."""
    return next(
        (m for m in view.installed(release, "Service") if m.name == name and m.namespace == namespace), None
    )


def target_port(service: Manifest, port: int, pods: Manifest | None = None) -> int | None:
    """The container port a Service sends ``port`` to: its ``targetPort`` (a number, or a port name resolved
    through the pods' containers), ``port`` itself when unset; None when the Service has no such port."""
    for entry in service.body.get("spec", {}).get("ports") or ():
        if int(entry.get("port", 0)) != port:
            continue
        target = entry.get("targetPort", port)
        if isinstance(target, int) or str(target).isdigit():
            return int(target)
        spec = pod_spec(pods.body) if pods else None
        for container in (spec or {}).get("containers") or ():
            for declared in container.get("ports") or ():
                if declared.get("name") == target:
                    return int(declared["containerPort"])
        return None
    return None

"""Checks over what an environment's releases install: every object as the API server would validate it
(strict: unknown fields are errors), every pod template at the Pod Security level its namespace enforces,
and every container requesting CPU and memory (the scheduler and the capacity model count requests; checkov
says nothing of a container whose ``resources`` is empty). Each problem names the release, the object and
the template that made it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Final

from tools.charts.kube_schema import CrdSchemas, schema_errors
from tools.charts.pod_security import containers, enforced_level, pod_annotations, pod_spec, violations
from tools.charts.render import Manifest, ReleaseInput

Rendered = Mapping[ReleaseInput, tuple[Manifest, ...]]
# Workloads that request nothing, each reviewed: (release, kind, name).
WITHOUT_REQUESTS: Final = frozenset(
    {
        # a few MiB and millicores on every node, as the node-group fit check counts it (capacity/fit.py)
        ("kube-prometheus-stack", "DaemonSet", "kube-prometheus-stack-prometheus-node-exporter"),
    }
)


def located(release: ReleaseInput, manifest: Manifest) -> str:
    return f"{release.label}: {manifest} ({manifest.template})"


def every_object(rendered: Rendered) -> Iterator[tuple[ReleaseInput, Manifest]]:
    for release, manifests in rendered.items():
        for manifest in manifests:
            yield release, manifest


def schema_problems(rendered: Rendered, kube_minor: str, shared_crds: CrdSchemas | None = None) -> list[str]:
    """Objects the API server of Kubernetes ``kube_minor`` would refuse; custom resources against the CRDs
    the environment's charts render."""
    crds = shared_crds or CrdSchemas(manifest.body for _, manifest in every_object(rendered))
    return [
        f"{located(release, manifest)}: {error}"
        for release, manifest in every_object(rendered)
        for error in schema_errors(manifest.body, kube_minor, crds)
    ]


def pod_security_problems(rendered: Rendered, namespace_labels: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Pod templates the Pod Security admission of their namespace would refuse."""
    problems = []
    for release, manifest in every_object(rendered):
        spec = pod_spec(manifest.body)
        if spec is None:
            continue
        level = enforced_level(namespace_labels.get(manifest.namespace))
        found = violations(spec, level, pod_annotations(manifest.body))
        problems += [f"{located(release, manifest)}: {level}: {v}" for v in found]
    return problems


def request_problems(rendered: Rendered) -> list[str]:
    """Containers that request no CPU or no memory (beyond the reviewed ``WITHOUT_REQUESTS``)."""
    problems = []
    for release, manifest in every_object(rendered):
        spec = pod_spec(manifest.body)
        if spec is None or (release.name, manifest.kind, manifest.name) in WITHOUT_REQUESTS:
            continue
        for at, container in containers(spec):
            requests = (container.get("resources") or {}).get("requests") or {}
            missing = [name for name in ("cpu", "memory") if name not in requests]
            if missing:
                problems.append(f"{located(release, manifest)}: {at} requests no {' or '.join(missing)}")
    return problems

"""What a chart's templates see of the cluster (``.Capabilities``): its Kubernetes version and the API
versions it serves, so capability-gated templates
(``if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1"``) render as they will on the cluster.

- The version is the cluster's, read from the environment's synthesized ``aws_eks_cluster``.
- Built-in API versions are the ones Kubernetes serves by default at that version: every GA group/version
  (and group/version/kind) in the OpenAPI definitions ``kubernetes-validate`` ships for it. Alpha versions
  are off unless a feature gate turns them on, and beta versions introduced since 1.24 are off by default
  (KEP-3136); every beta version still in 1.35's definitions is one of those, and EKS turns none on.
- Custom API versions are those of every CRD the environment's charts install, in their steady state: an
  upgrade, when every CRD of the platform layer exists.

Helm adds the versions it is given to its own defaults (as ``helm template --api-versions`` does), and its
defaults still list some APIs Kubernetes has removed (``policy/v1beta1``): a template asking for one reads
it as served. Whatever such a template renders in a removed API fails the strict schema check
(``tools/charts/kube_schema.py``: "not served by Kubernetes 1.35").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

import importlib_resources

PRERELEASE: Final = re.compile(r"v\d+(alpha|beta)\d+$")
# Kinds every group/version lists in the definitions, served or long removed: they say nothing of serving.
EVERY_VERSION: Final = frozenset({"DeleteOptions", "WatchEvent"})


# Built-in kinds outside namespaces (`kubectl api-resources --namespaced=false` on 1.35, GA kinds).
BUILTIN_CLUSTER_SCOPED: Final = frozenset(
    {
        "APIService", "CertificateSigningRequest", "ClusterRole", "ClusterRoleBinding", "ComponentStatus",
        "CSIDriver", "CSINode", "CustomResourceDefinition", "DeviceClass", "FlowSchema", "IngressClass",
        "IPAddress", "MutatingWebhookConfiguration", "Namespace", "Node", "PersistentVolume", "PriorityClass",
        "PriorityLevelConfiguration", "ResourceSlice", "RuntimeClass", "SelfSubjectAccessReview",
        "SelfSubjectReview", "SelfSubjectRulesReview", "ServiceCIDR", "StorageClass", "SubjectAccessReview",
        "TokenReview", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding",
        "ValidatingWebhookConfiguration", "VolumeAttachment", "VolumeAttributesClass",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Capabilities:
    """``kube_version`` like "v1.35.0"; ``api_versions`` as Helm's ``APIVersions.Has`` reads them; the kinds
    that take no namespace (built-in and custom)."""

    kube_version: str
    api_versions: tuple[str, ...]
    cluster_scoped: frozenset[str] = BUILTIN_CLUSTER_SCOPED

    @property
    def minor(self) -> str:
        return ".".join(self.kube_version.lstrip("v").split(".")[:2])


@cache
def builtin_api_versions(minor: str) -> tuple[str, ...]:
    """Kubernetes ``minor``'s APIs served by default (GA), as "group/version" and "group/version/Kind" (the
    core group as "v1"), from kubernetes-validate's copy of that version's OpenAPI definitions."""
    folder = importlib_resources.files("kubernetes_validate") / "kubernetes-json-schema" / f"v{minor}.0-local"
    definitions = json.loads((folder / "_definitions.json").read_text())
    found: set[str] = set()
    for definition in definitions.get("$defs", definitions.get("definitions", {})).values():
        for gvk in definition.get("x-kubernetes-group-version-kind", ()):
            if PRERELEASE.search(gvk["version"]) or gvk["kind"] in EVERY_VERSION or gvk["kind"].endswith("List"):
                continue
            group_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            found |= {group_version, f"{group_version}/{gvk['kind']}"}
    return tuple(sorted(found))


def capabilities(kubernetes_version: str, crds: Iterable[Mapping[str, Any]] = ()) -> Capabilities:
    """The cluster at ``kubernetes_version`` ("1.35") serving its built-ins and every served version of the
    CRDs among ``crds`` (other objects are ignored)."""
    minor = ".".join(kubernetes_version.lstrip("v").split(".")[:2])
    custom: set[str] = set()
    cluster_scoped: set[str] = set()
    for body in crds:
        if body.get("kind") != "CustomResourceDefinition":
            continue
        spec = body.get("spec", {})
        kind = spec.get("names", {}).get("kind", "")
        if spec.get("scope") == "Cluster":
            cluster_scoped.add(kind)
        for version in spec.get("versions", ()):
            if version.get("served", True):
                group_version = f"{spec.get('group')}/{version['name']}"
                custom |= {group_version, f"{group_version}/{kind}"}
    versions = tuple(sorted({*builtin_api_versions(minor), *custom}))
    return Capabilities(f"v{minor}.0", versions, BUILTIN_CLUSTER_SCOPED | cluster_scoped)

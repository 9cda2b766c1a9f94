"""Strict schema validation of rendered objects, as the API server validates them with strict field
validation (unknown fields are errors).

- Built-in kinds: ``kubernetes-validate``'s strict schemas of the cluster's Kubernetes version (its own copy
  of Kubernetes' OpenAPI), through its public ``validate``.
- Custom resources: the ``openAPIV3Schema`` of their CRD: one the environment's charts render, else one of
  the project's vendored CRDs (``tfoffline/crds``), read as the API server reads a structural schema
  (``tfoffline.crds.as_json_schema``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import kubernetes_validate.utils  # type: ignore[import-untyped]
from jsonschema import Draft4Validator

from tfoffline.crds import ALWAYS_ALLOWED, as_json_schema, manifest_errors
from tools.charts.capabilities import builtin_api_versions


# kubernetes-validate reads and parses its schema files (the definitions file is megabytes) at every call of
# validate (utils.schema_contents); they never change within a process, so each is parsed once.
kubernetes_validate.utils.schema_contents = cache(kubernetes_validate.utils.schema_contents)


class CrdSchemas:
    """The validators of every served version of the CRDs among some rendered objects."""

    def __init__(self, objects: Iterable[Mapping[str, Any]]) -> None:
        self._schemas: dict[tuple[str, str, str], Mapping[str, Any]] = {}
        for body in objects:
            if body.get("kind") != "CustomResourceDefinition":
                continue
            spec = body.get("spec", {})
            for version in spec.get("versions", ()):
                openapi = (version.get("schema") or {}).get("openAPIV3Schema")
                if openapi is not None:
                    key = (spec.get("group", ""), spec.get("names", {}).get("kind", ""), version["name"])
                    self._schemas[key] = openapi
        self._validators: dict[tuple[str, str, str], Draft4Validator] = {}

    def validator(self, group: str, kind: str, version: str) -> Draft4Validator | None:
        key = (group, kind, version)
        if key not in self._validators and key in self._schemas:
            openapi = self._schemas[key]
            root = dict(
                openapi, properties={**{k: {} for k in ALWAYS_ALLOWED}, **openapi.get("properties", {})}
            )
            self._validators[key] = Draft4Validator(as_json_schema(root))
        return self._validators.get(key)


def schema_errors(body: Mapping[str, Any], kube_minor: str, crds: CrdSchemas) -> list[str]:
    """Why the API server of Kubernetes ``kube_minor`` would refuse ``body`` (empty: it accepts it)."""
    group, _, version = str(body.get("apiVersion", "")).rpartition("/")
    kind = str(body.get("kind", ""))
    validator = crds.validator(group, kind, version) if group else None
    if validator is not None:
        return [
            f"{'.'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
            for error in sorted(validator.iter_errors(body), key=lambda e: list(map(str, e.absolute_path)))
        ]
    return _builtin_errors(json.dumps(body, sort_keys=True), kube_minor)


@cache
def _builtin_errors(body_json: str, kube_minor: str) -> list[str]:
    """One object's errors, once per distinct object (environments render many identical ones)."""
    body = json.loads(body_json)
    try:
        kubernetes_validate.validate(body, kube_minor, strict=True)
    except kubernetes_validate.SchemaNotFoundError:
        group = str(body.get("apiVersion", "")).rpartition("/")[0]
        builtin_groups = {v.split("/")[0] for v in builtin_api_versions(kube_minor) if v.count("/") == 1}
        if not group or group in builtin_groups:
            return [f"{body.get('apiVersion')} {body.get('kind')} is not served by Kubernetes {kube_minor}"]
        return manifest_errors(body)
    except kubernetes_validate.ValidationError as error:
        return [f"{'.'.join(str(part) for part in error.absolute_path) or '(root)'}: {error.message}"]
    return []

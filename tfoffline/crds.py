"""CRD schema checks for kubernetes_manifest: the object must match the openAPIV3Schema of its kind's CRD,
as the API server would check it. Schemas come from ../shared/schemas/crds (provenance in crds/README.md).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Final

from jsonschema import Draft7Validator

CRD_DIR: Final = Path(__file__).with_name("crds")
ALWAYS_ALLOWED: Final = ("apiVersion", "kind", "metadata")  # the API server accepts these on every kind


@cache
def _schema(group: str, kind: str, version: str) -> dict[str, Any] | None:
    path = CRD_DIR / group / f"{kind}.json"
    if not path.exists():
        return None
    schema: dict[str, Any] = json.loads(path.read_text())["versions"].get(version)
    return schema


def manifest_errors(manifest: dict[str, Any]) -> list[str]:
    """Problems of one manifest against its CRD; an empty list means it is valid."""
    api_version, kind = manifest.get("apiVersion", ""), manifest.get("kind", "")
    group, _, version = api_version.rpartition("/")
    if not group:
        return [f"{api_version}/{kind} is a built-in kind: use its typed kubernetes_* resource instead"]
    schema = _schema(group, kind, version)
    if schema is None:
        return [f"no CRD schema for {kind} in {api_version} (vendored kinds are in tfoffline/crds/)"]
    schema = dict(schema, properties={**{key: {} for key in ALWAYS_ALLOWED}, **schema.get("properties", {})})
    validator = Draft7Validator(schema)
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(manifest), key=lambda e: list(map(str, e.absolute_path)))
    ]

"""CRD schema checks for kubernetes_manifest: the object must match the openAPIV3Schema of its kind's CRD,
as the API server would check it. Schemas come from ../shared/schemas/crds (provenance in crds/README.md).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any, Final

from jsonschema import Draft4Validator  # the JSON Schema draft closest to OpenAPI 3.0

CRD_DIR: Final = Path(__file__).with_name("crds")
ALWAYS_ALLOWED: Final = ("apiVersion", "kind", "metadata")  # the API server accepts these on every kind
_SUBSCHEMA_KEYS: Final = ("items", "additionalProperties")


def as_json_schema(node: Any) -> Any:
    """A Kubernetes structural schema as plain JSON Schema, strict about unknown fields like the API server's
    strict field validation: ``nullable`` becomes a null type, Go's inline ``(?i)`` moves to the front
    (Python accepts it only there), and objects with ``properties`` reject other fields unless the CRD
    preserves them."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    schema = {
        key: ({name: as_json_schema(sub) for name, sub in value.items()} if key == "properties" else value)
        for key, value in node.items()
    }
    for key in (*_SUBSCHEMA_KEYS, "anyOf", "oneOf", "allOf", "not"):
        if isinstance(schema.get(key), (dict, list)):
            schema[key] = as_json_schema(schema[key])
    if schema.get("nullable") is True and isinstance(schema.get("type"), str):
        schema["type"] = [schema["type"], "null"]
    pattern = schema.get("pattern")
    if isinstance(pattern, str) and "(?i)" in pattern[1:]:
        schema["pattern"] = "(?i)" + pattern.replace("(?i)", "")
    if (
        "properties" in schema
        and "additionalProperties" not in schema
        and not schema.get("x-kubernetes-preserve-unknown-fields")
    ):
        schema["additionalProperties"] = False
    return schema


@cache
def _validator(group: str, kind: str, version: str) -> Draft4Validator | None:
    path = CRD_DIR / group / f"{kind}.json"
    if not path.exists():
        return None
    openapi = json.loads(path.read_text())["versions"].get(version)
    if openapi is None:
        return None
    root = dict(openapi, properties={**{key: {} for key in ALWAYS_ALLOWED}, **openapi.get("properties", {})})
    return Draft4Validator(as_json_schema(root))


def manifest_errors(manifest: dict[str, Any]) -> list[str]:
    """Problems of one manifest against its CRD; an empty list means it is valid."""
    api_version, kind = manifest.get("apiVersion", ""), manifest.get("kind", "")
    group, _, version = api_version.rpartition("/")
    if not group:
        return [f"{api_version}/{kind} is a built-in kind: use its typed kubernetes_* resource instead"]
    validator = _validator(group, kind, version)
    if validator is None:
        return [f"no CRD schema for {kind} in {api_version} (vendored kinds are in tfoffline/crds/)"]
    return [
        f"{'.'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
        for error in sorted(validator.iter_errors(manifest), key=lambda e: list(map(str, e.absolute_path)))
    ]

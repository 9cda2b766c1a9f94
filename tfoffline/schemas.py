"""The vendored provider schemas (a subset of ../shared/schemas/providers, see VENDORED.md) and their
conversion to the plugin protocol's Schema messages."""

from __future__ import annotations

import gzip
import json
from functools import cache
from pathlib import Path
from typing import Any, Final

SCHEMA_DIR: Final = Path(__file__).with_name("schemas")
PROVIDERS: Final = {"aws": "6.25.0", "kubernetes": "2.38.0", "helm": "3.1.1"}
SECTIONS: Final = {"resource": "resource_schemas", "data": "data_source_schemas"}
_BLOCK_NESTING: Final = {"single": 1, "list": 2, "set": 3, "map": 4, "group": 5}
_OBJECT_NESTING: Final = {"single": 1, "list": 2, "set": 3, "map": 4}


def vendored_file(provider: str) -> Path:
    return SCHEMA_DIR / f"{provider}-{PROVIDERS[provider]}.json.gz"


@cache
def load(provider: str) -> dict[str, Any]:
    """``{"provider": ..., "resource_schemas": {type: ...}, "data_source_schemas": {type: ...}}``."""
    with gzip.open(vendored_file(provider), "rt", encoding="utf-8") as handle:
        schema: dict[str, Any] = json.load(handle)
    return schema


def provider_of(type_name: str) -> str:
    """``aws_vpc`` → ``aws``; Terraform maps a type to its provider by this prefix."""
    return type_name.split("_", 1)[0]


def _attribute(messages: dict[str, Any], name: str, spec: dict[str, Any]) -> Any:
    attribute = messages["tfplugin6.Schema.Attribute"](
        name=name,
        description=spec.get("description", ""),
        required=spec.get("required", False),
        optional=spec.get("optional", False),
        computed=spec.get("computed", False),
        sensitive=spec.get("sensitive", False),
        deprecated=spec.get("deprecated", False),
        write_only=spec.get("write_only", False),
    )
    if "nested_type" in spec:
        nested = spec["nested_type"]
        attribute.nested_type.CopyFrom(
            messages["tfplugin6.Schema.Object"](
                attributes=[_attribute(messages, n, s) for n, s in sorted(nested["attributes"].items())],
                nesting=_OBJECT_NESTING[nested["nesting_mode"]],
                min_items=nested.get("min_items", 0),
                max_items=nested.get("max_items", 0),
            )
        )
    else:
        attribute.type = json.dumps(spec["type"]).encode()
    return attribute


def _block(messages: dict[str, Any], spec: dict[str, Any]) -> Any:
    return messages["tfplugin6.Schema.Block"](
        attributes=[_attribute(messages, n, s) for n, s in sorted(spec.get("attributes", {}).items())],
        block_types=[
            messages["tfplugin6.Schema.NestedBlock"](
                type_name=name,
                block=_block(messages, nested["block"]),
                nesting=_BLOCK_NESTING[nested["nesting_mode"]],
                min_items=nested.get("min_items", 0),
                max_items=nested.get("max_items", 0),
            )
            for name, nested in sorted(spec.get("block_types", {}).items())
        ],
        description=spec.get("description", ""),
        deprecated=spec.get("deprecated", False),
    )


def to_proto(messages: dict[str, Any], schema: dict[str, Any]) -> Any:
    """One schema file's value (``{"version": n, "block": {...}}``) as a tfplugin6.Schema."""
    return messages["tfplugin6.Schema"](
        version=schema.get("version", 0), block=_block(messages, schema["block"])
    )

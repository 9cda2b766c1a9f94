"""The type-hint cache answers as typing does, remembers only the bindings' functions, and leaves the
bindings' argument checks in place."""

from __future__ import annotations

import typing

import cdktf
import pytest

from stacks import type_hint_cache


def local_function(value: int) -> str:
    return str(value)


def test_a_binding_resolves_its_stubs_hints_once_and_gets_what_typing_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(typing, "get_type_hints", type_hint_cache.cached_type_hints)
    monkeypatch.setattr(type_hint_cache, "_hints", {})
    cdktf.Fn.join(",", ["a"])
    ((stub, _),) = type_hint_cache._hints
    assert stub.__name__.startswith("_typecheckingstub__") and stub.__module__ == "cdktf"
    first = type_hint_cache._hints[(stub, False)]
    assert first == type_hint_cache._resolve(stub)
    cdktf.Fn.join(";", ["b"])
    assert type_hint_cache._hints == {(stub, False): first}  # the same answer, resolved once


def test_other_functions_are_resolved_every_time() -> None:
    first = type_hint_cache.cached_type_hints(local_function)
    assert first == {"value": int, "return": str}
    assert type_hint_cache.cached_type_hints(local_function) is not first


def test_the_bindings_still_check_their_arguments_with_the_cache_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(typing, "get_type_hints", type_hint_cache.cached_type_hints)
    with pytest.raises(TypeError):
        cdktf.Fn.join(1, ["a"])  # type: ignore[arg-type]

"""Remember the type hints of the jsii bindings' argument stubs, so each is resolved once per run.

Every call into a generated binding (a resource's constructor, a struct, ``add_override``) checks its
arguments with typeguard against the hints of a ``_typecheckingstub__...`` function, and asks
``typing.get_type_hints`` to resolve them again each time: with hundreds of resources that is a tenth of the
app's synth time. The stubs never change, so this module wraps ``typing.get_type_hints`` with a cache for
functions defined in the cdktf, constructs and provider packages only. The checks themselves still run on
every call; the synthesized JSON is byte-identical (``benchmarks/synth.py`` checks).
"""

from __future__ import annotations

import typing
from typing import Any, Final

CACHED_MODULES: Final = ("cdktf", "constructs")  # module prefixes: cdktf, cdktf_cdktf_provider_*, constructs
_resolve = typing.get_type_hints
_hints: dict[tuple[object, bool], dict[str, Any]] = {}


def cached_type_hints(
    obj: Any, globalns: Any = None, localns: Any = None, include_extras: bool = False
) -> dict[str, Any]:
    """``typing.get_type_hints``, remembered for the bindings' functions resolved in their own module."""
    cacheable = (
        globalns is None
        and localns is None
        and callable(obj)
        and not isinstance(obj, type)
        and getattr(obj, "__module__", "").startswith(CACHED_MODULES)
    )
    if not cacheable:
        return _resolve(obj, globalns, localns, include_extras)
    key = (obj, include_extras)
    if key not in _hints:
        _hints[key] = _resolve(obj, include_extras=include_extras)
    return _hints[key]


def install() -> None:
    """Route ``typing.get_type_hints`` through the cache (idempotent)."""
    typing.get_type_hints = cached_type_hints

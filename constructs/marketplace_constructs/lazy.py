"""PEP 562 lazy exports: a package names where each public name lives and imports that module on first use,
so importing the package (or its props) does not load the provider bindings its constructs need."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(
    package: str, homes: Mapping[str, str], namespace: dict[str, Any]
) -> Callable[[str], Any]:
    """The package's ``__getattr__``: ``name`` comes from ``<package>.<homes[name]>`` and is then kept in
    ``namespace`` (the package's globals), so later lookups skip the hook."""

    def load(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        namespace[name] = value
        return value

    return load

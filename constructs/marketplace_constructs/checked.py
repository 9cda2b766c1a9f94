"""``@checked``: a props or config dataclass rejects unknown, missing and wrongly typed arguments with one
ConfigError line, before its own ``__post_init__`` checks run.

A dataclass's generated ``__init__`` answers a misspelt keyword with a bare ``TypeError`` traceback, and takes
any value for any field: ``min_size="3"`` or ``availability_zones=["us-east-1a"]`` would reach a comparison
or a hash deep inside a check. ``@checked`` wraps ``__init__`` so that, first,

- an unknown keyword names the file and line of the call, the class, the name and the closest field;
- a missing required field, or a positional argument, says so in one line;
- every value given must match its field's annotation (``int`` is never a ``bool``, a ``tuple[str, ...]`` is
  never a list or a lone string, a nested props field holds that props type, ``None`` only where allowed,
  ``Literal`` values only from their list).

cdktf tokens pass: a string token is a ``str``, and a number token (a float that is an unresolved token)
passes where an ``int`` belongs.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import os
import sys
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final, TypeVar

from marketplace_constructs.errors import ConfigError, is_known

T = TypeVar("T")

# Frames of these files are plumbing between the caller and the class (dataclasses.replace, this module).
_PLUMBING: Final = (os.path.normcase(dataclasses.__file__), os.path.normcase(__file__))


def checked(cls: type[T]) -> type[T]:
    """Class decorator for a ``@dataclass(frozen=True, slots=True, kw_only=True)`` props or config type."""
    original: Callable[..., None] = cls.__init__
    fields = {field.name: field for field in dataclasses.fields(cls)}  # type: ignore[arg-type]
    required = [
        name
        for name, field in fields.items()
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    ]
    owner = cls.__name__
    hints: dict[str, Any] = {}  # resolved on first use: annotations are strings until the module has loaded

    @functools.wraps(original)
    def __init__(self: object, *args: object, **kwargs: object) -> None:
        if args:
            raise ConfigError(
                f"{_call_site()}{owner} takes keyword arguments only, got {len(args)} positional"
            )
        for name in kwargs:
            if name not in fields:
                raise ConfigError(f"{_call_site()}{owner} has no field {name!r}; {_closest(name, fields)}")
        missing = [name for name in required if name not in kwargs]
        if missing:
            raise ConfigError(f"{_call_site()}{owner} needs {', '.join(repr(name) for name in missing)}")
        if not hints:
            hints.update(typing.get_type_hints(cls))
        for name, value in kwargs.items():
            _check_type(owner, name, value, hints[name])
        original(self, **kwargs)

    cls.__init__ = __init__  # type: ignore[method-assign]
    return cls


def _closest(name: str, fields: Mapping[str, object]) -> str:
    match = difflib.get_close_matches(name, fields, n=1, cutoff=0.6)
    if match:
        return f"did you mean {match[0]!r}?"
    return "its fields are " + ", ".join(fields)


def _call_site() -> str:
    """``path:line: `` of the first frame outside dataclasses and this module (the environment module that
    wrote the call), relative to the working directory when it lies below it."""
    frame = sys._getframe(2)
    while frame.f_back is not None and os.path.normcase(frame.f_code.co_filename) in _PLUMBING:
        frame = frame.f_back
    path = frame.f_code.co_filename
    relative = os.path.relpath(path)
    if not relative.startswith(".."):
        path = relative
    return f"{path}:{frame.f_lineno}: "


def _check_type(owner: str, name: str, value: object, hint: Any) -> None:
    if _conforms(value, hint):
        return
    expected = _describe(hint)
    message = f"{owner}.{name} must be {expected}, got {type(value).__name__} {value!r}"
    if typing.get_origin(hint) is typing.Literal and any(
        type(arg) is type(value) for arg in typing.get_args(hint)
    ):
        message = f"{owner}.{name} must be {expected}, got {value!r}"  # right type, value not in the list
    if typing.get_origin(hint) is tuple and isinstance(value, (list, str)):
        items = (value,) if isinstance(value, str) else tuple(value)
        message += f"; write a tuple: {items!r}"
    raise ConfigError(message)


def _conforms(value: object, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any or hint is object:
        return True
    if origin is typing.Literal:
        return any(value == arg and type(value) is type(arg) for arg in args)
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, arm) for arm in args)
    if origin is tuple:
        if not isinstance(value, tuple):
            return False
        if len(args) == 2 and args[1] is Ellipsis:
            return all(_conforms(item, args[0]) for item in value)
        return len(args) == len(value) and all(map(_conforms, value, args))
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        return isinstance(value, Mapping) and all(
            _conforms(key, args[0]) and _conforms(item, args[1]) for key, item in value.items()
        )
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        if isinstance(value, float):
            return not is_known(value)  # a cdktf number token
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, hint)


def _describe(hint: Any) -> str:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(arg) for arg in args)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(arm) for arm in args)
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return f"a tuple of {_bare(_describe(args[0]))}"
        return "a tuple (" + ", ".join(_bare(_describe(arg)) for arg in args) + ")"
    if origin is not None and isinstance(origin, type) and issubclass(origin, Mapping):
        return f"a mapping of {_bare(_describe(args[0]))} to {_bare(_describe(args[1]))}"
    if hint is type(None):
        return "None"
    name = str(getattr(hint, "__name__", hint))
    plain = {"str": "a str", "int": "an int", "bool": "a bool (True or False)", "float": "a number"}
    return plain.get(name, f"{'an' if name[:1] in 'AEIOU' else 'a'} {name}")


def _bare(description: str) -> str:
    """``str`` for ``a str``: element types read better without the article."""
    return description.removeprefix("a ").removeprefix("an ")

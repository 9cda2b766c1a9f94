"""@checked: unknown, missing and wrongly typed arguments are one ConfigError line; every props and config
class of the project carries it."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

import pytest
from cdktf import Fn, Token

import environments.base
import marketplace_constructs
from marketplace_constructs import AwsLocation, ConfigError
from marketplace_constructs.checked import checked


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class SampleProps:
    name: str
    count: int = 1
    enabled: bool = True
    zones: tuple[str, ...] = ()
    pair: tuple[str, int] = ("a", 1)
    tags: Mapping[str, str] = dataclasses.field(default_factory=dict)
    mode: Literal["fast", "safe"] = "safe"
    note: str | None = None
    location: AwsLocation | None = None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": 3}, "SampleProps.name must be a str, got int 3"),
        ({"name": "a", "count": "1"}, "SampleProps.count must be an int, got str '1'"),
        ({"name": "a", "count": True}, "SampleProps.count must be an int, got bool True"),
        ({"name": "a", "count": 1.5}, "SampleProps.count must be an int, got float 1.5"),
        ({"name": "a", "enabled": 1}, r"SampleProps.enabled must be a bool \(True or False\), got int 1"),
        (
            {"name": "a", "enabled": None},
            r"SampleProps.enabled must be a bool \(True or False\), got NoneType",
        ),
        (
            {"name": "a", "zones": ["x", "y"]},
            r"SampleProps.zones must be a tuple of str, got list \['x', 'y'\]; write a tuple: \('x', 'y'\)",
        ),
        ({"name": "a", "zones": "x"}, r"must be a tuple of str, got str 'x'; write a tuple: \('x',\)"),
        ({"name": "a", "zones": ("x", 2)}, r"SampleProps.zones must be a tuple of str, got tuple"),
        ({"name": "a", "pair": ("a", "b")}, r"SampleProps.pair must be a tuple \(str, int\)"),
        ({"name": "a", "tags": {"k": 1}}, "SampleProps.tags must be a mapping of str to str"),
        ({"name": "a", "mode": "quick"}, "SampleProps.mode must be one of 'fast', 'safe', got 'quick'$"),
        ({"name": "a", "note": 5}, "SampleProps.note must be a str or None, got int 5"),
        (
            {"name": "a", "location": "us-east-1"},
            "SampleProps.location must be an AwsLocation or None, got str",
        ),
    ],
)
def test_wrong_types_are_named_with_what_is_allowed(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SampleProps(**kwargs)  # type: ignore[arg-type]


def test_unknown_keyword_names_the_call_site_and_the_closest_field() -> None:
    with pytest.raises(ConfigError) as caught:
        SampleProps(name="a", cuont=2)  # type: ignore[call-arg]
    assert str(caught.value) == (
        f"tests/constructs/test_checked.py:{caught.tb.tb_lineno}: SampleProps has no field 'cuont'; "
        "did you mean 'count'?"
    )


def test_unknown_keyword_through_replace_points_at_the_replace_call() -> None:
    with pytest.raises(
        ConfigError, match=r"test_checked.py:\d+: SampleProps has no field 'enabeld'; did you"
    ):
        replace(SampleProps(name="a"), enabeld=False)


def test_a_name_far_from_every_field_lists_the_fields() -> None:
    with pytest.raises(
        ConfigError, match="SampleProps has no field 'xyz'; its fields are name, count, enabled"
    ):
        SampleProps(name="a", xyz=1)  # type: ignore[call-arg]


def test_missing_and_positional_arguments_are_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"SampleProps needs 'name'$"):
        SampleProps()  # type: ignore[call-arg]
    with pytest.raises(ConfigError, match="SampleProps takes keyword arguments only, got 1 positional"):
        SampleProps("a")  # type: ignore[misc]


def test_tokens_and_good_values_pass() -> None:
    props = SampleProps(
        name=Fn.replace("a", "b", "c"), count=Token.as_number(Fn.length_of(["a"])), zones=("x",),
        pair=("b", 2), tags={"k": "v"}, mode="fast", note=None,
    )  # fmt: skip
    assert props.zones == ("x",) and props.mode == "fast"


def project_config_classes() -> list[type]:
    modules = [environments.base]
    for info in pkgutil.walk_packages(marketplace_constructs.__path__, "marketplace_constructs."):
        modules.append(importlib.import_module(info.name))
    return sorted(
        {
            cls
            for module in modules
            for cls in vars(module).values()
            if isinstance(cls, type)  # module-level dataclass instances are no classes
            and dataclasses.is_dataclass(cls)
            and cls.__name__.endswith(("Props", "Config", "Location", "Thresholds", "Objective"))
        },
        key=lambda cls: cls.__name__,
    )


def test_every_props_and_config_class_is_checked() -> None:
    classes = project_config_classes()
    assert len(classes) >= 18
    unchecked = [cls.__name__ for cls in classes if not hasattr(cls.__init__, "__wrapped__")]
    assert unchecked == []

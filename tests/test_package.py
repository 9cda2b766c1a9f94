"""The library as a package: its license, its type hints, a version that follows the changelog, compatible
dependency ranges the lock satisfies, every public construct and props class at the package root, and a wheel
that a tiny app outside the repository installs and type-checks strictly."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import tomllib
import typing
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def test_the_version_is_the_changelogs_newest_entry() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    newest = re.search(r"^## (\d+\.\d+\.\d+)", (ROOT / "CHANGELOG.md").read_text(), re.MULTILINE)
    assert newest is not None and project["version"] == newest.group(1)


def test_the_license_is_declared_and_shipped_with_the_type_hints() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["license"] == "Apache-2.0"
    assert "Apache License" in (ROOT / "LICENSE").read_text().splitlines()[1]
    assert (ROOT / "constructs" / "marketplace_constructs" / "py.typed").is_file()
    assert pyproject["tool"]["setuptools"]["package-data"]["marketplace_constructs"] == ["py.typed"]


def test_library_dependencies_are_ranges_the_lock_satisfies_and_python_from_311() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    locked = dict(
        line.split("==", 1) for line in (ROOT / "requirements.lock").read_text().splitlines() if "==" in line
    )
    for text in project["dependencies"]:
        requirement = Requirement(text)
        assert "==" not in text and requirement.specifier, f"{text}: a range, not a pin"
        assert requirement.specifier.contains(locked[requirement.name]), (text, locked[requirement.name])


def test_every_public_construct_and_props_class_is_exported_from_the_package_root() -> None:
    from constructs import Construct

    import marketplace_constructs

    exported = set(marketplace_constructs.__all__)
    public: set[str] = set()
    for info in pkgutil.walk_packages(marketplace_constructs.__path__, "marketplace_constructs."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        for name, value in vars(importlib.import_module(info.name)).items():
            defined_here = (
                inspect.isclass(value) and value.__module__ == info.name and not name.startswith("_")
            )
            if defined_here and (issubclass(value, Construct) or name.endswith(("Props", "Ref"))):
                public.add(name)
    assert public <= exported, f"not exported from marketplace_constructs: {sorted(public - exported)}"
    # whatever an exported construct or props class takes is exported too, so each can be built from the root
    needed: set[str] = set()

    def collect(hint: object) -> None:
        if inspect.isclass(hint) and hint.__module__.startswith("marketplace_constructs"):
            needed.add(hint.__name__)
        for argument in typing.get_args(hint):
            collect(argument)

    for name in exported:
        value = getattr(marketplace_constructs, name)
        if inspect.isclass(value):
            for hint in typing.get_type_hints(value.__init__).values():
                collect(hint)
    assert needed <= exported, f"taken by exported classes, not exported: {sorted(needed - exported)}"
    for name in exported:  # every name resolves (lazily); a class or function to its own name
        value = getattr(marketplace_constructs, name)
        assert getattr(value, "__name__", name) == name or name == "NatStrategy"  # a Literal alias


def test_the_wheel_installs_outside_the_repository_and_a_tiny_app_passes_mypy_strict(
    wheel_report: dict[str, Any],
) -> None:
    """The wheel (only the library: no app, tools or tests in it) goes into a fresh virtualenv in a temporary
    folder, which finds the dependencies in this project's environment (the lock's versions) but not the
    repository; a tiny app there imports Vpc, KmsKey and SecureBucket from the package root and passes
    mypy --strict (tests/wheel_check.py, started when the session starts: it runs beside the other tests)."""
    report = wheel_report
    assert report["built"] == 0, report["build_errors"]
    assert report["tops"] == sorted(["marketplace_constructs", report["dist_info"]])
    assert report["typed"]
    assert report["imported_from"].startswith(report["site"])  # the wheel's copy, not the repository's
    assert report["mypy"] == 0, report["mypy_output"]

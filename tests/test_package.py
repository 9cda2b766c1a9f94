"""The library as a package: its license, its type hints, and a version that follows the changelog."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

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

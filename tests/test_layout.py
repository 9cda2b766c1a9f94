"""The library folder `constructs/` must not shadow the `constructs` package (aws/aws-cdk#19301)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import constructs
from constructs import Construct

import marketplace_constructs
from marketplace_constructs import Vpc

ROOT = Path(__file__).parents[1]


def test_constructs_folder_is_not_a_package() -> None:
    assert not (ROOT / "constructs" / "__init__.py").exists()
    assert not list((ROOT / "constructs").glob("*.py"))


def test_pytest_imports_the_real_constructs_library_beside_the_project_constructs() -> None:
    assert "site-packages" in str(constructs.__file__)
    assert Path(marketplace_constructs.__file__).is_relative_to(ROOT / "constructs")
    assert issubclass(Vpc, Construct)


def test_plain_python_main_py_synthesizes_one_environment(tmp_path: Path) -> None:
    """`python main.py` puts the checkout first on sys.path; the real library must still win."""
    env = {**os.environ, "CDKTF_OUTDIR": str(tmp_path / "out"), "MARKETPLACE_ENVIRONMENTS": "dev"}
    result = subprocess.run(
        [sys.executable, "main.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no jsii or Node banner, no warnings
    assert sorted(p.name for p in (tmp_path / "out" / "stacks").iterdir()) == [
        "dev-apps",
        "dev-bootstrap",
        "dev-foundation",
        "dev-platform",
    ]

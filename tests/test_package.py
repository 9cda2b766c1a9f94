"""The library as a package: its license, its type hints, a version that follows the changelog, compatible
dependency ranges the lock satisfies, every public construct and props class at the package root, and a wheel
that a tiny app outside the repository installs and type-checks strictly."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

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
            if defined_here and (issubclass(value, Construct) or name.endswith("Props")):
                public.add(name)
    assert public <= exported, f"not exported from marketplace_constructs: {sorted(public - exported)}"
    for name in exported:  # every name resolves (lazily); a class or function to its own name
        value = getattr(marketplace_constructs, name)
        assert getattr(value, "__name__", name) == name or name == "NatStrategy"  # a Literal alias


TINY_APP = """\
\"\"\"A tiny app outside the repository: a VPC, a KMS key and a bucket from the package root.\"\"\"

from cdktf import App, TerraformStack
from constructs import Construct

from marketplace_constructs import (
    AwsLocation, KmsKey, KmsKeyProps, SecureBucket, SecureBucketProps, Vpc, VpcProps,
)


class Network(TerraformStack):
    def __init__(self, scope: Construct, stack_id: str) -> None:
        super().__init__(scope, stack_id)
        here = AwsLocation(account_id="123456789012", region="eu-west-1")
        key = KmsKey(self, "key", props=KmsKeyProps(alias="tiny", description="tiny app"), location=here)
        props = VpcProps(cidr="10.42.0.0/20", availability_zones=("eu-west-1a", "eu-west-1b"))
        Vpc(self, "vpc", props=props, name="tiny", location=here, log_key_arn=key.arn)
        data = SecureBucketProps(bucket_name="tiny-app-data-123456789012")
        SecureBucket(self, "bucket", props=data, location=here, key_arn=key.arn)


app = App(outdir="out")
Network(app, "tiny")
app.synth()
"""
# What docs/adopting.md tells an adopter to put in their mypy configuration: the provider bindings are
# generated code too large to analyse, and their names type as Any.
TINY_MYPY = """\
[mypy]
strict = True

[mypy-cdktf_cdktf_provider_aws.*,cdktf_cdktf_provider_kubernetes.*,cdktf_cdktf_provider_helm.*]
follow_imports = skip
"""


def test_the_wheel_installs_outside_the_repository_and_a_tiny_app_passes_mypy_strict(tmp_path: Path) -> None:
    """The wheel (only the library: no app, tools or tests in it) goes into a fresh virtualenv in a temporary
    folder, which finds the dependencies in this project's environment (the lock's versions) but not the
    repository; a tiny app there imports Vpc, KmsKey and SecureBucket from the package root and passes
    mypy --strict."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path / "dist"),
         str(ROOT)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        tops = {name.split("/", 1)[0] for name in archive.namelist()}
        assert tops == {"marketplace_constructs", wheel.name.split("-py3")[0] + ".dist-info"}
        assert "marketplace_constructs/py.typed" in archive.namelist()
        venv = tmp_path / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        python = venv / "bin" / "python"
        site = Path(
            subprocess.run(
                [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                capture_output=True, text=True, check=True,
            ).stdout.strip()
        )  # fmt: skip
        archive.extractall(site)
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # a plain path: no hooks
    app = tmp_path / "app"
    app.mkdir()
    (app / "app.py").write_text(TINY_APP)
    (app / "mypy.ini").write_text(TINY_MYPY)
    found = subprocess.run(
        [str(python), "-c", "import marketplace_constructs; print(marketplace_constructs.__file__)"],
        cwd=app, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert found.startswith(str(site)), found  # the wheel's copy, not the repository's
    checked = subprocess.run(
        [str(Path(sys.executable).with_name("mypy")), "--python-executable", str(python), "--cache-dir",
         str(tmp_path / "mypy-cache"), "app.py"],
        cwd=app, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout

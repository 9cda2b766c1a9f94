"""The wheel check tests/test_package.py asserts on, as a process of its own so it runs beside the other tests
(tests/conftest.py starts it when the session starts): build the wheel, install it into a fresh virtualenv in
a temporary folder that sees this environment's dependencies (the lock's versions) through a plain path but
not the repository, and type-check a tiny app there with mypy --strict. Prints a JSON report.

    python -m tests.wheel_check WORKDIR
"""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

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
# What docs/adopting.md ("Using the library alone") tells an adopter to put in their mypy configuration: the
# provider bindings are generated code too large to analyse, and their names type as Any. The dependencies
# come from this environment (the lock's versions), not from resolving the wheel's ranges.
TINY_MYPY = """\
[mypy]
strict = True

[mypy-cdktf_cdktf_provider_aws.*,cdktf_cdktf_provider_kubernetes.*,cdktf_cdktf_provider_helm.*]
follow_imports = skip
"""


def check(workdir: Path) -> dict[str, Any]:
    """Build, install, import and type-check; what each step found."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(workdir / "dist"),
         str(ROOT)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    report: dict[str, Any] = {"built": built.returncode, "build_errors": built.stderr[-2000:]}
    if built.returncode:
        return report
    (wheel,) = (workdir / "dist").glob("*.whl")
    venv = workdir / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()
    )  # fmt: skip
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        archive.extractall(site)
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")  # a plain path: no hooks
    app = workdir / "app"
    app.mkdir()
    (app / "app.py").write_text(TINY_APP)
    (app / "mypy.ini").write_text(TINY_MYPY)
    imported = subprocess.run(
        [str(python), "-c", "import marketplace_constructs; print(marketplace_constructs.__file__)"],
        cwd=app, capture_output=True, text=True, check=False,
    )  # fmt: skip
    checked = subprocess.run(
        [str(Path(sys.executable).with_name("mypy")), "--python-executable", str(python), "--cache-dir",
         str(workdir / "mypy-cache"), "app.py"],
        cwd=app, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return {
        **report,
        "tops": sorted({name.split("/", 1)[0] for name in names}),
        "dist_info": wheel.name.split("-py3")[0] + ".dist-info",
        "typed": "marketplace_constructs/py.typed" in names,
        "site": str(site),
        "imported_from": imported.stdout.strip() or imported.stderr[-2000:],
        "mypy": checked.returncode,
        "mypy_output": checked.stdout[-4000:],
    }


if __name__ == "__main__":
    print(json.dumps(check(Path(sys.argv[1]))))

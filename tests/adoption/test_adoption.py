"""Adopting the project, done for real: a copy of the working tree gets a fifth service (one new module) and a
qa environment cloned from staging into another region (one new module), then the documented command seeds
their release records, and the copy synthesizes and passes this whole suite (snapshots aside: the new stacks
have none yet, and the apps stacks now hold a fifth service). Before that, the tier's guardrails are tried in
the same copy: qa declared production-grade in one zone is refused in one line, as a sandbox it synthesizes.

Several minutes (a full suite in the copy), so it is not part of `bin/dev test`: `bin/dev adoption` runs it,
and CI runs it as a job of its own."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.adoption

ROOT = Path(__file__).resolve().parents[2]
LINKED = (".venv", "node_modules", ".tools")  # installed, not the project's files: shared, never copied

SERVICE = '''"""ratings (Go): buyers' ratings of models, read by the catalogue."""

from marketplace_constructs import AutoscalingProps, LatencyObjectives, MicroserviceProps, TrafficPolicyProps

SPEC = MicroserviceProps(
    name="ratings",
    description="buyers' ratings of models (Go)",
    port=8080,
    routes=("/v1/ratings",),
    callers=("discovery",),
    data_stores=("postgres",),
    autoscaling=AutoscalingProps(
        min_replicas=1, max_replicas=3, cpu_target_percent=70, memory_target_percent=80
    ),
    traffic=TrafficPolicyProps(max_connections=1000),
    objectives=LatencyObjectives(p50_ms=50, p95_ms=150, p99_ms=300),
    image_source="example-org/llm-marketplace-ratings",
)
'''

ENVIRONMENT = '''"""qa (us-east-2): staging's shape in another region of staging's account, for releases."""

from dataclasses import replace

from environments import staging
from environments.base import StateBackendConfig, defining, standard_tags, state_bucket_name

REGION = "us-east-2"
BASE = staging.CONFIG

with defining("qa"):
    CONFIG = replace(
        BASE,
        name="qa",
        tier="staging",
        location=replace(BASE.location, region=REGION),
        network=replace(
            BASE.network, cidr="10.50.0.0/16", availability_zones=tuple(f"{REGION}{zone}" for zone in "abc")
        ),
        edge=replace(
            BASE.edge,
            hosted_zone="qa.llm-marketplace.example.com",
            domain="api.qa.llm-marketplace.example.com",
            operator_domain="admin.qa.llm-marketplace.example.com",
        ),
        backend=StateBackendConfig(
            kind="s3", bucket=state_bucket_name("qa", staging.ACCOUNT_ID), key_alias="qa-tfstate"
        ),
        tags=standard_tags("qa", owner="platform-team", cost_center="marketplace-qa"),
        autoscaling_service_linked_role="existing",  # staging creates it in this account
        owns_account=False,  # staging owns the account: its OIDC provider, boundary and trail
        deploy_role_arn=f"arn:aws:iam::{staging.ACCOUNT_ID}:role/llm-marketplace-qa-deploy",
        plan_role_arn=f"arn:aws:iam::{staging.ACCOUNT_ID}:role/llm-marketplace-qa-plan",
    )
'''
ONE_ZONE = 'availability_zones=(f"{REGION}a",)), kafka=replace(BASE.kafka, broker_count=3'


def run(copy: Path, *command: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    return subprocess.run(command, cwd=copy, capture_output=True, text=True, env=environment, check=False)


def git(copy: Path, *arguments: str) -> str:
    return run(
        copy, "git", "-c", "user.name=adoption", "-c", "user.email=adoption@example.com", *arguments
    ).stdout


@pytest.fixture(scope="module")
def copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working tree's project files (what git tracks, as they are now) in a repository of their own."""
    copy = tmp_path_factory.mktemp("adoption") / "project"
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, tracked):
        source = ROOT / name
        if source.is_symlink() or source.is_file():
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name, follow_symlinks=False)
    for name in LINKED:
        (copy / name).symlink_to(ROOT / name)
    git(copy, "init", "--quiet")
    (copy / ".git" / "info" / "exclude").write_text("\n".join(LINKED) + "\n")
    git(copy, "add", "--all")
    git(copy, "commit", "--quiet", "--message", "as adopted")
    return copy


def touched(copy: Path) -> list[str]:
    return sorted(
        line[3:] for line in git(copy, "status", "--porcelain", "--untracked-files=all").splitlines()
    )


def test_a_fifth_service_and_a_qa_environment_need_one_module_each_and_pass_every_check(copy: Path) -> None:
    python = str(copy / ".venv" / "bin" / "python")
    qa = copy / "environments" / "qa.py"
    # production-grade in one zone: refused in one line, exit 2, nothing written
    qa.write_text(ENVIRONMENT.replace('tier="staging"', 'tier="production", service_replicas={}').replace(
        'availability_zones=tuple(f"{REGION}{zone}" for zone in "abc")', ONE_ZONE
    ))  # fmt: skip
    refused = run(copy, python, "main.py")
    assert refused.returncode == 2 and not (copy / "cdktf.out").exists()
    assert refused.stderr == (
        "error: environment 'qa': VpcProps.availability_zones must list at least 3 zones in tier "
        "'production' (high availability), got 1: ('us-east-2a',); declare tier='sandbox' for a one-zone "
        "sandbox\n"
    )
    # a sandbox may use one zone
    qa.write_text(ENVIRONMENT.replace('tier="staging"', 'tier="sandbox"').replace(
        'availability_zones=tuple(f"{REGION}{zone}" for zone in "abc")', ONE_ZONE
    ))  # fmt: skip
    (copy / "environments" / "releases" / "qa.json").write_text("{}\n")
    sandbox = run(copy, python, "-m", "tools.release", "--seed")
    assert sandbox.returncode == 0, sandbox.stderr
    synthesized = run(copy, "bin/dev", "synth")
    assert synthesized.returncode == 0 and synthesized.stdout.endswith("20 stacks → cdktf.out\n"), (
        synthesized.stderr
    )
    git(copy, "checkout", "--quiet", "--", ".")
    git(
        copy,
        "clean",
        "--quiet",
        "-d",
        "--force",
        "--exclude=.venv",
        "--exclude=node_modules",
        "--exclude=.tools",
    )

    # the adoption itself: a service module, an environment module, the documented seeding command
    (copy / "services" / "ratings.py").write_text(SERVICE)
    qa.write_text(ENVIRONMENT)
    seeded = run(copy, "bin/dev", "release", "--seed")
    assert seeded.returncode == 0, seeded.stderr
    releases = sorted(
        f"environments/releases/{path.name}" for path in (copy / "environments" / "releases").iterdir()
    )
    assert touched(copy) == sorted(["environments/qa.py", "services/ratings.py", *releases])
    synthesized = run(copy, "bin/dev", "synth")
    assert synthesized.returncode == 0 and synthesized.stdout.endswith("20 stacks → cdktf.out\n"), (
        synthesized.stderr
    )
    checked = run(copy, python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--snapshot-update", "-x")
    assert checked.returncode == 0, checked.stdout[-4000:]
    print(checked.stdout.splitlines()[-1])  # the copy's count and time, for the record

"""A broken environment value stops `python main.py` with one clear line, exit 2, and cdktf.out untouched."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import environments

ROOT = Path(__file__).parents[2]
APP_FILES = ("main.py", "stacks", "environments", "services", "tools", "charts/vendor.yaml")


def tree_digest(folder: Path) -> str:
    """Names, bytes and modification times of everything under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(f"{path.relative_to(folder)}:{path.stat().st_mtime_ns}".encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def run_broken_app(
    tmp_path: Path, file: str, old: str, new: str | None, selected: str = ""
) -> tuple[int, str, str]:
    """Copy the app into ``tmp_path`` (made if missing), replace ``old`` by ``new`` in ``file`` (remove the
    file when ``new`` is None), run main.py over an existing cdktf.out.

    Returns exit status, stderr, and whether cdktf.out stayed identical ("same"/"changed")."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    for name in APP_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, tmp_path / name)
    target = tmp_path / file
    text = target.read_text()
    assert old in text, f"{old!r} not in {file}"
    if new is None:
        target.unlink()
    else:
        target.write_text(text.replace(old, new, 1))
    previous = tmp_path / "cdktf.out"
    (previous / "stacks" / "dev-foundation").mkdir(parents=True)
    (previous / "stacks" / "dev-foundation" / "cdk.tf.json").write_text('{"previous": "synth"}')
    before = tree_digest(previous)
    env = {k: v for k, v in os.environ.items() if k != "CDKTF_OUTDIR"}
    env["MARKETPLACE_ENVIRONMENTS"] = selected
    result = subprocess.run(
        [sys.executable, "main.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".cdktf.out")]
    state = "same" if tree_digest(previous) == before and not leftovers else "changed"
    return result.returncode, result.stderr, state


CASES = {
    "malformed_cidr": (
        "environments/dev.py", 'cidr="10.10.0.0/16"', 'cidr="10.10.0.0/33"',
        "error: environment 'dev': VpcProps.cidr must be an IPv4 network in CIDR notation such as "
        "'10.10.0.0/16', "
        "got '10.10.0.0/33'",
    ),
    "cidr_not_a_16": (
        "environments/dev.py", 'cidr="10.10.0.0/16"', 'cidr="10.10.0.0/20"',
        "error: environment 'dev': VpcProps.cidr must be a /16 network, got '10.10.0.0/20'",
    ),
    "public_cidr": (
        "environments/dev.py", 'cidr="10.10.0.0/16"', 'cidr="8.8.0.0/16"',
        "error: environment 'dev': VpcProps.cidr must be a private (RFC 1918) range",
    ),
    "overlapping_cidr": (
        "environments/staging.py", 'cidr="10.20.0.0/16"', 'cidr="10.10.0.0/16"',
        "error: environment 'staging': VpcProps.cidr 10.10.0.0/16 overlaps environment 'dev' (10.10.0.0/16); "
        "give each environment its own /16",
    ),
    "one_zone_in_staging": (
        "environments/staging.py", 'cidr="10.20.0.0/16",',
        'cidr="10.20.0.0/16", availability_zones=("us-east-1a",),',
        "error: environment 'staging': VpcProps.availability_zones must list at least 2 zones in tier "
        "'staging' (high availability), got 1",
    ),
    "zone_outside_region": (
        "environments/dev.py", '"us-east-1c")', '"us-west-2c")',
        "error: environment 'dev': VpcProps.availability_zones must hold zones of region 'us-east-1' "
        "such as 'us-east-1a', got 'us-west-2c'",
    ),
    "region_typo": (
        "environments/dev.py", 'region="us-east-1"', 'region="us-east1"',
        "error: environment 'dev': AwsLocation.region must be one of 'af-south-1',",
    ),
    "min_above_max": (
        "environments/dev.py", "min_size=1, desired_size=1, max_size=3",
        "min_size=4, desired_size=4, max_size=3",
        "error: environment 'dev': NodeGroupProps.max_size (3) must be >= min_size (4)",
    ),
    "missing_tag": (
        "environments/dev.py", 'cost_center="marketplace-dev"', 'cost_center=""',
        "error: environment 'dev': EnvironmentConfig.tags must set Project, Environment, Owner, CostCenter; "
        "missing CostCenter",
    ),
    "single_az_production_database": (
        "environments/production.py", "multi_az=True", "multi_az=False",
        "error: environment 'production': PostgresProps.multi_az must be True in tier 'production', so a "
        "zone outage fails over to the standby, got False",
    ),
    "no_database_backups": (
        "environments/production.py", "backup_retention_days=30", "backup_retention_days=0",
        "error: environment 'production': PostgresProps.backup_retention_days must be between 1 and 35 days, "
        "got 0",
    ),
    "brokers_not_a_multiple_of_zones": (
        "environments/production.py", "broker_count=3", "broker_count=4",
        "error: environment 'production': KafkaProps.broker_count (4) must be a multiple of the zone count "
        "(3), so MSK can spread brokers evenly",
    ),
    "kubernetes_out_of_support": (
        "environments/dev.py", "cluster=EksClusterProps(",
        'cluster=EksClusterProps(kubernetes_version="1.28", ',
        "error: environment 'dev': EksClusterProps.kubernetes_version must be a version under EKS standard "
        "support ('1.34', '1.35', '1.36'), got '1.28'",
    ),
    "desired_outside_range": (
        "environments/dev.py", "min_size=1, desired_size=1, max_size=3",
        "min_size=1, desired_size=5, max_size=3",
        "error: environment 'dev': NodeGroupProps.desired_size must be between min_size (1) and max_size "
        "(3), got 5",
    ),
    "x86_type_on_graviton_group": (
        "environments/dev.py", 'general=NodeGroupProps(instance_types=("m7i.large",),',
        'general=NodeGroupProps(instance_types=("m7i.large",), graviton=True,',
        "error: environment 'dev': NodeGroupProps.instance_types must all be Graviton (arm64) types such as "
        "'m7g.large' because graviton=True, got 'm7i.large'",
    ),
    "dr_in_production_region": (
        "environments/dr.py", 'REGION = "us-west-2"', 'REGION = "us-east-1"',
        "error: environment 'dr': StandbyConfig.primary 'production' is in us-east-1 too; a standby must be "
        "in another region, so one regional outage cannot take both",
    ),
    "dr_role_unknown": (
        "environments/dr.py", 'ROLE: RecoveryRole = "standby"', 'ROLE: RecoveryRole = "passive"',
        "error: environment 'dr': StandbyConfig.role must be one of 'standby', 'active', got 'passive'",
    ),
    "replication_without_destination_key": (
        "environments/dr.py", 'replica_key_alias="dr-replicas"', 'replica_key_alias=""',
        "error: environment 'dr': StandbyConfig.replica_key_alias must name the KMS key (alias) that "
        "encrypts the replicas; replication needs a destination key of the standby's region",
    ),
    "repository_not_owner_slash_name": (
        "environments/repository.py", 'REPOSITORY: Final = "example-org/llm-marketplace-infrastructure"',
        'REPOSITORY: Final = "llm-marketplace-infrastructure"',
        "error: environments/repository.py.REPOSITORY must be 'owner/name' of a GitHub repository, got "
        "'llm-marketplace-infrastructure'",
    ),
    "replicated_database_with_rds_managed_password": (
        "environments/production.py", 'master_password_source="write-only"',
        'master_password_source="rds-managed"',
        "error: environment 'production': PostgresProps.master_password_source must be 'write-only' (RDS "
        "refuses a read replica, dr's, of an instance whose password RDS manages), got 'rds-managed'",
    ),
    "backup_frequency_over_the_objective": (
        "environments/dr.py", "CONFIG = ", None,  # production's backups then have no standby to meet the RPO
        "error: environment 'production': production: BackupConfig.frequency_minutes gives PostgreSQL a "
        "recovery point of 60 minutes (AWS Backup snapshot copied to us-west-2); "
        "RecoveryObjectives.rpo_minutes allows 15",
    ),
}  # fmt: skip


def run_broken_apps(
    root: Path, cases: dict[str, tuple[str, str, str | None]]
) -> dict[str, tuple[int, str, str]]:
    """run_broken_app for every case (name: (file, old, new)), each in its own folder under ``root``, a few
    at a time: each is a separate process, so the cases share the machine's cores instead of queueing."""
    with ThreadPoolExecutor(max_workers=(os.cpu_count() or 2) + 1) as pool:
        futures = {
            name: pool.submit(run_broken_app, root / name, file, old, new)
            for name, (file, old, new) in cases.items()
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, str]]:
    root = tmp_path_factory.mktemp("bad-input")
    return run_broken_apps(root, {name: case[:3] for name, case in CASES.items()})


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_environment_value_stops_synthesis_cleanly(
    outcomes: dict[str, tuple[int, str, str]], case: str
) -> None:
    message = CASES[case][3]
    status, stderr, previous_output = outcomes[case]
    assert status == 2
    assert stderr.startswith(message), stderr
    assert len(stderr.splitlines()) == 1 and "Traceback" not in stderr
    assert previous_output == "same"


def test_unknown_environment_name_lists_the_allowed_ones(tmp_path: Path) -> None:
    """A name no environment can have (longer than 12 characters), so adding one never breaks the test."""
    status, stderr, previous_output = run_broken_app(
        tmp_path, "main.py", "", "", selected="nosuchenvironment"
    )
    assert status == 2
    allowed = ", ".join(repr(name) for name in environments.NAMES)
    assert stderr == f"error: environment 'nosuchenvironment' is unknown; allowed environments: {allowed}\n"
    assert previous_output == "same"

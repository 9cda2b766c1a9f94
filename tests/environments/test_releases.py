"""Release records (environments/releases/<env>.json): every shipped file loads, each mistake gets its own
one-line message, and `python -m tools.rollback` appends the previous release or refuses: one line, exit 2."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import environments
from environments.base import EnvironmentConfig, defining
from environments.releases import (
    PLACEHOLDER_DIGEST,
    RELEASES_DIR,
    image_for,
    image_reference,
    load_releases,
)
from marketplace_constructs import ConfigError
from services import SPECS
from tools import rollback

ROOT = Path(__file__).parents[2]
SERVICES = tuple(spec.name for spec in SPECS)
PRODUCTION = next(env for env in environments.ALL if env.name == "production")
ACCOUNT, REGION = PRODUCTION.location.account_id, PRODUCTION.location.region
DIGEST_A, DIGEST_B = "sha256:" + "a" * 64, "sha256:" + "b" * 64
REF_A = image_reference(ACCOUNT, REGION, "publishing", DIGEST_A)
REF_B = image_reference(ACCOUNT, REGION, "publishing", DIGEST_B)


@pytest.fixture
def releases(tmp_path: Path) -> Path:
    """A copy of the shipped release files."""
    copy = tmp_path / "releases"
    shutil.copytree(RELEASES_DIR, copy)
    return copy


def set_history(directory: Path, env: str, service: str, history: object) -> Path:
    path = directory / f"{env}.json"
    document = json.loads(path.read_text())
    document[service]["history"] = history
    path.write_text(rollback.render(document))
    return path


def production_error(directory: Path) -> str:
    """The one-line message main.py would print for the production release file in ``directory``."""
    with pytest.raises(ConfigError) as caught, defining("production"):
        load_releases("production", ACCOUNT, REGION, SERVICES, directory=directory)
    message = str(caught.value)
    assert "\n" not in message
    return message


def run_rollback(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.rollback", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


# Shipped files


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_every_shipped_release_file_loads_for_its_environment(env: EnvironmentConfig) -> None:
    loaded = load_releases(env.name, env.location.account_id, env.location.region, SERVICES)
    assert tuple(loaded) == SERVICES
    for service in SERVICES:
        assert image_for(env, service) == loaded[service][-1]
        assert loaded[service] == (
            image_reference(env.location.account_id, env.location.region, service, PLACEHOLDER_DIGEST),
        )


def test_there_is_one_release_file_per_environment_and_the_tool_knows_the_same_names() -> None:
    assert sorted(path.stem for path in RELEASES_DIR.glob("*.json")) == sorted(environments.NAMES)
    assert rollback.environments() == tuple(sorted(environments.NAMES))


@pytest.mark.parametrize("env", environments.NAMES)
def test_shipped_release_files_are_in_canonical_form(env: str) -> None:
    text = (RELEASES_DIR / f"{env}.json").read_text()
    assert text == rollback.render(json.loads(text))


def test_dr_pulls_from_its_own_region() -> None:
    dr = next(env for env in environments.ALL if env.name == "dr")
    registry = "333333333333.dkr.ecr.us-west-2.amazonaws.com"
    assert image_for(dr, "admin").startswith(f"{registry}/llm-marketplace/admin@")


# One-line messages

BAD_REFERENCES = {
    "tag": (
        f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/llm-marketplace/publishing:1.4.2",
        "releases/production.json: publishing.history[0] is not pinned by a digest (<registry>/<repository>"
        "@sha256: and 64 lowercase hex digits; tags move), got "
        f"'{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/llm-marketplace/publishing:1.4.2'",
    ),
    "short digest": (
        REF_A[:-1],
        f"releases/production.json: publishing.history[0] ends in 'sha256:{'a' * 63}', which is not a digest "
        "(sha256: and 64 lowercase hex digits)",
    ),
    "uppercase digest": (
        REF_A.replace("a" * 64, "A" * 64),
        f"releases/production.json: publishing.history[0] ends in 'sha256:{'A' * 64}', which is not a digest "
        "(sha256: and 64 lowercase hex digits)",
    ),
    "other registry": (
        f"docker.io/llm-marketplace/publishing@{DIGEST_A}",
        "releases/production.json: publishing.history[0] names registry 'docker.io', not this environment's "
        "ECR registry (333333333333.dkr.ecr.us-east-1.amazonaws.com)",
    ),
    "other account": (
        image_reference("444444444444", REGION, "publishing", DIGEST_A),
        "releases/production.json: publishing.history[0] names account 444444444444's registry, not this "
        "environment's (333333333333)",
    ),
    "other region": (
        image_reference(ACCOUNT, "us-west-2", "publishing", DIGEST_A),
        "releases/production.json: publishing.history[0] names region us-west-2's registry, not this "
        "environment's (us-east-1); each environment pulls from the registry in its own region",
    ),
    "other repository": (
        image_reference(ACCOUNT, REGION, "discovery", DIGEST_A),
        "releases/production.json: publishing.history[0] names repository 'llm-marketplace/discovery', not "
        "this service's ('llm-marketplace/publishing')",
    ),
}


@pytest.mark.parametrize("reference, expected", BAD_REFERENCES.values(), ids=BAD_REFERENCES.keys())
def test_a_bad_reference_is_named_part_by_part(releases: Path, reference: str, expected: str) -> None:
    set_history(releases, "production", "publishing", [reference])
    assert production_error(releases) == f"environment 'production': {expected}"


def test_every_entry_of_the_history_is_checked_not_only_the_current_one(releases: Path) -> None:
    old = image_reference("444444444444", REGION, "publishing", DIGEST_A)
    set_history(releases, "production", "publishing", [REF_A, old, REF_B])
    assert "publishing.history[1] names account 444444444444's registry" in production_error(releases)


BAD_FILES = {
    "missing file": (
        None,
        "releases/production.json: file not found; every environment needs its release record (bin/dev "
        "release --seed writes a new one's)",
    ),
    "invalid JSON": (
        '{\n  "admin": {"history": []}\n  "publishing": {}\n}\n',
        "releases/production.json: invalid JSON at line 3, column 3: Expecting ',' delimiter",
    ),
    "not an object": ("[]\n", "releases/production.json: must be an object mapping each service to its "
                      "release history, got an array"),
    "duplicate key": (
        '{"admin": {"history": []}, "admin": {"history": []}}',
        "releases/production.json: key 'admin' appears twice in one object (a bad merge?)",
    ),
}  # fmt: skip


@pytest.mark.parametrize("text, expected", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_refused_in_one_line(releases: Path, text: str | None, expected: str) -> None:
    path = releases / "production.json"
    if text is None:
        path.unlink()
    else:
        path.write_text(text)
    assert production_error(releases) == f"environment 'production': {expected.format(path=path)}"


def test_an_unknown_service_lists_the_allowed_ones(releases: Path) -> None:
    path = releases / "production.json"
    document = json.loads(path.read_text())
    document["billing"] = {"history": [REF_A]}
    path.write_text(rollback.render(document))
    assert production_error(releases) == (
        "environment 'production': releases/production.json: 'billing' is not a known service; allowed: "
        + ", ".join(SERVICES)
    )


def test_a_missing_service_is_named(releases: Path) -> None:
    path = releases / "production.json"
    document = json.loads(path.read_text())
    del document["consumption"]
    path.write_text(rollback.render(document))
    assert production_error(releases) == (
        "environment 'production': releases/production.json: consumption is missing; every service needs its "
        "release history ('consumption': {\"history\": [...]}; bin/dev release --seed adds a new one's)"
    )


BAD_HISTORIES = {
    "empty": ([], "publishing.history is empty; it must end with the image the environment runs"),
    "not an array": (REF_A, "publishing.history must be an array of image references, newest last, got a "
                     "string"),
    "not a string": ([REF_A, 7], "publishing.history[1] must be a string (an image reference), got a number"),
}  # fmt: skip


@pytest.mark.parametrize("history, expected", BAD_HISTORIES.values(), ids=BAD_HISTORIES.keys())
def test_a_bad_history_is_refused_in_one_line(releases: Path, history: object, expected: str) -> None:
    set_history(releases, "production", "publishing", history)
    assert production_error(releases) == f"environment 'production': releases/production.json: {expected}"


def test_a_service_entry_holds_only_its_history(releases: Path) -> None:
    path = releases / "production.json"
    document = json.loads(path.read_text())
    document["admin"]["current"] = REF_A
    path.write_text(rollback.render(document))
    assert production_error(releases) == (
        "environment 'production': releases/production.json: admin.current is not a known field; allowed: "
        "history"
    )


def test_image_for_names_a_service_the_file_lacks(releases: Path) -> None:
    with pytest.raises(ConfigError, match=r"^releases/production.json: billing is missing; .*lists: admin, "):
        image_for(PRODUCTION, "billing", directory=releases)


def test_image_for_checks_the_environment_it_is_given(releases: Path) -> None:
    staging = next(env for env in environments.ALL if env.name == "staging")
    shutil.copy(releases / "production.json", releases / "staging.json")  # a copy-paste between files
    with pytest.raises(ConfigError, match=r"names account 333333333333's registry, not this environment's"):
        image_for(staging, "admin", directory=releases)


# Rollback


def test_rollback_appends_the_earlier_release_and_prints_the_change(releases: Path) -> None:
    path = set_history(releases, "production", "publishing", [REF_A, REF_B])
    result = run_rollback("production", "publishing", "--file", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert json.loads(path.read_text())["publishing"]["history"] == [REF_A, REF_B, REF_A]
    lines = result.stdout.splitlines()
    assert lines[0] == f"production publishing: {REF_B} -> {REF_A}"
    assert any("cdktf diff production-apps" in line for line in lines)
    assert any("cdktf deploy production-apps" in line and "Slack" in line for line in lines)
    assert lines[-1] == "Flagger then canaries the old digest like any release."
    load_releases("production", ACCOUNT, REGION, SERVICES, directory=releases)  # still valid
    assert [p.name for p in releases.iterdir() if p.name.startswith(".")] == []  # no temporary left


def test_rolling_back_twice_undoes_the_rollback_and_repeats_are_skipped(releases: Path) -> None:
    path = set_history(releases, "production", "publishing", [REF_A, REF_B, REF_B])
    assert rollback.main(["production", "publishing", "--file", str(path)]) == 0
    assert rollback.main(["production", "publishing", "--file", str(path)]) == 0
    assert json.loads(path.read_text())["publishing"]["history"] == [REF_A, REF_B, REF_B, REF_A, REF_B]


def test_rollback_writes_the_canonical_form_byte_for_byte(releases: Path, tmp_path: Path) -> None:
    first = set_history(releases, "production", "publishing", [REF_A, REF_B])
    second = tmp_path / "production.json"
    document = json.loads(first.read_text())
    second.write_text(json.dumps(document, indent=4) + "\n")  # same content, other formatting
    second.chmod(0o644)
    for path in (first, second):
        assert rollback.main(["production", "publishing", "--file", str(path)]) == 0
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text() == rollback.render(json.loads(first.read_text()))
    assert second.stat().st_mode & 0o777 == 0o644


REFUSALS = {
    "unknown environment": (
        ("nosuchenvironment", "publishing"),
        "error: environment 'nosuchenvironment' has no release file; allowed: "
        + ", ".join(sorted(environments.NAMES)),
    ),
    "unknown service": (
        ("production", "billing"),
        "error: service 'billing' is unknown in production; allowed: admin, consumption, discovery, "
        "publishing",
    ),
    "single-entry history": (
        ("production", "publishing"),
        "error: {file}: publishing in production has no earlier release to roll back to (history: 1 entry, "
        f"current {image_reference(ACCOUNT, REGION, 'publishing', PLACEHOLDER_DIGEST)})",
    ),
    "missing argument": (("production",), "error: the following arguments are required: SERVICE; usage: "),
}


@pytest.mark.parametrize("args, expected", REFUSALS.values(), ids=REFUSALS.keys())
def test_rollback_refuses_in_one_line_exit_2(releases: Path, args: tuple[str, ...], expected: str) -> None:
    path = releases / "production.json"
    before = path.read_bytes()
    result = run_rollback(*args, "--file", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith(expected.format(file=path))
    assert path.read_bytes() == before


def test_rollback_refuses_the_same_digest_repeated(releases: Path) -> None:
    path = set_history(releases, "production", "publishing", [REF_A, REF_A])
    assert rollback.main(["production", "publishing", "--file", str(path)]) == 2
    assert json.loads(path.read_text())["publishing"]["history"] == [REF_A, REF_A]


def test_rollback_imports_neither_cdktf_nor_jsii() -> None:
    modules = ("cdktf", "jsii", "environments")
    code = f"import sys, tools.rollback; print([m for m in {modules!r} if m in sys.modules])"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=30
    )
    assert result.stdout == "[]\n"

"""tools/release: the image pipeline's pull request and a promotion append one digest to a service's history,
in the environment's own registry, and refuse bad input in one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import environments
from environments.releases import load_releases
from services import SPECS
from tools import release as release_tool
from tools.release import current_digest, release
from tools.release_file import RELEASES_DIR, Refused

DIGEST = "sha256:" + "d" * 64


@pytest.fixture
def releases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = tmp_path / "releases"
    shutil.copytree(RELEASES_DIR, copy)
    monkeypatch.setattr(release_tool, "RELEASES_DIR", copy)
    return copy


def test_a_release_appends_the_digest_in_the_environments_own_registry(releases: Path) -> None:
    old, new = release("staging", "publishing", DIGEST, releases / "staging.json")
    assert new == f"{old.split('@')[0]}@{DIGEST}" and new.startswith("222222222222.dkr.ecr.us-east-1.")
    assert json.loads((releases / "staging.json").read_text())["publishing"]["history"][-2:] == [old, new]
    staging = next(env for env in environments.ALL if env.name == "staging")
    names = tuple(spec.name for spec in SPECS)
    load_releases("staging", staging.location.account_id, staging.location.region, names, directory=releases)


def test_promotion_takes_the_digest_another_environment_runs(releases: Path) -> None:
    release("dev", "admin", DIGEST, releases / "dev.json")
    assert release_tool.main(["production", "admin", "--from", "dev"]) == 0
    assert current_digest("production", "admin", releases / "production.json") == DIGEST
    production = json.loads((releases / "production.json").read_text())["admin"]["history"][-1]
    assert production.startswith("333333333333.dkr.ecr.us-east-1.amazonaws.com/llm-marketplace/admin@")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["dev", "publishing", "sha256:abc"], "is not an image digest"),
        (["prod", "publishing", DIGEST], "environment 'prod' has no release file"),
        (["dev", "search", DIGEST], "service 'search' is unknown in dev"),
        (["dev", "publishing"], "give ENV SERVICE and one of DIGEST or --from ENV, or --seed alone"),
        (["--seed", "dev"], "--seed takes no other arguments"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_the_file_unchanged(
    releases: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (releases / "dev.json").read_text()
    assert release_tool.main(argv) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and message in error
    assert (releases / "dev.json").read_text() == before


def test_the_current_digest_again_is_refused(releases: Path) -> None:
    release("dev", "publishing", DIGEST, releases / "dev.json")
    with pytest.raises(Refused, match="already runs"):
        release("dev", "publishing", DIGEST, releases / "dev.json")


def test_seed_writes_what_a_new_environment_and_a_new_service_need_and_nothing_twice(
    releases: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The shipped records hold only placeholders, so seeding after removing a file and a service gives them
    back byte for byte; a second run writes nothing."""
    shipped = {path.name: path.read_bytes() for path in releases.glob("*.json")}
    first, last = environments.ALL[0].name, environments.ALL[-1].name
    (releases / f"{first}.json").unlink()
    document = json.loads((releases / f"{last}.json").read_text())
    del document[SPECS[-1].name]
    (releases / f"{last}.json").write_text(json.dumps(document))
    assert release_tool.main(["--seed"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith(f"{first}.json: seeded {', '.join(spec.name for spec in SPECS)}")
    assert lines[1].endswith(f"{last}.json: seeded {SPECS[-1].name}")
    assert {path.name: path.read_bytes() for path in releases.glob("*.json")} == shipped
    assert release_tool.main(["--seed"]) == 0
    assert capsys.readouterr().out.startswith(
        "every environment already records every service; nothing seeded"
    )

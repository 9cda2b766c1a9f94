"""checkov over every synthesized stack: zero failed checks beyond the reviewed skips in policy/."""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

SKIPS_FILE = Path(__file__).parents[2] / "policy" / "checkov-skips.yaml"


def load_skips() -> list[dict[str, Any]]:
    skips: list[dict[str, Any]] = yaml.safe_load(SKIPS_FILE.read_text())
    for skip in skips:
        assert set(skip) == {"check", "stacks", "resources", "reason"}, skip
        assert skip["reason"].strip() and "\n" not in skip["reason"].strip(), skip
    return skips


def skip_for(failure: dict[str, Any], skips: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The skip entry covering ``failure`` (a checkov failed check), if any."""
    stack = Path(failure["file_path"]).parent.name
    resource = failure["resource"].rsplit(".", 1)[-1]  # Terraform name, without type or "resource." prefix
    for skip in skips:
        if (
            skip["check"] == failure["check_id"]
            and any(fnmatch.fnmatch(stack, pattern) for pattern in skip["stacks"])
            and any(fnmatch.fnmatch(resource, pattern) for pattern in skip["resources"])
        ):
            return skip
    return None


@pytest.fixture(scope="session")
def checkov_report(synth_dir: Path) -> dict[str, Any]:
    checkov = Path(sys.executable).with_name("checkov")
    result = subprocess.run(
        [str(checkov), "--directory", str(synth_dir / "stacks"), "--framework", "terraform_json",
         "--output", "json", "--quiet", "--compact", "--skip-download"],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert result.stdout.strip(), result.stderr
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def test_checkov_finds_no_failed_check_beyond_reviewed_skips(checkov_report: dict[str, Any]) -> None:
    skips = load_skips()
    failures = checkov_report["results"]["failed_checks"]
    unexplained = [
        f"{f['check_id']} {Path(f['file_path']).parent.name}/{f['resource']}: {f['check_name']}"
        for f in failures
        if skip_for(f, skips) is None
    ]
    assert unexplained == []
    assert checkov_report["summary"]["passed"] > 300  # checkov really parsed the stacks


def test_every_reviewed_skip_still_matches_a_failure(checkov_report: dict[str, Any]) -> None:
    skips = load_skips()
    failures = checkov_report["results"]["failed_checks"]
    matched = {id(skip) for failure in failures if (skip := skip_for(failure, skips)) is not None}
    assert [skip["check"] for skip in skips if id(skip) not in matched] == []

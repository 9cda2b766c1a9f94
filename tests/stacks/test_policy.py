"""checkov over every synthesized stack: zero failed checks beyond the reviewed skips in policy/."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy.gate import GateResult, evaluate, label, load_skips, run_checkov


@pytest.fixture(scope="session")
def gate(synth_dir: Path) -> GateResult:
    return evaluate(run_checkov(synth_dir / "stacks"), load_skips())


def test_checkov_finds_no_failed_check_beyond_reviewed_skips(gate: GateResult) -> None:
    assert [label(f) for f in gate.failed] == []
    assert gate.passed > 300  # checkov really parsed the stacks


def test_every_reviewed_skip_still_matches_a_failure(gate: GateResult) -> None:
    assert gate.stale_skips == []


def test_a_skip_covers_only_its_own_check_stack_and_resource() -> None:
    skips = load_skips()
    finding = {
        "check_id": "CKV_AWS_338",
        "file_path": "/dev-foundation/cdk.tf.json",
        "resource": "resource.x",
    }
    assert evaluate({"summary": {"passed": 1}, "results": {"failed_checks": [finding]}}, skips).failed == [
        finding
    ]

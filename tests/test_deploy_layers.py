"""tools/deploy_layers: an environment's stacks in layer order, each applied from the plan it saved, and the
database password fetched only for the stacks that declare it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.deploy_layers import COMMANDS, main, needs_master_password, stacks_to_deploy


def test_layers_in_order_without_the_locally_kept_bootstrap(synth_dir: Path) -> None:
    assert stacks_to_deploy(synth_dir, "production") == [
        "production-foundation", "production-platform", "production-apps",
    ]  # fmt: skip


def test_each_stack_applies_exactly_the_plan_it_saved() -> None:
    assert [command[1] for command in COMMANDS] == ["init", "plan", "apply"]
    assert "-out=tfplan" in COMMANDS[1] and COMMANDS[2][-1] == "tfplan"


def test_only_stacks_with_a_write_only_password_get_it(synth_dir: Path) -> None:
    stacks = synth_dir / "stacks"
    assert needs_master_password(stacks / "production-foundation")
    assert needs_master_password(stacks / "dr-foundation") is False  # a replica has no password of its own
    assert needs_master_password(stacks / "production-apps") is False


def test_dry_run_prints_the_commands_in_order(synth_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["staging", "--synth", str(synth_dir), "--dry-run"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines[::3]] == [
        "staging-foundation",
        "staging-platform",
        "staging-apps",
    ]
    assert lines[2] == "staging-foundation: terraform apply -input=false -no-color tfplan"


def test_an_unknown_environment_stops_with_one_line(synth_dir: Path) -> None:
    with pytest.raises(SystemExit, match="no stacks of environment 'nosuchenvironment'"):
        stacks_to_deploy(synth_dir, "nosuchenvironment")

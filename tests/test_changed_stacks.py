"""tools/changed_stacks: a pull request plans only the stacks whose synthesized JSON differs from the base."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import environments
from tools.changed_stacks import changed, main, plannable


@pytest.fixture()
def base(synth_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "base"
    shutil.copytree(synth_dir, copy)
    return copy


def test_without_a_base_every_plannable_stack_is_listed(synth_dir: Path) -> None:
    stacks = plannable(synth_dir)
    assert stacks == changed(synth_dir, None)
    assert not [s for s in stacks if s.endswith("-bootstrap")]  # local state: nothing in S3 to plan against
    layers = ("foundation", "platform", "apps")
    s3 = [env.name for env in environments.ALL if env.backend.kind == "s3"]
    assert stacks == sorted(f"{env}-{layer}" for env in s3 for layer in layers)


def test_a_stack_with_local_state_is_not_plannable(synth_dir: Path, base: Path) -> None:
    stack_file = base / "stacks" / "dev-apps" / "cdk.tf.json"
    doc = json.loads(stack_file.read_text())
    doc["terraform"]["backend"] = {"local": {"path": "terraform.dev-apps.tfstate"}}
    stack_file.write_text(json.dumps(doc))
    assert "dev-apps" not in plannable(base) and "dev-apps" in plannable(synth_dir)


def test_identical_output_plans_nothing_and_one_edit_plans_that_stack(synth_dir: Path, base: Path) -> None:
    assert changed(synth_dir, base) == []
    edited = base / "stacks" / "staging-apps" / "cdk.tf.json"
    edited.write_text(edited.read_text().replace("staging", "stagin", 1))
    assert changed(synth_dir, base) == ["staging-apps"]
    shutil.rmtree(base / "stacks" / "dr-platform")  # a stack new in the change
    assert changed(synth_dir, base) == ["dr-platform", "staging-apps"]


def test_prints_the_plan_matrix(synth_dir: Path, base: Path, capsys: pytest.CaptureFixture[str]) -> None:
    edited = base / "stacks" / "production-foundation" / "cdk.tf.json"
    edited.write_text(edited.read_text() + " ")
    assert main([str(synth_dir), str(base)]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"stack": "production-foundation", "env": "production-plan", "runner": "ubuntu-24.04"}
    ]


def test_lists_the_environments_whose_bootstrap_changed(
    synth_dir: Path, base: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--bootstrap", str(synth_dir), str(base)]) == 0
    assert json.loads(capsys.readouterr().out) == []
    edited = base / "stacks" / "production-bootstrap" / "cdk.tf.json"
    edited.write_text(edited.read_text() + " ")
    assert main(["--bootstrap", str(synth_dir), str(base)]) == 0
    assert json.loads(capsys.readouterr().out) == ["production"]


def test_deploy_order_refuses_without_a_synthesis_or_arguments_in_one_line(tmp_path: Path) -> None:
    from tools import deploy_order

    assert deploy_order.main([str(tmp_path), "main"]) == 2
    assert deploy_order.main([str(tmp_path)]) == 2


def test_deploy_order_lists_every_branch_in_the_synthesis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tools import deploy_order

    (tmp_path / "ci.json").write_text(
        '{"deploys": {"develop": ["dev"], "main": ["staging", "qa", "production"]}}'
    )
    assert deploy_order.main([str(tmp_path), "refs/heads/main"]) == 0
    assert deploy_order.main([str(tmp_path), "--every-branch"]) == 0
    assert deploy_order.main([str(tmp_path), "feature"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        '["staging", "qa", "production"]', '["dev", "staging", "qa", "production"]', "[]",
    ]  # fmt: skip

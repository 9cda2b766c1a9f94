"""bin/dev as people meet it: --help lists every task, TASK --help prints that task's line without running
it (nothing installs, nothing is written), an unknown task is one line and exit 2."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = (ROOT / "bin" / "dev").read_text()
TASKS = re.findall(r"^  ([a-z][a-z-]*)\)", SCRIPT, re.MULTILINE)  # the case statement's labels


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bin/dev", *args], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
    )


def test_help_lists_every_task() -> None:
    listed = run("--help")
    assert listed.returncode == 0
    names = re.findall(r"^#   bin/dev ([a-z][a-z-]*)", listed.stdout, re.MULTILINE)
    assert TASKS and sorted(set(TASKS)) == sorted(set(names) - {"TASK"})


@pytest.mark.parametrize("task", TASKS)
def test_each_task_answers_help_with_its_line_alone(task: str) -> None:
    answered = run(task, "--help")
    assert answered.returncode == 0 and answered.stderr == ""
    assert re.fullmatch(rf"#   bin/dev {task}( .*)?\n", answered.stdout)


def test_an_unknown_task_is_refused_naming_it() -> None:
    refused = run("deploy-everything")
    assert refused.returncode == 2
    assert refused.stderr.splitlines()[0] == "bin/dev: unknown task 'deploy-everything'"


def test_npx_cdktf_runs_without_hashicorps_version_check(tmp_path: Path) -> None:
    """npm ci's postinstall (package.json) puts a script in place of the CLI's link, so `npx cdktf synth`
    runs with CHECKPOINT_DISABLE=1 and shows no red error where checkpoint-api.hashicorp.com is unreachable;
    an empty CHECKPOINT_DISABLE turns the check back on."""
    package = json.loads((ROOT / "package.json").read_text())
    assert package["scripts"]["postinstall"] == "node tools/node/cdktf-without-checkpoint.js"
    wrapper = ROOT / "node_modules" / ".bin" / "cdktf"
    assert not wrapper.is_symlink() and os.access(wrapper, os.X_OK)
    launch = 'node "$(dirname "$0")/../cdktf-cli/bundle/bin/cdktf" "$@"'
    assert launch in wrapper.read_text()
    probe = tmp_path / "cdktf"  # the same script, printing the environment it would start the CLI with
    probe.write_text(wrapper.read_text().replace(launch, "env"))
    for given, expected in ((None, "CHECKPOINT_DISABLE=1"), ("", "CHECKPOINT_DISABLE=")):
        env = {"PATH": os.environ["PATH"], **({} if given is None else {"CHECKPOINT_DISABLE": given})}
        shown = subprocess.run(["sh", str(probe)], capture_output=True, text=True, check=True, env=env).stdout
        assert expected in shown.splitlines()

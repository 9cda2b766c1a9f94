"""bin/dev as people meet it: --help lists every task, TASK --help prints that task's line without running
it (nothing installs, nothing is written), an unknown task is one line and exit 2."""

from __future__ import annotations

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

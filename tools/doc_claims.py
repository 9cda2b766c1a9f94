"""Statements the README and docs/ (runbooks included) make that the code can contradict, checked against it.

The runbook drift check (tools/runbook_check.py) fails when a runbook names something that does not exist;
this one fails when it says something that is not true:

- a table with the columns "environment", "region", "account", "stacks, in deploy order" and "state": each
  row must match the environment's configuration (region, account, the stacks in deploy order, and the state
  bucket, or "local" where state is local);
- "Terraform X.Y or newer" (or "Terraform ≥ X.Y"): X.Y must be the minimum the stacks require
  (``required_version``, stacks/backend.py);
- a sentence saying CI roles are "not created by this project": the bootstrap stacks create them.

    .venv/bin/python -m tools.doc_claims [SYNTH_DIR]   # default cdktf.out; exit 1 on a contradiction
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import environments
from environments.base import EnvironmentConfig
from stacks.backend import MINIMUM_TERRAFORM

ROOT: Final = Path(__file__).resolve().parents[1]
DOCUMENTS: Final = (ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")))
TERRAFORM_MINIMUM: Final = re.compile(
    r"Terraform (?:≥ ?|>= ?)?(\d+\.\d+)(?:\.\d+)?(?: or (?:newer|later)|\+)"
)
TERRAFORM_AT_LEAST: Final = re.compile(r"Terraform (?:≥|>=) ?(\d+\.\d+)")
NOT_CREATED: Final = re.compile(
    r"[^.]*\brole[^.]*\bnot created by this project[^.]*\.", re.IGNORECASE | re.DOTALL
)


@dataclass(frozen=True, slots=True)
class Contradiction:
    source: str
    line: int
    statement: str
    truth: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.statement!r} contradicts the code: {self.truth}"


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def environment_tables(text: str, source: str) -> Iterator[Contradiction]:
    """Each row of an "at a glance" table of environments against the configuration."""
    by_name = {env.name: env for env in environments.ALL}
    lines = text.splitlines()
    for index, line in enumerate(lines):
        header = [cell.lower() for cell in _cells(line)] if line.startswith("|") else []
        if not {"environment", "region", "account", "stacks, in deploy order", "state"} <= set(header):
            continue
        for offset, row in enumerate(lines[index + 2 :], start=index + 3):
            if not row.startswith("|"):
                break
            cells = dict(zip(header, _cells(row), strict=False))
            env = by_name.get(cells["environment"])
            if env is None:
                yield Contradiction(source, offset, row, f"no environment {cells['environment']!r}")
                continue
            yield from _row(env, cells, source, offset, row)


def _row(
    env: EnvironmentConfig, cells: dict[str, str], source: str, line: int, row: str
) -> Iterator[Contradiction]:
    stacks = re.findall(r"`([^`]+)`", cells["stacks, in deploy order"])
    expected = ([f"{env.name}-bootstrap"] if env.backend.kind == "s3" else []) + list(env.stack_ids)
    state = cells["state"]
    checks = {
        "region": (cells["region"] == env.location.region, env.location.region),
        "account": (cells["account"] == env.location.account_id, env.location.account_id),
        "stacks": (stacks == expected, ", ".join(expected)),
        "state": (
            env.backend.bucket in state if env.backend.kind == "s3" else "local" in state,
            env.backend.bucket if env.backend.kind == "s3" else "local files",
        ),
    }
    for column, (holds, truth) in checks.items():
        if not holds:
            yield Contradiction(source, line, row, f"{env.name}'s {column} is {truth}")


def terraform_minimum(text: str, source: str) -> Iterator[Contradiction]:
    wanted = ".".join(MINIMUM_TERRAFORM.split(".")[:2])
    for pattern in (TERRAFORM_MINIMUM, TERRAFORM_AT_LEAST):
        for match in pattern.finditer(text):
            if match.group(1) != wanted:
                yield Contradiction(
                    source, _line(text, match.start()), match.group(0),
                    f"the stacks require Terraform >= {MINIMUM_TERRAFORM} (stacks/backend.py)",
                )  # fmt: skip


def ci_roles_created(text: str, source: str, synth_dir: Path) -> Iterator[Contradiction]:
    roles = set()
    for stack in synth_dir.glob("stacks/*-bootstrap/cdk.tf.json"):
        doc = json.loads(stack.read_text())
        roles |= {role["name"] for role in doc.get("resource", {}).get("aws_iam_role", {}).values()}
    prose = re.sub(r"`[^`\n]*`", "CODE", text).replace("**", "")  # code spans and emphasis out of the way
    for match in NOT_CREATED.finditer(prose):
        if roles:
            yield Contradiction(
                source, _line(prose, match.start()), " ".join(match.group(0).split()),
                f"the bootstrap stacks create the CI roles ({', '.join(sorted(roles))})",
            )  # fmt: skip


def contradictions(synth_dir: Path, documents: tuple[Path, ...] = DOCUMENTS) -> list[Contradiction]:
    found: list[Contradiction] = []
    for document in documents:
        text = document.read_text()
        source = str(document.relative_to(ROOT)) if document.is_relative_to(ROOT) else document.name
        found += [
            *environment_tables(text, source),
            *terraform_minimum(text, source),
            *ci_roles_created(text, source, synth_dir),
        ]
    return found


def main(argv: list[str]) -> int:
    synth_dir = Path(argv[0]) if argv else Path("cdktf.out")
    found = contradictions(synth_dir)
    for contradiction in found:
        print(contradiction)
    print(f"{len(found)} statement(s) contradicting the code")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

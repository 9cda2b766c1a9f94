"""The documentation stays true to the repository: the README's first screen is what the project is, the two
set-up commands and a map of docs/ naming every page; every relative link resolves; every `bin/dev` task the
docs name exists; every repository path they write in code exists. (Names of cloud resources in the runbooks
are checked against the synthesis by tests/test_runbooks.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")))
TOP_LEVEL = tuple(
    sorted(path.name for path in ROOT.iterdir() if path.is_dir() and not path.name.startswith("."))
)
PLACEHOLDER = re.compile(r"<[^>]*>|\*|\{|\$|\.\.\.")
# A token that starts with a top-level folder; a Kubernetes API version (``policy/v1``) is not a path.
REPOSITORY_PATH = re.compile(
    r"(?<![\w./-])((?:" + "|".join(map(re.escape, TOP_LEVEL)) + r")/(?!v\d)[\w./<>*{}$-]*)"
)


def ids(path: Path) -> str:
    return str(path.relative_to(ROOT))


def code_spans(text: str) -> list[str]:
    """Inline code and every line of fenced code blocks."""
    fenced = re.findall(r"```[^\n]*\n(.*?)```", text, re.DOTALL)
    inline = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.DOTALL))
    return inline + [line for block in fenced for line in block.splitlines()]


def test_the_readmes_first_screen_is_the_project_the_two_commands_and_the_map_of_docs() -> None:
    readme = (ROOT / "README.md").read_text()
    lines = readme.splitlines()
    assert len(lines) <= 40, "the README is its first screen; detail belongs in docs/"
    commands = re.search(r"```sh\n(.*?)```", readme, re.DOTALL)
    assert commands and [line.split()[:2] for line in commands.group(1).splitlines()] == [
        ["bin/dev", "synth"], ["bin/dev", "test"],
    ]  # fmt: skip
    linked = {(ROOT / link).resolve() for link in re.findall(r"\]\((docs/[^)#]+\.md)\)", readme)}
    pages = {path.resolve() for path in (ROOT / "docs").glob("*.md")}
    assert pages <= linked, f"pages the README's map does not name: {sorted(p.name for p in pages - linked)}"
    assert "](docs/adopting.md)" in readme


@pytest.mark.parametrize("page", PAGES, ids=ids)
def test_every_relative_link_resolves(page: Path) -> None:
    for target in re.findall(r"\]\(([^)\s]+)\)", page.read_text()):
        if re.match(r"[a-z]+://|#|mailto:", target):
            continue
        assert (page.parent / target.split("#", 1)[0]).exists(), f"{ids(page)}: link to {target}"


TASKS = set(re.findall(r"^\s+([a-z][a-z-]*)\)", (ROOT / "bin" / "dev").read_text(), re.MULTILINE))


@pytest.mark.parametrize("page", PAGES, ids=ids)
def test_every_bin_dev_task_the_docs_name_exists(page: Path) -> None:
    named = {
        task for span in code_spans(page.read_text()) for task in re.findall(r"bin/dev ([a-z][a-z-]*)", span)
    }
    assert named <= TASKS, f"{ids(page)}: no such bin/dev task: {sorted(named - TASKS)}"


@pytest.mark.parametrize("page", PAGES, ids=ids)
def test_every_repository_path_the_docs_write_in_code_exists(page: Path) -> None:
    """A path written in code that starts with one of the repository's folders (``environments/dr.py``,
    ``policy/checkov-skips.yaml``) names a file or folder that exists; placeholders (``services/<name>.py``)
    and globs are names of a kind, not of a file."""
    missing = []
    for span in code_spans(page.read_text()):
        for token in REPOSITORY_PATH.findall(span):
            path = token.rstrip(".,:;")
            if PLACEHOLDER.search(path) or path.startswith("cdktf.out"):
                continue
            if not (ROOT / path).exists():
                missing.append(path)
    assert not missing, f"{ids(page)}: no such file or folder: {sorted(set(missing))}"


def test_the_checks_really_report_problems(tmp_path: Path) -> None:
    text = "Run `bin/dev deploy-everything`, edit `environments/nowhere.py`, read [this](nowhere.md)."
    assert {t for s in code_spans(text) for t in re.findall(r"bin/dev ([a-z][a-z-]*)", s)} - TASKS == {
        "deploy-everything"
    }
    assert not (ROOT / "environments" / "nowhere.py").exists()
    assert not (tmp_path / "nowhere.md").exists()

"""What a pull request changes in the cluster, as Markdown for its plan comment: per stack, the objects its
Helm releases install that are added, removed or changed (kind, namespace, name), comparing the branch's
``bin/dev render`` output with the base branch's.

    python -m tools.rendered_changes HEAD_RENDERED BASE_RENDERED OUT_DIR
        # writes OUT_DIR/<stack>.md for each stack whose rendered objects differ; nothing for the others
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Key = tuple[str, str, str]  # kind, namespace, name
USAGE = "usage: python -m tools.rendered_changes HEAD_RENDERED BASE_RENDERED OUT_DIR"


@dataclass(frozen=True, slots=True)
class StackChanges:
    """One stack's rendered objects that a change adds, removes or changes, each with its release."""

    stack: str
    added: list[tuple[str, Key]]
    removed: list[tuple[str, Key]]
    changed: list[tuple[str, Key]]

    def markdown(self) -> str:
        lines = [
            "",
            f"Objects its Helm releases install (bin/dev render): {len(self.added)} added, "
            f"{len(self.removed)} removed, {len(self.changed)} changed.",
            "",
        ]
        for verb, entries in (("added", self.added), ("removed", self.removed), ("changed", self.changed)):
            lines += [f"- {verb} `{kind} {namespace + '/' if namespace else ''}{name}` ({release})"
                      for release, (kind, namespace, name) in entries]  # fmt: skip
        return "\n".join(lines) + "\n"


def objects(release_file: Path) -> Iterator[tuple[Key, Any]]:
    """(kind, namespace, name) and body of every object in one ``bin/dev render`` file."""
    for body in yaml.load_all(release_file.read_text(), Loader=yaml.CSafeLoader):
        if isinstance(body, dict):
            metadata = body.get("metadata") or {}
            yield (str(body.get("kind")), str(metadata.get("namespace", "")), str(metadata.get("name"))), body


def stack_objects(folder: Path) -> dict[Key, tuple[str, Any]]:
    """Every object of one stack's rendered folder, with the release (file) it comes from."""
    found: dict[Key, tuple[str, Any]] = {}
    for release_file in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        for key, body in objects(release_file):
            found[key] = (release_file.stem, body)
    return found


def compare(stack: str, head: Path, base: Path) -> StackChanges:
    after, before = stack_objects(head / stack), stack_objects(base / stack)
    return StackChanges(
        stack,
        added=[(after[k][0], k) for k in sorted(after.keys() - before.keys())],
        removed=[(before[k][0], k) for k in sorted(before.keys() - after.keys())],
        changed=[
            (after[k][0], k) for k in sorted(after.keys() & before.keys()) if after[k][1] != before[k][1]
        ],
    )


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print(USAGE, file=sys.stderr)
        return 2
    head, base, out = (Path(arg) for arg in argv)
    out.mkdir(parents=True, exist_ok=True)
    stacks = sorted({p.name for p in (*head.glob("*/"), *base.glob("*/")) if p.is_dir()})
    for stack in stacks:
        changes = compare(stack, head, base)
        if changes.added or changes.removed or changes.changed:
            (out / f"{stack}.md").write_text(changes.markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

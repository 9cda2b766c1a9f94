"""What a saved Terraform plan would change, as Markdown: the add/change/destroy counts and every resource to
be destroyed or replaced by address. The drift workflow files it as an issue per drifted stack; a pull
request's plan comment can reuse it.

    terraform show -json tfplan > plan.json
    .venv/bin/python -m tools.plan_changes STACK plan.json      # Markdown on stdout
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NO_CHANGE = ({"no-op"}, {"read"})


@dataclass(frozen=True, slots=True)
class Change:
    """One resource's planned actions (Terraform's: create, update, delete; a replace is delete + create)."""

    address: str
    actions: tuple[str, ...]

    @property
    def kind(self) -> str:
        actions = set(self.actions)
        if actions == {"create", "delete"}:
            return "replace"
        return {"create": "add", "update": "change", "delete": "destroy"}[self.actions[0]]


def changes(plan: dict[str, Any]) -> list[Change]:
    """The resources ``plan`` (``terraform show -json``) would add, change, replace or destroy."""
    found = []
    for resource in plan.get("resource_changes", []):
        actions = tuple(resource["change"]["actions"])
        if set(actions) not in NO_CHANGE:
            found.append(Change(resource["address"], actions))
    return found


def summary(stack: str, planned: list[Change]) -> str:
    """Markdown: counts as Terraform states them (a replace counts as one add and one destroy), then every
    destroy and replace by address."""
    kinds = [change.kind for change in planned]
    added = kinds.count("add") + kinds.count("replace")
    destroyed = kinds.count("destroy") + kinds.count("replace")
    lines = [
        f"### `{stack}`",
        "",
        f"{added} to add, {kinds.count('change')} to change, {destroyed} to destroy.",
    ]
    dangerous = [change for change in planned if change.kind in ("destroy", "replace")]
    if dangerous:
        lines += ["", "Destroyed or replaced:", ""]
        lines += [f"- `{change.address}` ({change.kind})" for change in dangerous]
    changed = [change for change in planned if change.kind in ("add", "change")]
    if changed:
        lines += ["", "Added or changed:", ""]
        lines += [f"- `{change.address}` ({change.kind})" for change in changed]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    stack, path = argv
    print(summary(stack, changes(json.loads(Path(path).read_text()))), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

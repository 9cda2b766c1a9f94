"""The monthly cost change of a pull request, as Markdown for its plan-summary comment: each environment's
low and high estimate on the base branch and with the change (``bin/dev cost --format json`` of both).

    python -m tools.cost_change HEAD_COST_JSON [BASE_COST_JSON]   (without a base: the head's figures)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _money(value: float) -> str:
    return f"${value:,.0f}"


def _delta(value: float) -> str:
    return "0" if round(value) == 0 else f"{'+' if value > 0 else '-'}{_money(abs(value))}"


def markdown(head: dict[str, Any], base: dict[str, Any] | None) -> str:
    """A table per environment: base, change and difference at the low and high end."""
    before = {env["env"]: env for env in (base or {}).get("environments", [])}
    rows = [
        "## Monthly cost estimate (bin/dev cost)",
        "",
        f"List prices of {head['prices_date']}; low: node groups at their minimum, high: at their maximum.",
        "",
        "| environment | base | with this change | difference |",
        "|---|---|---|---|",
    ]
    for env in head["environments"]:
        old = before.get(env["env"])
        now = f"{_money(env['low'])}-{_money(env['high'])}"
        if old is None:
            rows.append(f"| {env['env']} | none | {now} | new |")
            continue
        was = f"{_money(old['low'])}-{_money(old['high'])}"
        diff = f"{_delta(env['low'] - old['low'])} / {_delta(env['high'] - old['high'])}"
        rows.append(f"| {env['env']} | {was} | {now} | {diff} |")
    not_priced = sorted({t for env in head["environments"] for t in env["not_priced"]})
    if not_priced:
        rows += ["", "Not priced: " + ", ".join(not_priced)]
    return "\n".join(rows) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print(__doc__, file=sys.stderr)
        return 2
    head = json.loads(Path(argv[0]).read_text())
    base = json.loads(Path(argv[1]).read_text()) if len(argv) == 2 and Path(argv[1]).is_file() else None
    print(markdown(head, base), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

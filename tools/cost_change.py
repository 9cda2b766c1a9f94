"""The monthly cost change of a pull request, as Markdown for its plan-summary comment: each environment's
steady estimate (minimum nodes and the headroom as placed, the usage model's traffic) on the base branch and
with the change, and its ceiling beside it (``bin/dev cost --format json`` of both; a base written before the
steady figure existed gives its low end).

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


def _steady(env: dict[str, Any]) -> float:
    return float(env["steady"] if "steady" in env else env["low"])


def _ceiling(env: dict[str, Any]) -> float:
    return float(env["ceiling"] if "ceiling" in env else env["high"])


def markdown(head: dict[str, Any], base: dict[str, Any] | None) -> str:
    """A table per environment: the steady figure on the base, with the change and the difference; the
    change's ceiling beside it."""
    before = {env["env"]: env for env in (base or {}).get("environments", [])}
    rows = [
        "## Monthly cost estimate (bin/dev cost)",
        "",
        f"List prices of {head['prices_date']}; steady: minimum nodes and the headroom as placed, at the "
        "usage model's traffic (pricing/usage.yaml); ceiling: every node group at its maximum.",
        "",
        "| environment | base (steady) | with this change (steady) | difference | ceiling |",
        "|---|---|---|---|---|",
    ]
    for env in head["environments"]:
        old = before.get(env["env"])
        now, ceiling = _money(_steady(env)), _money(_ceiling(env))
        if old is None:
            rows.append(f"| {env['env']} | none | {now} | new | {ceiling} |")
            continue
        diff = _delta(_steady(env) - _steady(old))
        rows.append(f"| {env['env']} | {_money(_steady(old))} | {now} | {diff} | {ceiling} |")
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

"""Roll one service of one environment back to its previous release: ``python -m tools.rollback ENV SERVICE``.

Appends the entry before the current one to the service's history in ``environments/releases/<env>.json``
(history A, B becomes A, B, A), writes the file atomically in its canonical form, and prints the change and
the commands that show and apply it. Standard library only, so it starts fast (no cdktf or jsii); the full
check of every reference happens when the app synthesizes (``environments.releases``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from tools.release_file import (
    EXIT_REFUSED,
    RELEASES_DIR,
    Refused,
    RefusingParser,
    display,
    environments,
    read_history,
    render,
    write_atomically,
)

__all__ = ["RELEASES_DIR", "environments", "main", "previous_release", "render", "rollback"]


def previous_release(history: Sequence[str]) -> str | None:
    """The newest entry before the current (last) one that differs from it; None when there is none."""
    current = history[-1]
    return next((reference for reference in reversed(history[:-1]) if reference != current), None)


def rollback(env: str, service: str, path: Path) -> tuple[str, str]:
    """Append ``service``'s previous release to its history in ``path``; return (old current, new current)."""
    document, history = read_history(path, env, service)
    label = display(path)
    target = previous_release(history)
    if target is None:
        raise Refused(
            f"{label}: {service} in {env} has no earlier release to roll back to "
            f"(history: {len(history)} entr{'y' if len(history) == 1 else 'ies'}, current {history[-1]})"
        )
    current = history[-1]
    history.append(target)
    write_atomically(path, render(document))
    return current, target


def main(argv: Sequence[str] | None = None) -> int:
    parser = RefusingParser(
        prog="bin/dev rollback",
        description="Roll SERVICE in ENV back to the previous release (appended to its history).",
    )
    parser.add_argument("env", metavar="ENV", help=f"one of: {', '.join(environments())}")
    parser.add_argument("service", metavar="SERVICE", help="a service named in the release file")
    parser.add_argument(
        "--file", type=Path, metavar="PATH", help="the file to edit; default: environments/releases/ENV.json"
    )
    try:
        args = parser.parse_args(argv)
        path: Path = args.file or RELEASES_DIR / f"{args.env}.json"
        old, new = rollback(args.env, args.service, path)
    except Refused as refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"{args.env} {args.service}: {old} -> {new}")
    print(f"Wrote {display(path)}; history kept, newest last. Commit it through a pull request.")
    print(f"See the change: cdktf diff {args.env}-apps")
    print(f"Merged, the deploy workflow runs cdktf deploy {args.env}-apps and tells Slack it was a rollback.")
    print("Flagger then canaries the old digest like any release.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

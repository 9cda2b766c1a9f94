"""Roll one service of one environment back to its previous release: ``python -m tools.rollback ENV SERVICE``.

Appends the entry before the current one to the service's history in ``environments/releases/<env>.json``
(history A, B becomes A, B, A), writes the file atomically in its canonical form, and prints the change and
the commands that show and apply it. Standard library only, so it starts fast (no cdktf or jsii); the full
check of every reference happens when the app synthesizes (``environments.releases``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final, NoReturn

RELEASES_DIR: Final = Path(__file__).resolve().parents[1] / "environments" / "releases"
# environments.base.ENVIRONMENT_NAMES, repeated so this tool never imports the app; a test keeps them equal.
ENVIRONMENTS: Final = ("dev", "staging", "production", "dr")
EXIT_REFUSED: Final = 2


class Refused(Exception):
    """A one-line reason the rollback did not happen; the file is unchanged."""


def render(document: Any) -> str:
    """The canonical text of a release file: sorted keys, 2-space indent, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def previous_release(history: Sequence[str]) -> str | None:
    """The newest entry before the current (last) one that differs from it; None when there is none."""
    current = history[-1]
    return next((reference for reference in reversed(history[:-1]) if reference != current), None)


def rollback(env: str, service: str, path: Path) -> tuple[str, str]:
    """Append ``service``'s previous release to its history in ``path``; return (old current, new current)."""
    if env not in ENVIRONMENTS:
        raise Refused(f"environment {env!r} is unknown; allowed: {', '.join(ENVIRONMENTS)}")
    label = _display(path)
    document = _read(path, label)
    if service not in document:
        raise Refused(f"service {service!r} is unknown in {env}; allowed: {', '.join(sorted(document))}")
    entry = document[service]
    history = entry.get("history") if isinstance(entry, dict) else None
    if not isinstance(history, list) or not history or not all(isinstance(ref, str) for ref in history):
        raise Refused(f"{label}: {service}.history must be a non-empty array of image references")
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


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename, keeping its permissions; a crash leaves the old file."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def main(argv: Sequence[str] | None = None) -> int:
    parser = _Parser(
        prog="bin/dev rollback",
        description="Roll SERVICE in ENV back to the previous release (appended to its history).",
    )
    parser.add_argument("env", metavar="ENV", help=f"one of: {', '.join(ENVIRONMENTS)}")
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
    print(f"Wrote {_display(path)}; history kept, newest last. Commit it through a pull request.")
    print(f"See the change: cdktf diff {args.env}-apps")
    print(f"Merged, the deploy workflow runs cdktf deploy {args.env}-apps and tells Slack it was a rollback.")
    print("Flagger then canaries the old digest like any release.")
    return 0


class _Parser(argparse.ArgumentParser):
    """Usage mistakes are refusals too: one line, exit 2 (argparse alone prints the usage block)."""

    def error(self, message: str) -> NoReturn:
        raise Refused(f"{message}; usage: {' '.join(self.format_usage().split()[1:])}")


def _read(path: Path, label: str) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Refused(f"{label}: file not found") from None
    except UnicodeDecodeError:
        raise Refused(f"{label}: is not UTF-8 text") from None
    except json.JSONDecodeError as err:
        raise Refused(f"{label}: invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}") from None
    if not isinstance(document, dict):
        raise Refused(f"{label}: must be an object mapping each service to its release history")
    return document


def _display(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it (shorter in messages)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())

"""The release files (``environments/releases/<env>.json``: each service's image history, newest last) as
the release tools read and write them: one canonical form, atomic writes, one-line refusals. Standard library
only, so the tools start fast (no cdktf or jsii); the app checks every reference when it synthesizes
(``environments.releases``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Final, NoReturn

RELEASES_DIR: Final = Path(__file__).resolve().parents[1] / "environments" / "releases"
EXIT_REFUSED: Final = 2


def environments(directory: Path = RELEASES_DIR) -> tuple[str, ...]:
    """The environments with a release record, by name: one file each, seeded from the environment registry
    by ``bin/dev release --seed`` (the app refuses an environment without one), so the tools need not import
    the app to know them."""
    return tuple(sorted(path.stem for path in directory.glob("*.json")))


class Refused(Exception):
    """A one-line reason a release tool changed nothing; the file is unchanged."""


class RefusingParser(argparse.ArgumentParser):
    """Usage mistakes are refusals too: one line, exit 2 (argparse alone prints the usage block)."""

    def error(self, message: str) -> NoReturn:
        raise Refused(f"{message}; usage: {' '.join(self.format_usage().split()[1:])}")


def render(document: Any) -> str:
    """The canonical text of a release file: sorted keys, 2-space indent, trailing newline."""
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def read_history(path: Path, env: str, service: str) -> tuple[dict[str, Any], list[str]]:
    """The file's document and ``service``'s history in it (the list inside the document, to append to)."""
    known = environments(path.parent)
    if env not in known:
        raise Refused(
            f"environment {env!r} has no release file; allowed: {', '.join(known)} (a new environment's is "
            "seeded by bin/dev release --seed)"
        )
    label = display(path)
    document = _read(path, label)
    if service not in document:
        raise Refused(f"service {service!r} is unknown in {env}; allowed: {', '.join(sorted(document))}")
    entry = document[service]
    history = entry.get("history") if isinstance(entry, dict) else None
    if not isinstance(history, list) or not history or not all(isinstance(ref, str) for ref in history):
        raise Refused(f"{label}: {service}.history must be a non-empty array of image references")
    return document, history


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` in one rename, keeping its permissions; a crash leaves the old file."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def display(path: Path) -> str:
    """``path`` relative to the working directory when it lies below it (shorter in messages)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


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

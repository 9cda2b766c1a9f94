"""What a push changed in one environment's release file, for the deploy's Slack message: each service whose
current image moved, and whether it moved forward (a release) or back to an image it ran before (a rollback,
as ``bin/dev rollback`` writes it).

    python -m tools.release_changes BEFORE ENV [--outcome OUTCOME --run-url URL]

BEFORE is the push's previous commit (the deploy workflow passes it). Prints one line per changed service
(nothing when none changed), or with ``--outcome`` the Slack message of the deploy as JSON, headed "Rollback"
when it rolled a service back. BEFORE may be all zeros (a new branch) or a commit without the file: then
every service counts as released. Standard library and git only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from tools.release_file import RELEASES_DIR, environments

NO_COMMIT: Final = "0" * 40


@dataclass(frozen=True, slots=True)
class ReleaseChange:
    """One service's move: ``kind`` is "rollback" when ``to`` appears earlier in its history."""

    service: str
    kind: Literal["release", "rollback"]
    to: str
    was: str | None

    def line(self) -> str:
        """``rollback publishing: <image> (was <image>)``, digests shortened for a chat message."""
        was = f" (was {_short(self.was)})" if self.was else ""
        return f"{self.kind} {self.service}: {_short(self.to)}{was}"


def changes(before: dict[str, list[str]], after: dict[str, list[str]]) -> list[ReleaseChange]:
    """The services whose current image differs between two release histories, by service name."""
    found = []
    for service, history in sorted(after.items()):
        previous = before.get(service, [])
        was = previous[-1] if previous else None
        if history[-1] == was:
            continue
        kind: Literal["release", "rollback"] = "rollback" if history[-1] in history[:-1] else "release"
        found.append(ReleaseChange(service, kind, history[-1], was))
    return found


def histories(text: str | None) -> dict[str, list[str]]:
    """Each service's history from a release file's text (None: no file)."""
    if text is None:
        return {}
    document = json.loads(text)
    return {service: list(entry["history"]) for service, entry in document.items()}


def file_at(commit: str, path: Path) -> str | None:
    """``path`` as committed in ``commit``; None for a new branch or a commit without the file."""
    if commit == NO_COMMIT:
        return None
    relative = path.resolve().relative_to(Path(__file__).resolve().parents[1]).as_posix()
    result = subprocess.run(
        ["git", "show", f"{commit}:{relative}"], capture_output=True, text=True, check=False
    )
    return result.stdout if result.returncode == 0 else None


def _short(reference: str) -> str:
    """``<repository>@sha256:<first 12>``: enough to tell releases apart in a message."""
    name, _, digest = reference.partition("@")
    return f"{name.rsplit('/', 1)[-1]}@{digest[:19]}" if digest else reference


def slack_message(env: str, outcome: str, run_url: str, found: list[ReleaseChange]) -> dict[str, str]:
    """The deploy's Slack message: outcome and run, then each service change; a rollback says so first."""
    what = "Rollback deploy" if any(change.kind == "rollback" for change in found) else "Deploy"
    lines = [f"{what} of {env}: {outcome} ({run_url})", *(change.line() for change in found)]
    return {"text": "\n".join(lines)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.release_changes", description=__doc__.split("\n")[0]
    )
    parser.add_argument("before", metavar="BEFORE")
    parser.add_argument("env", metavar="ENV", choices=environments())
    parser.add_argument("--outcome", help="the deploy job's status: print the Slack message")
    parser.add_argument("--run-url", default="", help="link to the workflow run, for the Slack message")
    args = parser.parse_args(argv)
    path = RELEASES_DIR / f"{args.env}.json"
    found = changes(histories(file_at(args.before, path)), histories(path.read_text(encoding="utf-8")))
    if args.outcome:
        print(json.dumps(slack_message(args.env, args.outcome, args.run_url, found)))
    else:
        for change in found:
            print(change.line())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

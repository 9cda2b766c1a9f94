"""Record a new release of one service in one environment's release file: the image pipeline's pull request
(``DIGEST``) or a promotion from another environment (``--from ENV``).

    python -m tools.release ENV SERVICE sha256:<64 hex>        (bin/dev release; the image pipeline)
    python -m tools.release ENV SERVICE --from OTHER_ENV       (promote OTHER_ENV's current image)
    python -m tools.release --seed                             (records of new environments and services)

The new reference keeps the environment's own registry and repository (the part of its current reference
before ``@``) with the new digest: the image pipeline pushes each build, by digest, to the registry of every
environment that builds images, so a digest tested in dev is the same bytes in staging and production (dr's
registry replicates production's). Appends to the history (newest last), writes atomically, refuses in one
line (exit 2) a malformed digest or one already current. Standard library only.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

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

DIGEST: Final = re.compile(r"sha256:[0-9a-f]{64}")


def release(env: str, service: str, digest: str, path: Path) -> tuple[str, str]:
    """Append ``service``'s image ``digest`` in ``env``'s registry to its history; return (old, new)."""
    if not DIGEST.fullmatch(digest):
        raise Refused(
            f"digest {digest!r} is not an image digest; allowed: sha256: and 64 lower-case hex digits"
        )
    document, history = read_history(path, env, service)
    current = history[-1]
    reference = f"{current.split('@', 1)[0]}@{digest}"
    if reference == current:
        raise Refused(f"{display(path)}: {service} in {env} already runs {digest}")
    history.append(reference)
    write_atomically(path, render(document))
    return current, reference


def current_digest(env: str, service: str, path: Path) -> str:
    """The digest ``service`` runs in ``env`` now (its history's newest entry)."""
    _, history = read_history(path, env, service)
    return history[-1].rpartition("@")[2]


def main(argv: Sequence[str] | None = None) -> int:
    parser = RefusingParser(
        prog="bin/dev release",
        description="Record a new release of SERVICE in ENV, or seed new environments and services.",
    )
    parser.add_argument("env", metavar="ENV", nargs="?", help=f"one of: {', '.join(environments())}")
    parser.add_argument("service", metavar="SERVICE", nargs="?", help="a service named in the release file")
    parser.add_argument(
        "digest", metavar="DIGEST", nargs="?", help="sha256:<64 hex>, as the pipeline pushed it"
    )
    parser.add_argument("--from", dest="source_env", metavar="ENV", help="promote what ENV runs now")
    parser.add_argument(
        "--seed", action="store_true",
        help="give every environment and service of the registries without a release history its placeholder",
    )  # fmt: skip
    try:
        args = parser.parse_args(argv)
        if args.seed:
            return _seed(parser, args)
        if not args.service or bool(args.digest) == bool(args.source_env):
            parser.error("give ENV SERVICE and one of DIGEST or --from ENV, or --seed alone")
        path = RELEASES_DIR / f"{args.env}.json"
        digest = (
            current_digest(args.source_env, args.service, RELEASES_DIR / f"{args.source_env}.json")
            if args.source_env
            else args.digest
        )
        old, new = release(args.env, args.service, digest, path)
    except Refused as refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"{args.env} {args.service}: {old} -> {new}")
    print(f"Wrote {display(path)}. Commit it through a pull request; merged, the deploy workflow applies it.")
    return 0


def _seed(parser: RefusingParser, args: argparse.Namespace) -> int:
    """``--seed``: refuses other arguments; a configuration the app refuses is one line too."""
    from marketplace_constructs import ConfigError
    from tools.release_seed import seed

    if args.env or args.source_env:
        parser.error("--seed takes no other arguments")
    try:
        written = seed(RELEASES_DIR)
    except ConfigError as err:
        raise Refused(str(err)) from None
    print("\n".join(written) or "every environment already records every service; nothing seeded")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Seed the release records of new environments and services: every (environment, service) pair of the
registries (``environments/``, ``services/``) without a history gets one entry, the placeholder digest in the
environment's own registry, which the image pipeline's first release replaces. Existing histories are never
touched, so running it again changes nothing. Unlike the other release tools it imports the app (the
registries are the app's modules); it runs once per new module, not in the pipeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tools.release_file import RELEASES_DIR, Refused, display, render, write_atomically


def seed(directory: Path = RELEASES_DIR) -> list[str]:
    """Add the missing histories; one line per file written (``<file>: <services>``), none when none."""
    import environments
    import services
    from environments.releases import PLACEHOLDER_DIGEST, image_reference

    written: list[str] = []
    for env in environments.ALL:
        path = directory / f"{env.name}.json"
        document = _existing(path)
        missing = [spec.name for spec in services.SPECS if spec.name not in document]
        if not missing:
            continue
        for service in missing:
            reference = image_reference(
                env.location.account_id, env.location.region, service, PLACEHOLDER_DIGEST
            )
            document[service] = {"history": [reference]}
        write_atomically(path, render(document))
        written.append(f"{display(path)}: seeded {', '.join(missing)}")
    return written


def _existing(path: Path) -> dict[str, Any]:
    """The file's document, or {} for an environment without a record yet."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise Refused(f"{display(path)}: not a release file ({err}); fix it before seeding") from None
    if not isinstance(document, dict):
        raise Refused(f"{display(path)}: must be an object mapping each service to its release history")
    return document

"""Release records: the image digest each service runs, per environment, read from ``releases/<env>.json``.

Each file maps every service to ``{"history": [<image reference>, ...]}``, newest last; the last entry is what
the environment runs. The delivery pipeline appends a release by pull request and ``bin/dev rollback``
appends the previous one, so the file is the reviewed record of every image an environment ran. A reference
is ``<account>.dkr.ecr.<region>.amazonaws.com/llm-marketplace/<service>@sha256:<64 lowercase hex>``, always in
the environment's own account and region (dr's registry is filled by replication from production's).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from environments.base import EnvironmentConfig
from marketplace_constructs import ConfigError
from marketplace_constructs.naming import PROJECT

RELEASES_DIR: Final = Path(__file__).parent / "releases"
PLACEHOLDER_DIGEST: Final = "sha256:" + "0" * 64  # shipped until the pipeline records a real release
_DIGEST: Final = re.compile(r"sha256:[0-9a-f]{64}")
_REGISTRY: Final = re.compile(r"(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com")
_JSON_KINDS: Final[Mapping[type, str]] = {
    dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number",
    bool: "a boolean", type(None): "null",
}  # fmt: skip


def image_reference(account_id: str, region: str, service: str, digest: str) -> str:
    """``service``'s image with ``digest`` in the registry of ``account_id`` and ``region``."""
    return f"{account_id}.dkr.ecr.{region}.amazonaws.com/{PROJECT}/{service}@{digest}"


def load_releases(
    env_name: str,
    account_id: str,
    region: str,
    services: tuple[str, ...],
    *,
    directory: Path = RELEASES_DIR,
) -> Mapping[str, tuple[str, ...]]:
    """Each service's release history (newest last) from ``<directory>/<env_name>.json``, in service order.

    Raises ConfigError (one line, starting ``releases/<env_name>.json: ``) when the file is missing or not
    JSON, a service is missing or unknown, a history is empty, or a reference is not a digest in this
    environment's account, region and service repository. Reads the file on every call.
    """
    label = f"releases/{env_name}.json"
    document = _read(directory / f"{env_name}.json", label)
    for name in document:
        if name not in services:
            raise ConfigError(f"{label}: {name!r} is not a known service; allowed: {', '.join(services)}")
    releases: dict[str, tuple[str, ...]] = {}
    for service in services:
        if service not in document:
            raise ConfigError(
                f"{label}: {service} is missing; every service needs its release history "
                f'({service!r}: {{"history": [...]}}; bin/dev release --seed adds a new one\'s)'
            )
        releases[service] = _history(label, service, document[service])
        for index, reference in enumerate(releases[service]):
            _check_reference(f"{label}: {service}.history[{index}]", reference, account_id, region, service)
    return MappingProxyType(releases)


def image_for(env: EnvironmentConfig, service: str, *, directory: Path = RELEASES_DIR) -> str:
    """The image reference ``service`` runs in ``env``: the last entry of its history.

    Checks every reference in the file, with the file's own services as the allowed list (environments cannot
    import ``services``); ``load_releases`` with the service catalogue also rejects a missing or unknown one.
    """
    label = f"releases/{env.name}.json"
    listed = tuple(_read(directory / f"{env.name}.json", label))
    if service not in listed:
        raise ConfigError(
            f"{label}: {service} is missing; every service needs its release history "
            f"(the file lists: {', '.join(listed) or 'none'}; bin/dev release --seed adds a new one's)"
        )
    releases = load_releases(
        env.name, env.location.account_id, env.location.region, listed, directory=directory
    )
    return releases[service][-1]


def _read(path: Path, label: str) -> dict[str, Any]:
    """The file's top-level object; duplicate keys (a bad merge) are refused rather than silently dropped."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{label}: file not found; every environment needs its release record (bin/dev release --seed "
            "writes a new one's)"
        ) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{label}: is not UTF-8 text") from None

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [key for key, _ in pairs]
        for key in keys:
            if keys.count(key) > 1:
                raise ConfigError(f"{label}: key {key!r} appears twice in one object (a bad merge?)")
        return dict(pairs)

    try:
        document = json.loads(text, object_pairs_hook=unique)
    except json.JSONDecodeError as err:
        raise ConfigError(
            f"{label}: invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}"
        ) from None
    if not isinstance(document, dict):
        raise ConfigError(
            f"{label}: must be an object mapping each service to its release history, got {_kind(document)}"
        )
    return document


def _history(label: str, service: str, entry: object) -> tuple[str, ...]:
    """``entry["history"]`` as a tuple of strings, after checking the shape around it."""
    if not isinstance(entry, dict):
        raise ConfigError(f'{label}: {service} must be an object {{"history": [...]}}, got {_kind(entry)}')
    for key in entry:
        if key != "history":
            raise ConfigError(f"{label}: {service}.{key} is not a known field; allowed: history")
    if "history" not in entry:
        raise ConfigError(f"{label}: {service}.history is missing; list the image references, newest last")
    history = entry["history"]
    if not isinstance(history, list):
        raise ConfigError(
            f"{label}: {service}.history must be an array of image references, newest last, "
            f"got {_kind(history)}"
        )
    if not history:
        raise ConfigError(
            f"{label}: {service}.history is empty; it must end with the image the environment runs"
        )
    for index, reference in enumerate(history):
        if not isinstance(reference, str):
            raise ConfigError(
                f"{label}: {service}.history[{index}] must be a string (an image reference), "
                f"got {_kind(reference)}"
            )
    return tuple(history)


def _check_reference(where: str, reference: str, account_id: str, region: str, service: str) -> None:
    """Name the first wrong part of ``reference``: digest, registry, account, region or repository."""
    name, at, digest = reference.rpartition("@")
    if not at:
        raise ConfigError(
            f"{where} is not pinned by a digest (<registry>/<repository>@sha256: and 64 lowercase hex "
            f"digits; tags move), got {reference!r}"
        )
    if not _DIGEST.fullmatch(digest):
        raise ConfigError(
            f"{where} ends in {digest!r}, which is not a digest (sha256: and 64 lowercase hex digits)"
        )
    host, _, repository = name.partition("/")
    registry = _REGISTRY.fullmatch(host)
    if not registry:
        raise ConfigError(
            f"{where} names registry {host!r}, not this environment's ECR registry "
            f"({account_id}.dkr.ecr.{region}.amazonaws.com)"
        )
    if registry["account"] != account_id:
        raise ConfigError(
            f"{where} names account {registry['account']}'s registry, not this environment's ({account_id})"
        )
    if registry["region"] != region:
        raise ConfigError(
            f"{where} names region {registry['region']}'s registry, not this environment's ({region}); "
            "each environment pulls from the registry in its own region"
        )
    expected = f"{PROJECT}/{service}"
    if repository != expected:
        raise ConfigError(f"{where} names repository {repository!r}, not this service's ({expected!r})")


def _kind(value: object) -> str:
    return _JSON_KINDS.get(type(value), type(value).__name__)

"""AWS's own value lists, read from the service models inside the pinned botocore package (data files; no
network call, no AWS session), so a value AWS does not have stops synthesis instead of failing at apply.

The models are read straight from botocore's data folder: importing botocore itself would add ~0.16 s to
every synthesis for nothing the check needs. The lists are as current as the pinned botocore
(requirements.lock): an instance type AWS launched after that release is refused until botocore is bumped.
"""

from __future__ import annotations

import difflib
import functools
import gzip
import importlib.util
import json
from pathlib import Path
from typing import Any

from marketplace_constructs.errors import ConfigError, is_known


@functools.cache
def _shapes(service: str) -> dict[str, Any]:
    """The shapes of the newest API version of ``service``'s botocore model."""
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("botocore (pinned in requirements.lock) is not installed")
    service_dir = Path(next(iter(spec.submodule_search_locations))) / "data" / service
    newest = max(path for path in service_dir.iterdir() if path.is_dir())
    with gzip.open(newest / "service-2.json.gz", "rt", encoding="utf-8") as model:
        shapes: dict[str, Any] = json.load(model)["shapes"]
    return shapes


def enumeration(service: str, shape: str) -> frozenset[str]:
    """The values of enum ``shape`` in ``service``'s botocore model."""
    return frozenset(_shapes(service)[shape]["enum"])


def bounds(service: str, shape: str) -> tuple[int, int]:
    """(min, max) of numeric ``shape`` in ``service``'s botocore model."""
    found = _shapes(service)[shape]
    return int(found["min"]), int(found["max"])


def ec2_instance_types() -> frozenset[str]:
    """Every EC2 instance type (the EC2 API's ``InstanceType`` enumeration)."""
    return enumeration("ec2", "InstanceType")


def check_instance_type(owner: str, field: str, value: str, prefix: str = "") -> None:
    """Reject ``value`` unless it is ``prefix`` + an EC2 instance type; suggest the closest match.

    Managed services name their sizes after EC2's (``db.r6g.xlarge``, ``cache.t4g.small``,
    ``kafka.m5.large``): with such a prefix this proves the size exists in EC2, which catches typos; whether
    the managed service offers it in the region is AWS's to say at apply.
    """
    if not is_known(value):
        return
    known = ec2_instance_types()
    if value.startswith(prefix) and value.removeprefix(prefix) in known:
        return
    rule = f"{prefix!r} followed by an EC2 instance type" if prefix else "an EC2 instance type"
    message = f"{owner}.{field} must be {rule} (botocore's EC2 model), got {value!r}"
    match = difflib.get_close_matches(value.removeprefix(prefix), known, n=1, cutoff=0.6)
    if match:
        message += f"; did you mean {prefix + match[0]!r}?"
    raise ConfigError(message)

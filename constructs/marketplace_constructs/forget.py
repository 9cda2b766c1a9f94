"""Let Terraform forget resources that leave the configuration without destroying them.

A standby that fails over stops managing what it kept in its primary's region (replication settings, the
failover DNS record): the primary's region may be down, so destroying them is impossible and pointless.
``forget`` writes Terraform's ``removed`` blocks (``lifecycle.destroy = false``, Terraform >= 1.7) for them,
addressed by the logical ids cdktf gave them while they were in the configuration (``logical_id`` computes
cdktf's ids from a construct path the same way cdktf does: tests/constructs/test_forget.py compares).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

from cdktf import TerraformStack

HIDDEN_ID = "Default"  # cdktf leaves construct ids "Default" out of the logical id
HIDDEN_FROM_HUMAN_ID = "Resource"  # ... and "Resource" out of its readable part
MAX_HUMAN_LENGTH = 240


def logical_id(path: str) -> str:
    """cdktf's logical id of the element at ``path`` (construct ids below the stack, joined by '/')."""
    components = [part for part in path.split("/") if part != HIDDEN_ID]
    if len(components) == 1:
        return _allowed(components[0])
    digest = hashlib.md5("/".join(components).encode(), usedforsecurity=False).hexdigest()[:8].upper()
    readable: list[str] = []
    for component in components:  # a component the previous one ends with is dropped
        if not readable or not readable[-1].endswith(component):
            readable.append(component)
    human = "_".join(_allowed(part) for part in readable if part != HIDDEN_FROM_HUMAN_ID)
    return f"{human[:MAX_HUMAN_LENGTH]}_{digest}"


def _allowed(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "", text)


def forget(stack: TerraformStack, resources: Iterable[tuple[str, str]]) -> None:
    """``removed`` blocks for ``resources`` ((resource type, construct path below the stack)): Terraform
    drops them from the state and leaves the cloud objects as they are."""
    blocks = [
        {"from": f"{resource_type}.{logical_id(path)}", "lifecycle": {"destroy": False}}
        for resource_type, path in resources
    ]
    if blocks:
        stack.add_override("removed", blocks)

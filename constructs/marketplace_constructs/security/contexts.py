"""Security contexts that meet the "restricted" Pod Security Standard, for the charts whose defaults do not
(https://kubernetes.io/docs/concepts/security/pod-security-standards/): a container that runs as non-root,
cannot gain privileges, holds no capabilities, has a read-only root filesystem and the runtime's default
seccomp profile; a pod context with the same non-root and seccomp settings."""

from __future__ import annotations

from typing import Any, Final

RESTRICTED_CONTAINER: Final[dict[str, Any]] = {
    "runAsNonRoot": True,
    "readOnlyRootFilesystem": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def restricted_pod(uid: int) -> dict[str, Any]:
    """A pod context running every container as ``uid`` (its group too), non-root, RuntimeDefault seccomp."""
    return {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "seccompProfile": {"type": "RuntimeDefault"},
    }

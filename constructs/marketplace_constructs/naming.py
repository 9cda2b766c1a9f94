"""The one helper that names cloud resources: ``<env>-<component>[-<suffix>]``."""

from __future__ import annotations

PROJECT = "llm-marketplace"
GITHUB_REPOSITORY = r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+"  # a GitHub repository's owner/name


def resource_name(env: str, component: str, suffix: str = "") -> str:
    """Return ``<env>-<component>`` or ``<env>-<component>-<suffix>`` (e.g. ``production-vpc-flow-logs``)."""
    return "-".join(part for part in (env, component, suffix) if part)

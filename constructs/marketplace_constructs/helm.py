"""HelmChart (a pinned chart) and helm_release: how every chart of the library is installed."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_helm.release import Release
from constructs import Construct


@dataclass(frozen=True, slots=True)
class HelmChart:
    """A chart pinned to one version (stacks/charts.py holds the project's table; bump on purpose)."""

    repository: str
    name: str
    version: str


def helm_release(
    scope: Construct,
    construct_id: str,
    *,
    chart: HelmChart,
    namespace: str,
    release_name: str | None = None,
    values: Mapping[str, Any],
    depends_on: Sequence[ITerraformDependable] = (),
    skip_crds: bool = False,
) -> Release:
    """Install ``chart`` as ``release_name`` (default: the chart's name) atomically (a failed upgrade rolls
    back) and wait until its workloads are ready.

    ``values`` are rendered as sorted JSON (JSON is YAML; tokens inside resolve at plan), so the synthesized
    stack is stable; tests check them against the pinned chart's values.yaml and schema. ``skip_crds`` skips
    Helm's ``crds/`` step, for charts that install their CRDs from templates instead.
    """
    return Release(
        scope,
        construct_id,
        name=release_name or chart.name,
        repository=chart.repository,
        chart=chart.name,
        version=chart.version,
        namespace=namespace,
        values=[json.dumps(values, sort_keys=True)],
        atomic=True,
        wait=True,
        timeout=600,
        depends_on=list(depends_on) or None,
        skip_crds=skip_crds or None,
    )

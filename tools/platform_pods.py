"""The platform's own pods that no node class pins, per environment: what the charts' Deployments and
StatefulSets (at their replicas, or their HorizontalPodAutoscaler's minimum when higher) and the Prometheus
and Alertmanager they make request together. The cost estimate places them on the general class, the default
workloads', and what it cannot hold on the next classes (tools/cost_placement.py); they are written to
``pricing/platform_pods.json`` because rendering the charts takes seconds, and a test renders them again and
compares.

    .venv/bin/python -m tools.platform_pods   (after bin/dev synth; rewrites pricing/platform_pods.json)

Elasticsearch, pinned to the memory class, is counted there (environments/capacity.py); the EKS add-ons'
controllers (CoreDNS, the EBS CSI controller) are not charts of this project and are left out.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

from tools.pricing import PRICING_DIR

PLATFORM_PODS: Final = PRICING_DIR / "platform_pods.json"
WORKLOADS: Final = ("Deployment", "StatefulSet")
OPERATED: Final = ("Prometheus", "Alertmanager")  # pods the Prometheus operator makes from these


def _millicores(value: Any) -> int:
    text = str(value)
    return round(float(text[:-1])) if text.endswith("m") else round(float(text) * 1000)


def _mebibytes(value: Any) -> int:
    text = str(value)
    for suffix, factor in (("Ki", 1 / 1024), ("Mi", 1), ("Gi", 1024), ("M", 1e6 / 2**20), ("G", 1e9 / 2**20)):
        if text.endswith(suffix):
            return round(float(text[: -len(suffix)]) * factor)
    return round(float(text) / 2**20)


def _requests(containers: Iterable[Mapping[str, Any]]) -> tuple[int, int]:
    cpu = memory = 0
    for container in containers:
        requests = (container.get("resources") or {}).get("requests") or {}
        cpu += _millicores(requests.get("cpu", 0))
        memory += _mebibytes(requests.get("memory", 0))
    return cpu, memory


def requests(objects: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Total CPU (millicores), memory (MiB) and pods of the unpinned workloads among ``objects``."""
    objects = list(objects)
    minimum = {
        o["spec"]["scaleTargetRef"]["name"]: o["spec"].get("minReplicas", 1)
        for o in objects
        if o.get("kind") == "HorizontalPodAutoscaler"
    }
    cpu = memory = pods = 0
    for o in objects:
        kind, spec = o.get("kind"), o.get("spec") or {}
        if kind in WORKLOADS:
            replicas = max(spec.get("replicas", 1), minimum.get(o["metadata"]["name"], 0))
            each = _requests(spec["template"]["spec"].get("containers", []))
        elif kind in OPERATED:
            replicas = spec.get("replicas", 1)
            each = _requests([spec])
        else:
            continue
        cpu, memory, pods = cpu + replicas * each[0], memory + replicas * each[1], pods + replicas
    return {"cpu_m": cpu, "memory_mib": memory, "pods": pods}


def rendered_requests(synth_dir: Path, env: str) -> dict[str, int]:
    """``env``'s figure from its platform releases, rendered by Helm (tools/charts)."""
    from tools.paths.view import EnvView, Synth

    view = EnvView(Synth.read(synth_dir), env)
    return requests(m.body for manifests in view.rendered.values() for m in manifests)


def load() -> dict[str, dict[str, int]]:
    figures: dict[str, dict[str, int]] = json.loads(PLATFORM_PODS.read_text(encoding="utf-8"))
    return figures


def main(argv: list[str]) -> int:
    import environments

    synth_dir = Path(argv[0]) if argv else Path("cdktf.out")
    figures = {env.name: rendered_requests(synth_dir, env.name) for env in environments.ALL}
    PLATFORM_PODS.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(
        f"{PLATFORM_PODS.name}: "
        + "; ".join(f"{k} {v['cpu_m']}m/{v['memory_mib']}Mi" for k, v in figures.items())
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

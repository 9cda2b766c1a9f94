"""checkov's Kubernetes checks over what the Helm releases install (``tools/charts``), through the same
reviewed skip list as the Terraform gate (``policy/checkov-skips.yaml``).

Environments install many identical objects, so checkov reads each distinct object once (a file named by
the object's hash, its namespace filled in as Helm installs it) and every finding counts for each place the
object is installed: ``<stack>`` and ``<release>/<Kind>/<namespace>/<name>``, which a skip's ``stacks`` and
``resources`` globs match (a resource glob with a "/" is a rendered object's; one without, a Terraform
name's).

    .venv/bin/python -m policy.rendered_gate [cdktf.out]
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

from policy.gate import GateResult, evaluate, label, load_skips, read_report
from tools.charts.render import Manifest, ReleaseInput

Occurrences = dict[str, list[dict[str, str]]]
# checkov 3.3.30 has no Kubernetes check for these (measured: 0 resources, 0 results over the 89 distinct
# CRDs the environments install), and
# they are megabytes of schema it would parse for nothing; the strict schema check reads them instead.
UNCHECKED_KINDS: Final = frozenset({"CustomResourceDefinition"})


def write_input(rendered: Mapping[ReleaseInput, tuple[Manifest, ...]], out: Path) -> Occurrences:
    """Each distinct rendered object into ``out/<hash>.yaml``; returns hash -> where it is installed."""
    out.mkdir(parents=True, exist_ok=True)
    occurrences: Occurrences = {}
    for release, manifests in rendered.items():
        for manifest in manifests:
            if manifest.kind in UNCHECKED_KINDS:
                continue
            body = manifest.installed
            text = json.dumps(body, sort_keys=True)
            digest = hashlib.sha256(text.encode()).hexdigest()[:16]
            if digest not in occurrences:
                (out / f"{digest}.yaml").write_text(yaml.dump(body, Dumper=yaml.CSafeDumper, sort_keys=False))
            occurrences.setdefault(digest, []).append(
                {
                    "stack": release.stack,
                    "resource": f"{release.name}/{manifest.kind}/{manifest.namespace}/{manifest.name}",
                }
            )
    return occurrences


def start_checkov(input_dir: Path, report: Path) -> subprocess.Popen[bytes]:
    """checkov's Kubernetes framework over ``input_dir``, offline, its JSON report to ``report``."""
    checkov = Path(sys.executable).with_name("checkov")
    with report.open("wb") as out:
        return subprocess.Popen(
            [str(checkov), "--directory", str(input_dir), "--framework", "kubernetes",
             "--output", "json", "--compact", "--skip-download"],  # not --quiet: it drops passed checks
            stdout=out, stderr=subprocess.PIPE,
        )  # fmt: skip


def per_installation(report: dict[str, Any], occurrences: Occurrences) -> dict[str, Any]:
    """``report`` with each finding repeated for every place its object is installed."""

    def spread(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**finding, "installed": place}
            for finding in findings
            for place in occurrences[Path(finding["file_path"]).stem]
        ]

    results = report["results"]
    passed = spread(results["passed_checks"])
    return {
        "summary": {"passed": len(passed)},
        "results": {"failed_checks": spread(results["failed_checks"])},
    }


@dataclass(frozen=True, slots=True)
class Run:
    """A checkov run over rendered objects, started in the background."""

    process: subprocess.Popen[bytes]
    report: Path
    occurrences: Occurrences


def start(rendered: Mapping[ReleaseInput, tuple[Manifest, ...]], scratch: Path) -> Run:
    """Write the distinct objects of ``rendered`` below ``scratch`` and start checkov over them."""
    occurrences = write_input(rendered, scratch / "objects")
    report = scratch / "report.json"
    return Run(start_checkov(scratch / "objects", report), report, occurrences)


def finish(run: Run) -> GateResult:
    """The gate's verdict once ``run`` has ended, with the reviewed skips."""
    report = read_report(run.process, run.report)
    return evaluate(per_installation(report, run.occurrences), load_skips(), framework="kubernetes")


def gate(rendered: Mapping[ReleaseInput, tuple[Manifest, ...]]) -> GateResult:
    """The Kubernetes gate over ``rendered``."""
    with tempfile.TemporaryDirectory() as scratch:
        return finish(start(rendered, Path(scratch)))


def main(argv: list[str]) -> int:
    from tools.charts.__main__ import rendered
    from tools.paths.view import Synth

    result = gate(rendered(Synth.read(Path(argv[0] if argv else "cdktf.out"))))
    for finding in result.failed:
        print(f"FAILED  {label(finding)}: {finding['check_name']}")
    for stale in result.stale_skips:
        print(f"STALE SKIP  {stale}")
    print(
        f"checkov (Kubernetes, rendered): {result.passed} passed, {len(result.failed)} failed, "
        f"{len(result.skipped)} skipped (reviewed)"
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""checkov gate: run checkov over synthesized stacks and apply the reviewed per-resource skips.

checkov cannot skip a check for one resource of cdktf's JSON (bridgecrewio/checkov#4634), so the skips live in
policy/checkov-skips.yaml and are applied here. The gate fails on any failed check no skip covers, and on a
check of a skip that covers nothing (so stale skips get removed).

    .venv/bin/python policy/gate.py [cdktf.out/stacks]
"""

from __future__ import annotations

import fnmatch
import functools
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from environments.base import TIERS
from policy.checkov_input import copy_for_checkov

SKIPS_FILE = Path(__file__).with_name("checkov-skips.yaml")
Finding = dict[str, Any]
# What a skip's optional ``environments`` may select: a tier, or every standby. A skip that depends on what
# an environment is says so here instead of naming it, so an environment added later is covered by what it
# declares.
SELECTORS = (*TIERS, "standby")


@dataclass(frozen=True, slots=True)
class GateResult:
    """checkov's passed count, uncovered and covered failures, and skips that matched nothing."""

    passed: int
    failed: list[Finding]
    skipped: list[Finding]
    stale_skips: list[str]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.stale_skips


def load_skips(path: Path = SKIPS_FILE) -> list[dict[str, Any]]:
    """The reviewed skips; each needs its checks (one reason may cover several), stacks, resources and a
    one-line reason, and may narrow its stacks to environments of some SELECTORS."""
    skips: list[dict[str, Any]] = yaml.safe_load(path.read_text())
    for skip in skips:
        if (
            not {"checks", "stacks", "resources", "reason"}
            <= set(skip)
            <= {"checks", "stacks", "resources", "reason", "environments"}
            or not skip["checks"]
            or "\n" in skip["reason"].strip()
            or not set(skip.get("environments", SELECTORS)) <= set(SELECTORS)
        ):
            raise ValueError(
                f"{path.name}: each skip needs checks, stacks, resources and a one-line reason, and may name "
                f"environments among {', '.join(SELECTORS)}: {skip}"
            )
    return skips


@functools.cache
def _kinds() -> dict[str, frozenset[str]]:
    """What each environment of the registry is, in SELECTORS' terms."""
    import environments

    return {
        env.name: frozenset({env.tier, *(["standby"] if env.standby else [])}) for env in environments.ALL
    }


def _selects(skip: dict[str, Any], stack: str) -> bool:
    """True when ``skip`` names no environments, or the stack's environment is one of them."""
    wanted = skip.get("environments")
    return wanted is None or bool(set(wanted) & _kinds().get(stack.rsplit("-", 1)[0], frozenset()))


def subject(finding: Finding) -> tuple[str, str]:
    """(stack, resource) a skip is matched on: for a rendered object, where it is installed
    (``policy.rendered_gate``); for a Terraform resource, its stack folder and its Terraform name."""
    if "installed" in finding:
        return finding["installed"]["stack"], finding["installed"]["resource"]
    return Path(finding["file_path"]).parent.name, finding["resource"].rsplit(".", 1)[-1]


def label(finding: Finding) -> str:
    """``<check> <stack>/<resource>``, as people read it."""
    stack, resource = subject(finding)
    return f"{finding['check_id']} {stack}/{resource if 'installed' in finding else finding['resource']}"


def for_rendered_objects(skip: dict[str, Any]) -> bool:
    """A skip of rendered objects names them as ``<release>/<Kind>/<namespace>/<name>`` globs."""
    return all("/" in pattern for pattern in skip["resources"])


def skip_for(finding: Finding, skips: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The skip covering a failed check, matched on check id, stack name and resource."""
    stack, resource = subject(finding)
    rendered = "installed" in finding
    for skip in skips:
        if (
            for_rendered_objects(skip) == rendered
            and finding["check_id"] in skip["checks"]
            and any(fnmatch.fnmatch(stack, pattern) for pattern in skip["stacks"])
            and _selects(skip, stack)
            and any(fnmatch.fnmatch(resource, pattern) for pattern in skip["resources"])
        ):
            return skip
    return None


def start_checkov(stacks_dir: Path, report: Path) -> subprocess.Popen[bytes]:
    """Start checkov over every cdk.tf.json below ``stacks_dir`` (offline: --skip-download; on the copy
    ``policy.checkov_input`` makes, beside ``report``), its JSON report going to ``report``; ``read_report``
    waits for it."""
    checkov = Path(sys.executable).with_name("checkov")
    readable = report.with_name(f"{report.stem}-input")
    copy_for_checkov(stacks_dir, readable)
    with report.open("wb") as out:
        return subprocess.Popen(
            [str(checkov), "--directory", str(readable), "--framework", "terraform_json",
             "--output", "json", "--quiet", "--compact", "--skip-download"],
            stdout=out, stderr=subprocess.PIPE,
        )  # fmt: skip


def read_report(process: subprocess.Popen[bytes], report: Path) -> dict[str, Any]:
    """The report of a ``start_checkov`` run, once it has ended."""
    _, errors = process.communicate()
    text = report.read_text()
    if not text.strip():
        raise RuntimeError(f"checkov produced no report: {errors.decode().strip()}")
    parsed: dict[str, Any] = json.loads(text)
    return parsed


def run_checkov(stacks_dir: Path) -> dict[str, Any]:
    """checkov's JSON report for every cdk.tf.json below ``stacks_dir``."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "checkov.json"
        return read_report(start_checkov(stacks_dir, report), report)


def evaluate(
    report: dict[str, Any], skips: list[dict[str, Any]], framework: str = "terraform_json"
) -> GateResult:
    """Split checkov's failures into covered and uncovered, and find each check and each resource pattern
    of a skip (of this ``framework``: "kubernetes" for rendered objects) that covers nothing."""
    skips = [s for s in skips if for_rendered_objects(s) == (framework == "kubernetes")]
    failures: list[Finding] = report["results"]["failed_checks"]
    covered = {id(f): skip for f in failures if (skip := skip_for(f, skips)) is not None}
    used_checks = {(id(skip), f["check_id"]) for f in failures if (skip := covered.get(id(f))) is not None}
    used_patterns = {
        (id(skip), pattern)
        for f in failures
        if (skip := covered.get(id(f))) is not None
        for pattern in skip["resources"]
        if fnmatch.fnmatch(subject(f)[1], pattern)
    }
    return GateResult(
        passed=report["summary"]["passed"],
        failed=[f for f in failures if id(f) not in covered],
        skipped=[f for f in failures if id(f) in covered],
        stale_skips=[
            f"{check} {s['stacks']} {s['resources']}"
            for s in skips
            for check in s["checks"]
            if (id(s), check) not in used_checks
        ]
        + [
            f"{s['checks']} {s['stacks']} resource {pattern!r} covers nothing"
            for s in skips
            for pattern in s["resources"]
            if (id(s), pattern) not in used_patterns
        ],
    )


def main() -> int:
    stacks_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "cdktf.out/stacks")
    result = evaluate(run_checkov(stacks_dir), load_skips())
    for finding in result.failed:
        print(f"FAILED  {label(finding)}: {finding['check_name']}")
    for stale in result.stale_skips:
        print(f"STALE SKIP  {stale}")
    failed, skipped = len(result.failed), len(result.skipped)
    print(f"checkov: {result.passed} passed, {failed} failed, {skipped} skipped (reviewed)")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())

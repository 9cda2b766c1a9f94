"""Shared fixtures: the whole app synthesized once per test session, readers for its stacks, and checkov's
report over them, started in the background as soon as the synthesis exists (when the run holds a test that
reads it): checkov is a process of its own, so it uses the core the tests leave idle."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from stacks import lazy_providers

lazy_providers.install()

import environments  # noqa: E402
import services  # noqa: E402
from policy import rendered_gate  # noqa: E402
from policy.gate import GateResult, read_report, start_checkov  # noqa: E402
from stacks.build import build_app, stack_ids  # noqa: E402
from stacks.synth import synth_atomically  # noqa: E402
from tools.charts.__main__ import rendered as render_everything  # noqa: E402
from tools.charts.render import Manifest, ReleaseInput  # noqa: E402
from tools.paths.view import Synth  # noqa: E402

ALL_STACK_IDS = tuple(stack_id for env in environments.ALL for stack_id in stack_ids(env))
# The registry's environments by tier, so checks follow what each declares rather than a list of names.
GUARDED = tuple(env.name for env in environments.ALL if env.tier != "sandbox")
SANDBOXES = tuple(env.name for env in environments.ALL if env.tier == "sandbox")

StackDoc = dict[str, Any]


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every environment synthesized once, through the same path main.py uses."""
    outdir = tmp_path_factory.mktemp("synth") / "cdktf.out"
    synth_atomically(outdir, lambda app: build_app(app, environments.ALL, services.SPECS))
    return outdir


@pytest.fixture(scope="session")
def failed_over_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The standby synthesized in role "active", alone, as `cdktf deploy '<standby>-*'` after a failover."""
    standby = next(env for env in environments.ALL if env.standby is not None)
    outdir = tmp_path_factory.mktemp("failed-over") / "cdktf.out"
    synth_atomically(
        outdir, lambda app: build_app(app, environments.in_role(standby, "active"), services.SPECS)
    )
    return outdir


@pytest.fixture(scope="session")
def synth(synth_dir: Path) -> Synth:
    """The session's synthesis, read for the path proofs."""
    return Synth.read(synth_dir)


EARLY = pytest.StashKey[bool]()


EARLY_RENDERED = pytest.StashKey[bool]()
EARLY_WHEEL = pytest.StashKey[bool]()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Note whether any selected test reads a checkov report (only then does that run start early)."""
    config.stash[EARLY] = any("checkov_report" in getattr(item, "fixturenames", ()) for item in items)
    config.stash[EARLY_RENDERED] = any(
        "kubernetes_gate" in getattr(item, "fixturenames", ()) for item in items
    )
    config.stash[EARLY_WHEEL] = any("wheel_report" in getattr(item, "fixturenames", ()) for item in items)


@pytest.fixture(scope="session")
def checkov_run(synth_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    report = synth_dir.parent / "checkov.json"
    process = start_checkov(synth_dir / "stacks", report)
    yield process, report
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture(scope="session", autouse=True)
def checkov_starts_early(request: pytest.FixtureRequest) -> None:
    if request.config.stash.get(EARLY, False):
        request.getfixturevalue("checkov_run")
    if request.config.stash.get(EARLY_RENDERED, False):
        request.getfixturevalue("rendered_checkov_run")
    if request.config.stash.get(EARLY_WHEEL, False):
        request.getfixturevalue("wheel_run")


@pytest.fixture(scope="session")
def wheel_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[str]]:
    """tests/wheel_check.py in a process of its own: the wheel built, installed and type-checked."""
    workdir = tmp_path_factory.mktemp("wheel")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.wheel_check", str(workdir)],
        cwd=Path(__file__).resolve().parents[1], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    yield process
    if process.poll() is None:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def wheel_report(wheel_run: subprocess.Popen[str]) -> dict[str, Any]:
    """What tests/wheel_check.py found."""
    out, errors = wheel_run.communicate()
    assert wheel_run.returncode == 0, errors[-2000:]
    report: dict[str, Any] = json.loads(out)
    return report


@pytest.fixture(scope="session")
def rendered(synth: Synth) -> Mapping[ReleaseInput, tuple[Manifest, ...]]:
    """What every release of every environment installs, rendered once for the session."""
    return render_everything(synth)


@pytest.fixture(scope="session")
def rendered_checkov_run(
    rendered: Mapping[ReleaseInput, tuple[Manifest, ...]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[rendered_gate.Run]:
    """checkov's Kubernetes checks over the rendered objects, in a process of its own."""
    run = rendered_gate.start(rendered, tmp_path_factory.mktemp("rendered-checkov"))
    yield run
    if run.process.poll() is None:
        run.process.kill()
        run.process.wait()


@pytest.fixture(scope="session")
def kubernetes_gate(rendered_checkov_run: rendered_gate.Run) -> GateResult:
    """The Kubernetes gate's verdict over every rendered object, with the reviewed skips."""
    return rendered_gate.finish(rendered_checkov_run)


@pytest.fixture(scope="session")
def checkov_report(checkov_run: tuple[subprocess.Popen[bytes], Path]) -> dict[str, Any]:
    """checkov's JSON report over every synthesized stack."""
    return read_report(*checkov_run)


@pytest.fixture(scope="session")
def stack_doc(synth_dir: Path) -> Callable[[str], StackDoc]:
    """Reader for one stack's synthesized JSON, without cdktf's top-level "//" metadata."""

    @cache
    def read(stack_id: str) -> StackDoc:
        doc: StackDoc = json.loads((synth_dir / "stacks" / stack_id / "cdk.tf.json").read_text())
        doc.pop("//", None)
        return doc

    return read


def policy(text: str) -> dict[str, Any]:
    """An IAM policy document as synthesized; Terraform expressions (``${...}``) become ``"TOKEN"`` first,
    since one holding quotes (``replace(x, "https://", "")``) makes the raw text invalid JSON until Terraform
    renders it."""
    parsed: dict[str, Any] = json.loads(re.sub(r"\$\{[^}]*\}", "TOKEN", text))
    return parsed


def resources(doc: StackDoc, resource_type: str) -> dict[str, dict[str, Any]]:
    """Resources of one type in a stack document, by Terraform name ({} when there are none)."""
    found: dict[str, dict[str, Any]] = doc.get("resource", {}).get(resource_type, {})
    return found

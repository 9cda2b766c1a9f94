"""The pull request comment's cluster changes: per stack, the rendered objects a change adds, removes or
changes (tools/rendered_changes.py over two bin/dev render outputs)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tools.rendered_changes import main


def write(root: Path, stack: str, release: str, *bodies: dict[str, object]) -> None:
    folder = root / stack
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{release}.yaml").write_text("".join(f"---\n# Source: x\n{yaml.safe_dump(b)}" for b in bodies))


def obj(kind: str, name: str, namespace: str = "tools", **spec: object) -> dict[str, object]:
    return {"kind": kind, "metadata": {"name": name, "namespace": namespace}, "spec": spec}


def test_lists_added_removed_and_changed_objects_per_stack(tmp_path: Path) -> None:
    head, base, out = tmp_path / "head", tmp_path / "base", tmp_path / "out"
    write(base, "dev-platform", "gateway", obj("Deployment", "gw", replicas=2), obj("Service", "gw"))
    write(
        head, "dev-platform", "gateway", obj("Deployment", "gw", replicas=3), obj("PodDisruptionBudget", "gw")
    )
    write(base, "dev-apps", "grafana", obj("Deployment", "grafana"))
    write(head, "dev-apps", "grafana", obj("Deployment", "grafana"))
    assert main([str(head), str(base), str(out)]) == 0
    assert [p.name for p in out.iterdir()] == ["dev-platform.md"]  # unchanged stacks get nothing
    assert (out / "dev-platform.md").read_text().splitlines() == [
        "",
        "Objects its Helm releases install (bin/dev render): 1 added, 1 removed, 1 changed.",
        "",
        "- added `PodDisruptionBudget tools/gw` (gateway)",
        "- removed `Service tools/gw` (gateway)",
        "- changed `Deployment tools/gw` (gateway)",
    ]


def test_a_base_without_a_rendering_shows_every_object_as_added(tmp_path: Path) -> None:
    head, out = tmp_path / "head", tmp_path / "out"
    write(head, "dev-platform", "gateway", obj("Deployment", "gw"))
    assert main([str(head), str(tmp_path / "missing"), str(out)]) == 0
    assert "1 added, 0 removed, 0 changed" in (out / "dev-platform.md").read_text()


def test_wrong_arguments_print_the_usage_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["only-one"]) == 2
    assert capsys.readouterr().err == (
        "usage: python -m tools.rendered_changes HEAD_RENDERED BASE_RENDERED OUT_DIR\n"
    )

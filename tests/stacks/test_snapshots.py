"""One snapshot per synthesized stack; reviewers read a snapshot diff as the change's plan."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.json import JSONSnapshotExtension

from tests.conftest import ALL_STACK_IDS, StackDoc


@pytest.mark.parametrize("stack_id", ALL_STACK_IDS)
def test_stack_matches_snapshot(
    stack_doc: Callable[[str], StackDoc], stack_id: str, snapshot: SnapshotAssertion
) -> None:
    assert stack_doc(stack_id) == snapshot(extension_class=JSONSnapshotExtension)

"""``logical_id`` reproduces cdktf's ids, so ``removed`` blocks address the resources a failover forgets."""

from __future__ import annotations

import json
from pathlib import Path

import cdktf
import pytest

from marketplace_constructs.forget import forget, logical_id


def test_logical_id_matches_cdktf_for_every_resource_of_every_stack(synth_dir: Path) -> None:
    checked = 0
    for path in sorted((synth_dir / "stacks").glob("*/cdk.tf.json")):
        doc = json.loads(path.read_text())
        for section in ("resource", "data"):
            for elements in doc.get(section, {}).values():
                for name, element in elements.items():
                    if "//" not in element:  # cdktf's own cross-stack reads carry no construct path
                        continue
                    below_stack = element["//"]["metadata"]["path"].split("/", 1)[1]
                    assert logical_id(below_stack) == name, below_stack
                    checked += 1
    assert checked > 1000


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("single", "single"),
        ("a-b/c.d", "a-b_cd_"),
        ("cluster/cluster", "cluster_"),
        ("cluster/admin_cluster", "cluster_admin_cluster_"),
    ],
)
def test_logical_id_cleans_and_deduplicates_components(path: str, expected: str) -> None:
    assert logical_id(path).startswith(expected)


def test_forget_writes_removed_blocks_that_keep_the_objects() -> None:
    stack = cdktf.TerraformStack(cdktf.Testing.app(), "test")
    forget(stack, [("aws_route53_record", "edge/failover_alias")])
    doc = json.loads(cdktf.Testing.synth(stack))
    assert doc["removed"] == [
        {"from": f"aws_route53_record.{logical_id('edge/failover_alias')}", "lifecycle": {"destroy": False}}
    ]

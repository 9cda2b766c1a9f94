"""tools/plan_changes reads Terraform's own plan JSON: the counts match what `terraform plan` printed, and
destroys and replaces are listed by address."""

from __future__ import annotations

import json

from tfoffline import harness
from tools.plan_changes import Change, changes, summary


def test_counts_match_terraforms_for_a_real_saved_plan(
    chain: dict[str, harness.StackResult], workspace: harness.Workspace
) -> None:
    result = chain["production-apps"]
    assert result.error == ""
    status, output = harness.terraform(
        workspace.root / "stacks" / "production-apps", "show", "-json", "tfplan"
    )
    assert status == 0, output
    planned = changes(json.loads(output[output.index("{") :]))
    assert len(planned) == result.planned  # every resource is created in this plan
    assert (
        summary("production-apps", planned).splitlines()[2]
        == f"{result.planned} to add, 0 to change, 0 to destroy."
    )


def test_destroys_and_replaces_are_listed_by_address() -> None:
    plan = {
        "resource_changes": [
            {"address": "aws_s3_bucket.kept", "change": {"actions": ["no-op"]}},
            {"address": "aws_db_instance.db", "change": {"actions": ["delete", "create"]}},
            {"address": "aws_iam_role.gone", "change": {"actions": ["delete"]}},
            {"address": "aws_iam_role.tags", "change": {"actions": ["update"]}},
            {"address": "data.aws_region.here", "change": {"actions": ["read"]}},
        ]
    }
    planned = changes(plan)
    assert planned == [
        Change("aws_db_instance.db", ("delete", "create")),
        Change("aws_iam_role.gone", ("delete",)),
        Change("aws_iam_role.tags", ("update",)),
    ]
    text = summary("prod", planned)
    assert "1 to add, 1 to change, 2 to destroy." in text
    assert "- `aws_db_instance.db` (replace)" in text and "- `aws_iam_role.gone` (destroy)" in text

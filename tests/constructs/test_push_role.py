"""The image pipeline's push role: only the service repository's main branch may assume it, and it may push
to its one ECR repository and nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest

from marketplace_constructs import ConfigError
from marketplace_constructs.registry.push_role import PUSH_ACTIONS, ImagePushRole
from tests.constructs.synth import synth_construct

REPOSITORY_ARN = "arn:aws:ecr:us-east-1:123456789012:repository/llm-marketplace/publishing"


def synthesized(**overrides: Any) -> dict[str, Any]:
    arguments = {
        "name": "push-publishing", "source_repository": "acme/publishing", "repository_arn": REPOSITORY_ARN,
        "oidc_provider_arn": "provider-arn", **overrides,
    }  # fmt: skip
    return synth_construct(lambda scope: ImagePushRole(scope, "push", **arguments))


def test_only_the_service_repositorys_main_branch_may_assume_it() -> None:
    (role,) = synthesized()["aws_iam_role"].values()
    (statement,) = json.loads(role["assume_role_policy"])["Statement"]
    assert statement["Principal"] == {"Federated": "provider-arn"}
    assert statement["Condition"] == {"StringEquals": {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:acme/publishing:ref:refs/heads/main",
    }}  # fmt: skip
    assert role["max_session_duration"] == 3600


def test_it_pushes_to_its_one_repository_and_can_delete_nothing() -> None:
    (policy,) = synthesized()["aws_iam_role_policy"].values()
    login, push = json.loads(policy["policy"])["Statement"]
    assert (login["Action"], login["Resource"]) == ("ecr:GetAuthorizationToken", "*")
    assert push["Resource"] == REPOSITORY_ARN and push["Action"] == list(PUSH_ACTIONS)
    assert not [a for a in PUSH_ACTIONS if "Delete" in a or "Tag" in a or "Policy" in a or "Lifecycle" in a]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"source_repository": "no-slash"}, r"ImagePushRole.source_repository must be 'owner/name'"),
        ({"branch": "main branch"}, r"ImagePushRole.branch must be a branch name"),
    ],
)
def test_rejects_bad_values(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        synthesized(**overrides)

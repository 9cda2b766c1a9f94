"""tools/release_changes: the deploy's Slack message says which services a push released or rolled back."""

from __future__ import annotations

import json

import pytest

from tools.release_changes import (
    NO_COMMIT,
    RELEASES_DIR,
    ReleaseChange,
    changes,
    file_at,
    main,
    slack_message,
)

A = "111111111111.dkr.ecr.us-east-1.amazonaws.com/llm-marketplace/publishing@sha256:" + "a" * 64
B = "111111111111.dkr.ecr.us-east-1.amazonaws.com/llm-marketplace/publishing@sha256:" + "b" * 64
C = "111111111111.dkr.ecr.us-east-1.amazonaws.com/llm-marketplace/admin@sha256:" + "c" * 64


def test_a_new_image_is_a_release_and_a_return_to_an_earlier_one_a_rollback() -> None:
    before = {"publishing": [A, B], "admin": [C]}
    assert changes(before, {"publishing": [A, B, A], "admin": [C]}) == [
        ReleaseChange("publishing", "rollback", A, B)  # what bin/dev rollback writes: A, B becomes A, B, A
    ]
    assert changes(before, {"publishing": [A, B], "admin": [C, A]}) == [
        ReleaseChange("admin", "release", A, C)
    ]
    assert changes(before, before) == []
    assert changes({}, {"admin": [C]}) == [ReleaseChange("admin", "release", C, None)]  # a new service


def test_the_message_heads_with_rollback_and_shortens_digests() -> None:
    rollback = ReleaseChange("publishing", "rollback", A, B)
    message = slack_message("production", "failure", "https://run", [rollback])["text"]
    assert message.splitlines() == [
        "Rollback deploy of production: failure (https://run)",
        f"rollback publishing: publishing@sha256:{'a' * 12} (was publishing@sha256:{'b' * 12})",
    ]
    assert slack_message("dev", "success", "u", [])["text"] == "Deploy of dev: success (u)"


def test_reads_the_release_file_of_a_commit_and_none_for_a_new_branch() -> None:
    committed = file_at("HEAD", RELEASES_DIR / "staging.json")
    assert committed is not None and "history" in json.loads(committed)["publishing"]
    assert file_at(NO_COMMIT, RELEASES_DIR / "staging.json") is None


def test_prints_the_slack_payload(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([NO_COMMIT, "staging", "--outcome", "success", "--run-url", "u"]) == 0
    text = json.loads(capsys.readouterr().out)["text"]
    assert text.startswith("Deploy of staging: success (u)\nrelease ")  # a new branch: all released

"""Identities and boundaries as synthesized: every role carries a boundary, the deploy boundary guards every
CI identity of the account and the trail in its own region, plan roles read exactly the states their stacks
read, and every stack requires the Terraform its write-only arguments need."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import environments
from environments.base import EnvironmentConfig
from marketplace_constructs.security.boundary import WORKLOAD_PATH, workload_boundary_arn
from stacks.backend import MINIMUM_TERRAFORM
from tests.conftest import ALL_STACK_IDS, StackDoc, policy, resources

Reader = Callable[[str], StackDoc]
BOOTSTRAPPED = [env for env in environments.ALL if env.backend.kind == "s3"]
ALL = pytest.mark.parametrize("env", BOOTSTRAPPED, ids=lambda env: env.name)


def statements(document: str) -> dict[str, dict[str, Any]]:
    return {s["Sid"]: s for s in policy(document)["Statement"]}


@pytest.mark.parametrize("stack_id", ALL_STACK_IDS)
def test_every_stack_requires_the_terraform_its_features_need(stack_doc: Reader, stack_id: str) -> None:
    assert stack_doc(stack_id)["terraform"]["required_version"] == f">= {MINIMUM_TERRAFORM}"
    assert MINIMUM_TERRAFORM >= "1.11"  # write-only arguments and ephemeral variables


@pytest.mark.parametrize("stack_id", ALL_STACK_IDS)
def test_every_role_a_stack_creates_carries_a_boundary(stack_doc: Reader, stack_id: str) -> None:
    """The workload boundary, except the deploy role, which carries its own."""
    account = next(e for e in environments.ALL if stack_id.startswith(f"{e.name}-")).location.account_id
    for name, role in resources(stack_doc(stack_id), "aws_iam_role").items():
        boundary = role.get("permissions_boundary")
        if name.startswith("ci_deploy_role"):
            assert boundary.startswith("${aws_iam_policy.ci_deploy_boundary_"), name
        else:  # by name, or by reference in the bootstrap stack that makes it
            made_here = str(boundary).startswith("${aws_iam_policy.workload_boundary")
            assert boundary == workload_boundary_arn(account) or made_here, name
        # the stacks' roles live under the project's path, the only roles the deploy role may change; the CI
        # roles (made by an administrator) stay outside it
        assert role.get("path") == (None if name.startswith("ci_") else WORKLOAD_PATH), name


@pytest.mark.parametrize("stack_id", [s for s in ALL_STACK_IDS if s.endswith("-bootstrap")])
def test_every_policy_fits_iams_size_quota(stack_doc: Reader, stack_id: str) -> None:
    """A managed policy holds at most 6,144 characters without whitespace (IAM user guide, "IAM and AWS STS
    quotas"); a reference is counted at the length of the ARN it becomes."""
    for name, found in resources(stack_doc(stack_id), "aws_iam_policy").items():
        text = re.sub(r"\$\{aws_iam_policy\.[^}]+\}", "x" * 80, re.sub(r"\s", "", found["policy"]))
        assert len(text) <= 6144, (name, len(text))


@ALL
def test_the_deploy_boundary_guards_every_ci_identity_of_the_account_and_the_trail_in_its_region(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-bootstrap")
    (boundary,) = [
        p for n, p in resources(doc, "aws_iam_policy").items() if n.startswith("ci_deploy_boundary")
    ]
    denies = statements(boundary["policy"])
    peers = [e for e in environments.ALL if e.location.account_id == env.location.account_id]
    roles = {arn for peer in peers for arn in (peer.plan_role_arn, peer.deploy_role_arn)}
    assert roles <= set(denies["NotTheCiIdentities"]["Resource"])
    owner = next(peer for peer in peers if peer.owns_account)
    assert denies["NotTheTrail"]["Resource"] == (
        f"arn:aws:cloudtrail:{owner.location.region}:{env.location.account_id}:trail/{owner.name}-audit"
    )
    # the foundation creates and updates the trail (CreateTrail, then PutEventSelectors): only stopping or
    # deleting it is refused
    assert denies["NotTheTrail"]["Action"] == ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"]
    # the owner's bootstrap makes the workload boundary (a reference, TOKEN here); the others name it
    expected = "TOKEN" if env is owner else workload_boundary_arn(env.location.account_id)
    assert denies["OnlyBoundedRoles"]["Condition"] == {
        "StringNotEquals": {"iam:PermissionsBoundary": expected}
    }


@ALL
def test_the_plan_role_reads_exactly_the_other_states_its_stacks_read(
    stack_doc: Reader, synth_dir: Path, env: EnvironmentConfig
) -> None:
    """dr's foundation reads production's state (remote state, encrypted with production's key): its plan
    role may read that object and decrypt with that key; ReadOnlyAccess never decrypts."""
    read = set()
    for stack in (f"{env.name}-foundation", f"{env.name}-platform", f"{env.name}-apps"):
        for remote in stack_doc(stack).get("data", {}).get("terraform_remote_state", {}).values():
            config = remote["config"]
            if config["bucket"] != env.backend.bucket:
                read.add(f"arn:aws:s3:::{config['bucket']}/{config['key']}")
    doc = stack_doc(f"{env.name}-bootstrap")
    (state,) = resources(doc, "aws_iam_role_policy").values()
    granted = statements(state["policy"])
    assert set(granted.get("ReadOtherStates", {}).get("Resource", [])) == read
    if read:
        assert env.standby is not None
        primary = next(e for e in environments.ALL if e.name == env.standby.primary)
        aliases = {alias["name"] for alias in doc["data"]["aws_kms_alias"].values()}
        assert aliases == {f"alias/{primary.backend.key_alias}"}
        assert granted["OtherStateKeys"]["Action"] == "kms:Decrypt"
    assert json.dumps(granted).count("kms:") <= 4  # its own key and the read states' keys, nothing else


def standby_and_primary() -> tuple[EnvironmentConfig, EnvironmentConfig]:
    (standby,) = [env for env in environments.ALL if env.standby]
    assert standby.standby is not None
    return standby, next(env for env in environments.ALL if env.name == standby.standby.primary)


def alarms(stack_doc: Reader, stack: str) -> dict[str, dict[str, Any]]:
    return {a["alarm_name"]: a for a in resources(stack_doc(stack), "aws_cloudwatch_metric_alarm").values()}


def test_a_standbys_zone_raises_its_dnssec_alarms_through_its_primarys_topic_in_us_east_1(
    stack_doc: Reader,
) -> None:
    standby, primary = standby_and_primary()
    found = alarms(stack_doc, f"{standby.name}-foundation")
    dnssec = [a for a in found.values() if a.get("namespace") == "AWS/Route53"]
    assert {a["metric_name"] for a in dnssec} == {
        "DNSSECInternalFailure",
        "DNSSECKeySigningKeysNeedingAction",
    }
    topic = f"arn:aws:sns:us-east-1:{primary.location.account_id}:{primary.name}-alerts"
    assert all(a["alarm_actions"] == [topic] and a["provider"] == "aws.route53_home" for a in dnssec)


def test_every_replication_has_an_alarm_on_a_metric_aws_publishes_that_silence_cannot_trip(
    stack_doc: Reader,
) -> None:
    standby, primary = standby_and_primary()
    here, there = (
        alarms(stack_doc, f"{standby.name}-foundation"),
        alarms(stack_doc, f"{primary.name}-foundation"),
    )
    cache = here[f"{standby.name}-cache-replication-lag"]
    nodes = [q["metric"]["dimensions"]["CacheClusterId"] for q in cache["metric_query"] if "metric" in q]
    assert nodes == [f"{standby.name}-redis-{i:03d}" for i in range(1, standby.cache.node_count + 1)]
    ids = ", ".join(f"node{i}" for i in range(1, len(nodes) + 1))
    assert cache["metric_query"][-1]["expression"] == f"MAX([{ids}])"  # whichever node is the primary
    # idle topics publish no latency: silence is not lag; the replicator's failures are alarmed apart
    assert here[f"{standby.name}-kafka-replication-lag"]["treat_missing_data"] == "notBreaching"
    assert here[f"{standby.name}-kafka-replicator-failure"]["metric_name"] == "ReplicatorFailure"
    assert here[f"{standby.name}-backups-replication-latency"]["namespace"] == "AWS/S3"
    # failures are published in the source's region: the primary's stack watches them
    failed = there[f"{primary.name}-backups-replication-failures"]
    assert (failed["metric_name"], failed["treat_missing_data"]) == (
        "OperationsFailedReplication",
        "notBreaching",
    )
    copies = there[f"{primary.name}-backup-copy-failures"]
    assert copies["dimensions"] == {"BackupVaultName": f"{primary.name}-copies"}
    assert copies["treat_missing_data"] == "notBreaching"


def test_a_single_replication_or_copy_failure_pages(stack_doc: Reader) -> None:
    """A failure count is silent until something fails, then publishes once: an alarm needing three
    breaching periods in a row never fires on it (missing periods count as not breaching). Each failure
    alarm fires on its first datapoint, over no less than the metric's interval (AWS Backup: 5 minutes)."""
    standby, primary = standby_and_primary()
    here, there = (
        alarms(stack_doc, f"{standby.name}-foundation"),
        alarms(stack_doc, f"{primary.name}-foundation"),
    )
    failures = [
        here[f"{standby.name}-kafka-replicator-failure"],
        there[f"{primary.name}-backups-replication-failures"],
        there[f"{primary.name}-backup-copy-failures"],
    ]
    assert all(a["evaluation_periods"] == 1 and a.get("datapoints_to_alarm", 1) == 1 for a in failures)
    assert there[f"{primary.name}-backup-copy-failures"]["period"] == 300
    # lags stay sustained: three one-minute periods in a row
    assert here[f"{standby.name}-database-replication-lag"]["evaluation_periods"] == 3

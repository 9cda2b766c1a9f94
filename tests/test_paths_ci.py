"""Identity, boundary and failover proofs (tools/paths/identity.py, escalation.py, failover.py): every run of
every workflow reaches its runner, environment, role, states and cluster; every deploy role refuses every
escalation and keeps its everyday deploys; every failover path of the standby connects in both roles; and
one changed hop of each kind (a trust condition, a key ARN, a runner label, a boundary condition, an
environment, an alarm, a runbook name) is named by the proof."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import environments
import services
from stacks.bootstrap import state_log_bucket
from tests.test_paths import mutated
from tools.changed_stacks import plannable
from tools.paths.__main__ import FAILOVER_RUNBOOK, WORKFLOWS, ci_walks
from tools.paths.failover import failover_paths, runbook_path
from tools.paths.model import Walk
from tools.paths.view import EnvView, Synth

STANDBY = next(env for env in environments.ALL if env.standby)
PRIMARY = next(env for env in environments.ALL if STANDBY.standby and env.name == STANDBY.standby.primary)
P, S = PRIMARY.name, STANDBY.name
GROUPS = (
    "refuses users and sessions",
    "refuses unbounded roles",
    "refuses CI identities",
    "refuses state",
    "allows everyday deploys",
)


def ci(synth: Synth, synth_dir: Path, workflows: Path = WORKFLOWS) -> list[Walk]:
    return ci_walks(synth, synth_dir, [], workflows)


def broken(walks: list[Walk]) -> dict[str, str]:
    return {f"{w.kind} {w.subject}": w.broken.name for w in walks if w.broken}


@pytest.fixture(scope="session")
def every_ci_walk(synth: Synth, synth_dir: Path) -> list[Walk]:
    return ci(synth, synth_dir)


@pytest.fixture(scope="session")
def switched(synth: Synth, failed_over_dir: Path) -> Synth:
    return Synth({**synth.stacks, **Synth.read(failed_over_dir).stacks})


# --- every path connects, and every run is walked ------------------------------------------------------


def test_every_identity_and_boundary_path_connects(every_ci_walk: list[Walk]) -> None:
    assert broken(every_ci_walk) == {}


def test_every_plan_drift_deploy_and_image_push_is_walked(every_ci_walk: list[Walk], synth_dir: Path) -> None:
    subjects = {w.subject for w in every_ci_walk if w.kind == "identity"}
    stacks = plannable(synth_dir)
    assert {f"ci.yml plan {s}" for s in stacks} <= subjects
    assert {f"drift.yml drift {s}" for s in stacks} <= subjects
    deploys = {env.name for env in environments.ALL if env.backend.kind == "s3"}
    deployed = {f"deploy-environment.yml deploy {e} (deploy-environment.yml: deploy)" for e in deploys}
    assert deployed <= subjects
    pushes = {s for s in subjects if s.startswith("service-image.yml publish")}
    builders = [env for env in environments.ALL if env.standby is None]  # a standby's registry replicates
    assert len(pushes) == len(services.SPECS) * len(builders)
    for walk in every_ci_walk:
        if walk.subject.startswith(("ci.yml plan ", "drift.yml drift ", "deploy-environment.yml ")):
            names = [h.name for h in walk.hops]
            assert names[0] == "runner" and "GitHub environment" in names and "trust" in names
            assert any(n.startswith("state ") for n in names)


def test_every_deploy_role_is_proved_against_every_group(every_ci_walk: list[Walk]) -> None:
    subjects = {w.subject for w in every_ci_walk if w.kind == "boundary"}
    for env in environments.ALL:
        assert {f"{env.name} deploy role {group}" for group in GROUPS} <= subjects
    trail = {w.subject for w in every_ci_walk if w.subject.endswith("refuses trail")}
    assert trail == {f"{env.name} deploy role refuses trail" for env in environments.ALL}


@pytest.mark.parametrize("role", ["standby", "active"])
def test_every_failover_path_connects_in_both_roles(synth: Synth, switched: Synth, role: str) -> None:
    view = EnvView(synth if role == "standby" else switched, STANDBY.name)
    before = EnvView(synth, STANDBY.name) if role == "active" else None
    walks = failover_paths(view, STANDBY, before, EnvView(synth, PRIMARY.name))
    assert broken(walks) == {}
    kinds = {w.subject.split(" ", 1)[0] for w in walks}
    assert {"edge", "backup"} <= kinds
    if role == "standby":
        assert {"database", "cache", "kafka", "bucket"} <= kinds
        assert any(" reads " in w.subject for w in walks)
    for walk in walks:
        for step in walk.unproved:
            assert step.name == "replication alarm" and "publishes no" in step.evidence


def test_the_failover_runbook_names_only_what_each_role_synthesizes(synth: Synth, switched: Synth) -> None:
    walk = runbook_path(FAILOVER_RUNBOOK, synth, switched)
    assert walk.broken is None and [h.name for h in walk.hops] == ["standby steps", "active steps"]


# --- one changed hop of each kind is named -------------------------------------------------------------


def _plan_trust_for_the_deploy_environment(doc: dict[str, Any]) -> None:
    for role in doc["resource"]["aws_iam_role"].values():
        role["assume_role_policy"] = role["assume_role_policy"].replace(f"{PRIMARY.name}-plan", PRIMARY.name)


def _remote_state_key_is_the_own_key(doc: dict[str, Any]) -> None:
    for policy in doc["resource"]["aws_iam_role_policy"].values():
        body = json.loads(policy["policy"])
        for statement in body["Statement"]:
            if statement.get("Sid") == "OtherStateKeys":
                statement["Resource"] = ["${aws_kms_key.state_key_4FCF8DC4.arn}"]
        policy["policy"] = json.dumps(body)


def _boundary_condition_inverted(doc: dict[str, Any]) -> None:
    for policy in doc["resource"]["aws_iam_policy"].values():
        body = json.loads(policy["policy"])
        for statement in body["Statement"]:
            if statement.get("Sid") == "OnlyBoundedRoles":
                statement["Condition"] = {"StringEquals": statement["Condition"]["StringNotEquals"]}
        policy["policy"] = json.dumps(body)


def _without(sid: str) -> Callable[[dict[str, Any]], None]:
    """A change dropping statement ``sid`` from the deploy boundary."""

    def change(doc: dict[str, Any]) -> None:
        for name, policy in doc["resource"]["aws_iam_policy"].items():
            if name.startswith("ci_deploy_boundary"):
                body = json.loads(policy["policy"])
                body["Statement"] = [s for s in body["Statement"] if s.get("Sid") != sid]
                policy["policy"] = json.dumps(body)

    change.__name__ = f"without_{sid}"
    return change


def _no_access_entry_for_the_plan_role(doc: dict[str, Any]) -> None:
    for association in doc["resource"]["aws_eks_access_policy_association"].values():
        if association["policy_arn"].endswith("AmazonEKSAdminViewPolicy"):
            association["policy_arn"] = association["policy_arn"].replace("AdminView", "View")


def _state_bucket_denies_reads(doc: dict[str, Any]) -> None:
    for policy in doc["resource"]["aws_s3_bucket_policy"].values():
        body = json.loads(policy["policy"])
        body["Statement"].append(
            {"Sid": "NoReads", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
        )
        policy["policy"] = json.dumps(body)


@pytest.mark.parametrize(
    ("stack", "change", "subject", "hop"),
    [
        (f"{P}-bootstrap", _plan_trust_for_the_deploy_environment, f"ci.yml plan {P}-", "trust"),
        (f"{S}-bootstrap", _remote_state_key_is_the_own_key, f"ci.yml plan {S}-foundation",
         f"reads {P}-foundation"),
        (f"{P}-bootstrap", _boundary_condition_inverted, f"{P} deploy role refuses unbounded",
         "create a role without a boundary"),
        (f"{P}-foundation", _no_access_entry_for_the_plan_role, f"ci.yml plan {P}-apps", "cluster access"),
        (f"{P}-bootstrap", _without("OnlyTheProjectsRoles"), f"{P} deploy role refuses unbounded",
         "create a bounded role outside the project's path"),
        (f"{P}-bootstrap", _without("NotTheHistory"), f"{P} deploy role refuses state",
         f"DeleteObjectVersion in {state_log_bucket(P, PRIMARY.location.account_id)}"),
        (f"{P}-bootstrap", _without("NotTheAliases"), f"{P} deploy role refuses state",
         f"DeleteAlias alias/{PRIMARY.backend.key_alias}"),
        (f"{P}-bootstrap", _state_bucket_denies_reads, f"plan {P}-foundation", f"state {P}-foundation"),
    ],
    ids=lambda value: getattr(value, "__name__", None) or str(value),
)  # fmt: skip
def test_a_changed_identity_hop_is_named(
    synth: Synth,
    synth_dir: Path,
    stack: str,
    change: Callable[[dict[str, Any]], None],
    subject: str,
    hop: str,
) -> None:
    found = broken(ci(mutated(synth, stack, change), synth_dir))
    named = {s: h for s, h in found.items() if subject in s}
    assert named and set(named.values()) == {hop}, found


@pytest.mark.parametrize(
    ("workflow", "old", "new", "subject", "hop"),
    [
        ("deploy-environment.yml", '[self-hosted, linux, "llm-marketplace-${{ inputs.environment }}-deploy"]',
         "${{ vars.DEPLOY_RUNNER }}", "deploy-environment.yml", "runner"),
        ("deploy-environment.yml", "${{ inputs.environment }}-deploy", "${{ inputs.environment }}-plan",
         "deploy-environment.yml", "runner"),
        ("ci.yml", "runs-on: ${{ matrix.target.runner }}",
         f'runs-on: [self-hosted, linux, "llm-marketplace-{P}-deploy"]', f"plan {P}-platform", "runner"),
        ("ci.yml", "runs-on: ${{ matrix.target.runner }}", "runs-on: ubuntu-24.04", "-platform", "runner"),
        ("drift.yml", "environment: ${{ matrix.target.env }}", f"environment: {P}", f"drift {P}-foundation",
         "GitHub environment"),
    ],
)  # fmt: skip
def test_a_changed_runner_or_environment_is_named(
    synth: Synth, synth_dir: Path, tmp_path: Path, workflow: str, old: str, new: str, subject: str, hop: str
) -> None:
    workflows = tmp_path / ".github" / "workflows"
    shutil.copytree(WORKFLOWS, workflows)
    text = (workflows / workflow).read_text()
    assert old in text
    (workflows / workflow).write_text(text.replace(old, new))
    found = broken(ci(synth, synth_dir, workflows))
    named = {s: h for s, h in found.items() if subject in s}
    assert named and set(named.values()) == {hop}, found


def test_an_alarm_that_pages_on_an_idle_replicator_is_named(synth: Synth) -> None:
    def change(doc: dict[str, Any]) -> None:
        for alarm in doc["resource"]["aws_cloudwatch_metric_alarm"].values():
            if alarm.get("metric_name") == "ReplicationLatency" and alarm["namespace"] == "AWS/Kafka":
                alarm["treat_missing_data"] = "breaching"

    changed = mutated(synth, f"{STANDBY.name}-foundation", change)
    walks = failover_paths(EnvView(changed, STANDBY.name), STANDBY, None, EnvView(changed, PRIMARY.name))
    found = broken(walks)
    assert set(found.values()) == {"kafka replicator latency alarm"}, found


def test_a_failure_count_alarm_needing_three_datapoints_is_named(synth: Synth) -> None:
    def change(doc: dict[str, Any]) -> None:
        for alarm in doc["resource"]["aws_cloudwatch_metric_alarm"].values():
            if alarm.get("metric_name") == "NumberOfCopyJobsFailed":
                alarm["evaluation_periods"] = 3

    changed = mutated(synth, f"{PRIMARY.name}-foundation", change)
    walks = failover_paths(EnvView(changed, STANDBY.name), STANDBY, None, EnvView(changed, PRIMARY.name))
    assert set(broken(walks).values()) == {"backup copy alarm"}


def test_a_runbook_step_naming_what_its_role_lacks_is_named(
    synth: Synth, switched: Synth, tmp_path: Path
) -> None:
    text = FAILOVER_RUNBOOK.read_text()
    # step 4 runs against the active synthesis, which forgets the Kafka replicator's lag alarm
    marker = "**4. Deploy dr-platform and dr-apps"
    assert marker in text
    runbook = tmp_path / FAILOVER_RUNBOOK.name
    runbook.write_text(
        text.replace(marker, f"Check `{STANDBY.name}-kafka-replication-lag` first.\n\n{marker}")
    )
    walk = runbook_path(runbook, synth, switched)
    assert walk.broken is not None and walk.broken.name == "active steps"
    assert f"{STANDBY.name}-kafka-replication-lag" in walk.broken.evidence

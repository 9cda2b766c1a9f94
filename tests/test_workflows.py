"""The GitHub Actions workflows pass actionlint (expressions, action inputs, runner labels, deprecations) and
zizmor (security audits), and keep the structure that matters: explicit permissions and a timeout per job,
actions pinned by commit SHA, no persisted checkout credentials, no pull_request_target."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

import environments
from stacks.ci import github_environments, in_vpc_labels

ROOT = Path(__file__).parents[1]
ACTIONLINT = Path(sys.executable).with_name("actionlint")


def test_workflows_pass_actionlint() -> None:
    workflows = sorted(str(p) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    result = subprocess.run(
        [str(ACTIONLINT), "-no-color", *workflows], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_really_reports_problems(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ matrix.nope }}\n"
    )
    result = subprocess.run(
        [str(ACTIONLINT), "-no-color", str(broken)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1 and 'property "nope" is not defined' in result.stdout


ZIZMOR = Path(sys.executable).with_name("zizmor")
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SHA_PIN = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def test_workflows_pass_zizmor_offline() -> None:
    """zizmor's security audits (unpinned actions, credential persistence, template injection, excessive
    permissions...) find nothing; an exception would be configured in one reviewed zizmor.yml."""
    result = subprocess.run(
        [str(ZIZMOR), "--offline", "--no-progress", *map(str, WORKFLOWS)], capture_output=True, text=True,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_zizmor_really_reports_problems(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n"
    )
    result = subprocess.run(
        [str(ZIZMOR), "--offline", "--no-progress", str(broken)], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0 and "unpinned-uses" in result.stdout


def jobs() -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{path.name}:{name}", job)
        for path in WORKFLOWS
        for name, job in yaml.safe_load(path.read_text())["jobs"].items()
    ]


@pytest.mark.parametrize(("name", "job"), jobs(), ids=[name for name, _ in jobs()])
def test_every_job_names_its_permissions_has_a_timeout_and_pins_actions_by_sha(
    name: str, job: dict[str, Any]
) -> None:
    assert "permissions" in job, name
    if "uses" in job:  # a reusable workflow's call: the called workflow's jobs carry the timeouts
        assert job["uses"].startswith("$/.github/workflows/"), name  # GitHub's self-repository form
        assert (ROOT / job["uses"].removeprefix("$/")).is_file(), name
        return
    assert "timeout-minutes" in job, name
    for step in job.get("steps", []):
        if "uses" in step:
            assert SHA_PIN.match(step["uses"]), step["uses"]
        if str(step.get("uses", "")).startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False, name


def test_workflows_never_run_on_pull_request_target() -> None:
    for path in WORKFLOWS:
        triggers = yaml.safe_load(path.read_text())[True]  # PyYAML reads the key `on` as True
        assert "pull_request_target" not in triggers, path.name


def test_drift_runs_daily_with_the_plan_role_and_files_an_issue_per_stack() -> None:
    drift = yaml.safe_load((ROOT / ".github" / "workflows" / "drift.yml").read_text())
    assert drift[True]["schedule"] and "workflow_dispatch" in drift[True]
    assert drift["concurrency"]["cancel-in-progress"] is False
    job = drift["jobs"]["drift"]
    assert job["permissions"] == {"contents": "read", "id-token": "write", "issues": "write"}
    steps = {step.get("name", step.get("uses", "")): step for step in job["steps"]}
    credentials = next(s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_PLAN_ROLE_ARN }}"  # never the deploy role
    assert "-detailed-exitcode" in steps["terraform plan -detailed-exitcode"]["run"]
    assert "tools.plan_changes" in steps["open, update or close the drift issue"]["run"]


def test_a_push_deploys_its_branchs_environments_one_at_a_time_in_order_applying_what_they_planned(
    synth_dir: Path,
) -> None:
    deploy = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())
    # every environment's deploy branch triggers the workflow (a branch missing here would never deploy)
    branches = deploy[True]["push"]["branches"]
    assert {env.deploy_branch for env in environments.ALL if env.backend.kind == "s3"} <= set(branches)
    jobs = deploy["jobs"]
    assert set(jobs) == {"synth", "deploy"}
    synth = jobs["synth"]
    order = next(step for step in synth["steps"] if step.get("id") == "order")
    assert 'python -m tools.deploy_order cdktf.out "$BRANCH"' in order["run"]
    assert order["env"]["BRANCH"] == "${{ github.ref_name }}"
    assert synth["outputs"]["environments"] == "${{ steps.order.outputs.environments }}"
    job = jobs["deploy"]
    assert job["strategy"] == {
        "matrix": {"environment": "${{ fromJSON(needs.synth.outputs.environments) }}"},
        "max-parallel": 1,  # one environment at a time, in the matrix's order
        "fail-fast": True,  # a failure cancels the environments still queued
    }
    assert job["if"] == "needs.synth.outputs.environments != '[]'"  # an empty matrix is an error
    assert job["with"]["environment"] == "${{ matrix.environment }}"
    # an environment whose bootstrap stack changed stops before its foundation (an administrator's deploy)
    assert job["with"]["bootstrap-changed"] == (
        "${{ contains(fromJSON(needs.synth.outputs.bootstrap-changed), matrix.environment) }}"
    )
    # what each branch deploys, in the registry's order (standbys after their primaries)
    for branch in branches:
        listed = json.loads(
            subprocess.run(
                [sys.executable, "-m", "tools.deploy_order", str(synth_dir), branch],
                cwd=ROOT, capture_output=True, text=True, check=True,
            ).stdout
        )  # fmt: skip
        expected = [
            env.name for env in environments.ALL if env.deploy_branch == branch and env.backend.kind == "s3"
        ]
        assert listed == expected, branch
    called = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy-environment.yml").read_text())
    job = called["jobs"]["deploy"]
    # the GitHub environment gates the job: production's requires a reviewer's approval before it starts
    assert job["environment"] == "${{ inputs.environment }}"
    assert job["concurrency"] == {"group": "deploy-${{ inputs.environment }}", "cancel-in-progress": False}
    credentials = next(s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_DEPLOY_ROLE_ARN }}"
    runs = [s.get("run", "") for s in job["steps"]]
    assert any("python -m tools.deploy_layers" in run for run in runs)
    names = [s.get("name") for s in job["steps"]]
    assert names.index("bootstrap first") < names.index("deploy foundation, platform, apps")
    slack = job["steps"][-1]
    assert slack["if"] == "always()" and "SLACK_WEBHOOK_URL" in slack["env"]
    # the message names each service released or rolled back since the push's previous commit
    assert 'python -m tools.release_changes "$BEFORE"' in slack["run"]
    assert slack["env"]["BEFORE"] == "${{ github.event.before }}"
    checkout = job["steps"][0]
    assert checkout["with"]["fetch-depth"] == 0


def test_pull_requests_plan_changed_stacks_and_keep_one_summary_comment() -> None:
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    synth_runs = " ".join(step.get("run", "") for step in ci["jobs"]["synth"]["steps"])
    assert "tools.changed_stacks cdktf.out base/cdktf.out" in synth_runs
    plan_runs = " ".join(step.get("run", "") for step in ci["jobs"]["plan"]["steps"])
    assert "-out=tfplan" in plan_runs and "tools.plan_changes" in plan_runs
    comment = ci["jobs"]["plan-comment"]
    assert comment["permissions"] == {"pull-requests": "write"} and comment["needs"] == "plan"
    script = comment["steps"][-1]["run"]
    assert "terraform-plan-summary" in script and "--method PATCH" in script  # updated, not piled up
    # the comment also carries the change's monthly cost against the base branch
    assert "python -m tools.cost_change cdktf.out/cost.json cost-base.json" in synth_runs
    assert "cost/cost-change.md" in script


def test_the_service_image_pipeline_scans_before_it_pushes_by_digest_and_proposes_the_first_release() -> None:
    pipeline = yaml.safe_load((ROOT / ".github" / "workflows" / "service-image.yml").read_text())
    called = pipeline[True]["workflow_call"]
    assert {
        "service", "push-role-arns", "infrastructure-repository", "test-command", "release-environment",
        "release-branch",
    } <= set(called["inputs"])  # fmt: skip
    build, publish, proposal = (pipeline["jobs"][job] for job in ("build", "publish", "release-pr"))

    def step(job: dict[str, Any], name: str) -> dict[str, Any]:
        return next(s for s in job["steps"] if s.get("name") == name)

    assert (
        step(build, "tests")["run"] == 'bash -euo pipefail -c "$TEST_COMMAND"'
    )  # input via env, not inlined
    assert step(build, "build linux/amd64 and linux/arm64")["with"]["platforms"] == "linux/amd64,linux/arm64"
    gate = step(build, "Trivy gate (fails on HIGH or CRITICAL)")["with"]
    assert (gate["severity"], gate["exit-code"]) == ("HIGH,CRITICAL", "1")
    assert any("upload-sarif" in s.get("uses", "") for s in build["steps"])
    # only main's pushes publish, after the scan passed, with attestations
    assert publish["needs"] == "build"
    assert publish["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert publish["permissions"] == {"contents": "read", "id-token": "write", "attestations": "write"}
    push = step(publish, "push to every environment's registry")["with"]
    assert push["platforms"] == "linux/amd64,linux/arm64" and push["push"] is True
    assert (push["sbom"], push["provenance"]) == (True, "mode=max")
    # every environment the caller lists: one OIDC token each, exchanged for its push role, then a login
    login = step(publish, "log in to every environment's registry")["run"]
    assert 'done < "$RUNNER_TEMP/targets.tsv"' in login and "audience=sts.amazonaws.com" in login
    assert "aws sts assume-role-with-web-identity" in login and "::add-mask::$secret" in login
    targets = step(publish, "registries and roles")
    assert targets["env"]["TARGETS"] == "${{ inputs.push-role-arns }}"
    assert any("attest-build-provenance" in s.get("uses", "") for s in publish["steps"])
    assert publish["outputs"]["digest"] == "${{ steps.push.outputs.digest }}"
    # the pull request records the pushed digest for the caller's first environment, through an app token
    # limited to two permissions
    token = next(s for s in proposal["steps"] if "create-github-app-token" in s.get("uses", ""))["with"]
    assert {k for k in token if k.startswith("permission-")} == {
        "permission-contents",
        "permission-pull-requests",
    }
    record = step(proposal, "record the digest and open the pull request")
    assert 'python3 -m tools.release "$RELEASE_ENVIRONMENT" "$SERVICE" "$DIGEST"' in record["run"]
    assert record["env"]["RELEASE_ENVIRONMENT"] == "${{ inputs.release-environment }}"
    checkout = next(s for s in proposal["steps"] if "actions/checkout" in s.get("uses", ""))
    assert checkout["with"]["ref"] == "${{ inputs.release-branch }}"
    assert record["env"]["DIGEST"] == "${{ needs.publish.outputs.digest }}" and proposal["permissions"] == {}


def workflow(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())
    return loaded


def test_deploy_jobs_run_on_literal_in_vpc_labels_never_an_environment_variable() -> None:
    """A variable of the job's own environment is empty when runs-on is evaluated (github/docs#33389): the
    label is literal, the environment's in-VPC runner (stacks/ci.py)."""
    job = workflow("deploy-environment.yml")["jobs"]["deploy"]
    assert job["runs-on"] == [*in_vpc_labels("${{ inputs.environment }}", "deploy")]
    texts = " ".join(path.read_text() for path in WORKFLOWS)
    assert "vars.DEPLOY_RUNNER" not in texts


@pytest.mark.parametrize("name", ["ci.yml", "drift.yml"])
def test_plans_run_in_the_plan_environment_on_the_runner_the_synthesis_names(name: str) -> None:
    jobs = workflow(name)["jobs"]
    job = jobs["plan" if name == "ci.yml" else "drift"]
    assert (job["runs-on"], job["environment"]) == ("${{ matrix.target.runner }}", "${{ matrix.target.env }}")
    credentials = next(s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_PLAN_ROLE_ARN }}"


def test_the_readmes_github_setup_checklist_names_what_the_workflows_use() -> None:
    readme = (ROOT / "docs" / "ci.md").read_text()
    checklist = readme.split("**GitHub set-up, in this order**", 1)[1].split("\n\n", 2)[1]
    used = set(re.findall(r"vars\.([A-Z_]+)", " ".join(path.read_text() for path in WORKFLOWS)))
    named = set(re.findall(r"`([A-Z][A-Z_]+)`", checklist))
    assert used <= named, f"variables the workflows read but the checklist does not name: {used - named}"
    assert "`<env>-plan`" in checklist and "`<env>`" in checklist
    labels = {*in_vpc_labels("<env>", "plan"), *in_vpc_labels("<env>", "deploy")}
    assert all(f"`{label}`" in checklist for label in labels)
    # the environments themselves come from the registry, through the synthesis: the checklist names none
    assert (
        "for each environment `<env>` of the registry" in checklist and "`bin/dev github-setup`" in checklist
    )


def test_github_setup_lists_every_environments_github_environments_and_runners(synth_dir: Path) -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "tools.github_setup", str(synth_dir)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    for env in environments.ALL:
        _, plan = github_environments(env)
        rule = f"deployment branch {env.deploy_branch}; " + ("a required" if env.deploy_reviewer else "no")
        variables = f"AWS_DEPLOY_ROLE_ARN={env.deploy_role_arn}, AWS_REGION={env.location.region}"
        assert f"  {env.name}: {variables}; {rule} reviewer\n" in listed
        assert f"  {plan.name}: AWS_PLAN_ROLE_ARN={env.plan_role_arn}, " in listed
        labels = ", ".join(in_vpc_labels(env.name, "deploy"))
        assert f"; deploy {labels}" in listed
    missing = subprocess.run(
        [sys.executable, "-m", "tools.github_setup", str(synth_dir / "nowhere")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (
        missing.returncode == 2
        and missing.stderr.count("\n") == 1
        and "run bin/dev synth first" in missing.stderr
    )


def test_the_checklists_environments_variables_and_reviewers_are_the_declared_ones(synth_dir: Path) -> None:
    """The checklist's GitHub environments match stacks/ci.github_environments, which the synthesis writes to
    ci.json with the values to set and the identity proof (tools/paths/identity.py) walks."""
    readme = (ROOT / "docs" / "ci.md").read_text()
    checklist = readme.split("**GitHub set-up, in this order**", 1)[1].split("\n\n", 2)[1]
    declared = json.loads((synth_dir / "ci.json").read_text())["environments"]
    for env in environments.ALL:
        deploy, plan = github_environments(env)
        assert declared[deploy.name]["variables"] == dict(deploy.variables)
        assert declared[plan.name] == {"branch": None, "reviewer": False, "variables": dict(plan.variables)}
        for github in (deploy, plan):
            section = "`<env>-plan`:" if github is plan else "`<env>`:"
            line = next(item for item in checklist.split("\n   - ") if item.startswith(section))
            assert all(f"`{variable}`" in line for variable in github.variables), (section, github.variables)
    assert "Give each whose configuration sets `deploy_reviewer` a required reviewer" in " ".join(
        checklist.split()
    )
    for env in environments.ALL:  # what bin/dev github-setup prints for it
        assert declared[env.name]["reviewer"] is env.deploy_reviewer and declared[env.name]["branch"] == (
            env.deploy_branch
        )

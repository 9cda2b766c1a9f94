"""The runbooks (docs/runbooks/) against the app as it synthesizes: every stack, task, cloud name, namespace,
Helm release, object and alert they write in code exists, so a rename in the stacks fails here instead of
in an incident; the checker (tools/runbook_check.py) really reports a renamed name; and the failover steps
of backup-and-restore.md are environments/recovery.py's, with the same minutes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import environments
import services
from tools.doc_claims import contradictions
from tools.runbook_check import RUNBOOKS_DIR, Facts, check_runbooks, check_text, failover_steps, load_facts

ROOT = Path(__file__).parents[1]
# The checker's own tests use this deployment's names, read from the configuration, so they hold after an
# adopter renames environments, accounts or services: a production-tier primary, its standby, a service.
PRIMARY = next(env for env in environments.ALL if env.tier == "production" and env.standby is None)
STANDBY = next(env.name for env in environments.ALL if env.standby)
P, ACCOUNT, SERVICE = PRIMARY.name, PRIMARY.location.account_id, services.SPECS[-1].name
FIRST = environments.ALL[0]
RUNBOOKS = (
    "deployment.md",
    "monitoring-and-alerts.md",
    "backup-and-restore.md",
    "troubleshooting.md",
    "scaling.md",
    "security-incident-and-access.md",
)


@pytest.fixture(scope="module")
def facts(synth_dir: Path) -> Facts:
    """What exists, read once from the session's synthesized app (tests/conftest.py) and bin/dev."""
    return load_facts(synth_dir)


def test_every_runbook_of_the_reference_design_exists() -> None:
    """The reference design's six runbooks, under the names the other runbooks link to."""
    missing = [name for name in RUNBOOKS if not (RUNBOOKS_DIR / name).is_file()]
    assert not missing, f"missing runbooks in docs/runbooks/: {missing}"


def test_every_name_the_runbooks_write_in_code_exists(facts: Facts) -> None:
    """The drift check itself: a renamed stack, bucket, secret, alarm, namespace or release fails here."""
    problems = check_runbooks(facts)
    assert not problems, "names the synthesized app does not have:\n" + "\n".join(map(str, problems))


@pytest.mark.parametrize(
    ("text", "kind", "name"),
    [
        (f"Check `{P}-postgresql` first.", "cloud name", f"{P}-postgresql"),
        (
            f"```sh\naws rds describe-db-instances --db-instance-identifier {P}-postgresql\n```",
            "cloud name",
            f"{P}-postgresql",
        ),
        (f"A span that wraps `aws rds reboot-db-instance\n{P}-postgresql` over lines.", "cloud name",
         f"{P}-postgresql"),
        (f"`aws s3 ls s3://llm-marketplace-{P}-backup-{ACCOUNT}/`", "cloud name",
         f"llm-marketplace-{P}-backup-{ACCOUNT}"),
        (f"`{P}/{SERVICE}/application`", "cloud name", f"{P}/{SERVICE}/application"),
        (f"`alias/{P}-database`", "cloud name", f"alias/{P}-database"),
        (f"`{P}-edge-unhealthy`", "cloud name", f"{P}-edge-unhealthy"),
        (f"`{P}-postgres-copy-<date>`", "cloud name prefix", f"{P}-postgres-copy-"),
        ("`npx cdktf deploy 'prod-*'`", "stack glob", "prod-*"),
        (f"`bin/dev deploy {P}-apps`", "bin/dev task", "deploy"),
        (f"`bin/dev rollback {P} search`", "service", "search"),
        (f"`bin/dev rollback prod {SERVICE}`", "environment", "prod"),
        ("`kubectl -n observability get pods`", "namespace", "observability"),
        ("`helm -n monitoring history prometheus`", "Helm release", "prometheus"),
        (f"`kubectl -n {SERVICE} describe canary/search`", "canary object", "search"),
        ("Silence `ServiceUnavailableHigh`.", "alert", "ServiceUnavailableHigh"),
    ],
)  # fmt: skip
def test_the_checker_reports_a_renamed_name(facts: Facts, text: str, kind: str, name: str) -> None:
    """Each pattern catches a name that is one edit away from a real one, and reports only that name."""
    assert [(problem.kind, problem.name) for problem in check_text(text, facts)] == [(kind, name)]


def test_the_checker_accepts_real_names_and_placeholders(facts: Facts) -> None:
    """No false alarm on real names, placeholders, globs, ARNs, log group paths or shell noise."""
    text = f"""
`{P}-postgres` `{P}-postgres-<yyyymmdd>` `{P}-eks-svc-<service>` `<env>-foundation`
`llm-marketplace-{P}-backups-{ACCOUNT}` `{P}/{SERVICE}/app` `alias/{P}-data`
`aws logs tail /aws/rds/instance/{P}-postgres/postgresql` `ServiceDown` `bin/dev diff {STANDBY}-foundation`

```sh
npx cdktf deploy '{STANDBY}-*'
bin/dev diff {P}-apps
bin/dev rollback {P} {SERVICE}
kubectl -n {SERVICE} get canary/{SERVICE} | head -n 20
helm -n monitoring history kube-prometheus-stack
arn:aws:iam::{ACCOUNT}:role/{P}-eks-admin
cat /dev/null
```
"""
    assert check_text(text, facts) == []


def test_failover_steps_are_the_recovery_modules_with_their_minutes() -> None:
    """backup-and-restore.md carries the time budgets recovery.py sums into the recovery time: same steps,
    same order, same minutes, and the same total."""
    from environments.recovery import derive  # here: a missing module fails this test, not the whole file

    primaries = [
        env
        for env in environments.ALL
        if any(o.standby and o.standby.primary == env.name for o in environments.ALL)
    ]
    assert primaries, "no environment has a standby: the failover section has nothing to describe"
    report = derive(primaries[0], environments.ALL)
    text = (RUNBOOKS_DIR / "backup-and-restore.md").read_text(encoding="utf-8")
    assert failover_steps(text) == [(step.name, step.minutes) for step in report.steps]
    assert f"{report.rto_minutes:g} minutes in all" in text


def test_the_role_switch_the_failover_edits_is_where_the_runbook_says() -> None:
    """backup-and-restore.md flips dr's role with one ``sed`` on this exact line."""
    source = (ROOT / "environments" / "dr.py").read_text(encoding="utf-8")
    assert re.search(r'^ROLE: RecoveryRole = "(standby|active)"$', source, flags=re.MULTILINE)


def test_no_runbook_or_readme_statement_contradicts_the_code(synth_dir: Path) -> None:
    assert [str(c) for c in contradictions(synth_dir)] == []


@pytest.mark.parametrize(
    ("statement", "truth"),
    [
        ("You need Terraform 1.10 or newer.", "require Terraform >= 1.11.0"),
        ("The CI roles are not created by this project.", "the bootstrap stacks create the CI roles"),
        (
            "| environment | region | account | stacks, in deploy order | state |\n|---|---|---|---|---|\n"
            f"| {FIRST.name} | {FIRST.location.region} | {FIRST.location.account_id} "
            f"| `{FIRST.name}-foundation` | local files |",
            f"{FIRST.name}'s stacks is {FIRST.name}-bootstrap",
        ),
    ],
)
def test_a_statement_the_code_contradicts_is_named(
    synth_dir: Path, tmp_path: Path, statement: str, truth: str
) -> None:
    document = tmp_path / "runbook.md"
    document.write_text(statement + "\n")
    found = contradictions(synth_dir, (document,))
    assert any(truth in c.truth for c in found), found

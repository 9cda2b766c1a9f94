"""The runbooks (docs/runbooks/) against the app as it synthesizes: every stack, task, cloud name, namespace,
Helm release, object and alert they write in code exists, so a rename in the stacks fails here instead of
in an incident; the checker (tools/runbook_check.py) really reports a renamed name; and the failover steps
of backup-and-restore.md are environments/recovery.py's, with the same minutes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import environments
from tools.doc_claims import contradictions
from tools.runbook_check import RUNBOOKS_DIR, Facts, check_runbooks, check_text, failover_steps, load_facts

ROOT = Path(__file__).parents[1]
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
        ("Check `production-postgresql` first.", "cloud name", "production-postgresql"),
        (
            "```sh\naws rds describe-db-instances --db-instance-identifier production-postgresql\n```",
            "cloud name",
            "production-postgresql",
        ),
        ("A span that wraps `aws rds reboot-db-instance\nproduction-postgresql` over lines.", "cloud name",
         "production-postgresql"),
        ("`aws s3 ls s3://llm-marketplace-production-backup-333333333333/`", "cloud name",
         "llm-marketplace-production-backup-333333333333"),
        ("`production/publishing/application`", "cloud name", "production/publishing/application"),
        ("`alias/production-database`", "cloud name", "alias/production-database"),
        ("`production-edge-unhealthy`", "cloud name", "production-edge-unhealthy"),
        ("`production-postgres-copy-<date>`", "cloud name prefix", "production-postgres-copy-"),
        ("`npx cdktf deploy 'prod-*'`", "stack glob", "prod-*"),
        ("`bin/dev deploy production-apps`", "bin/dev task", "deploy"),
        ("`bin/dev rollback production search`", "service", "search"),
        ("`bin/dev rollback prod publishing`", "environment", "prod"),
        ("`kubectl -n observability get pods`", "namespace", "observability"),
        ("`helm -n monitoring history prometheus`", "Helm release", "prometheus"),
        ("`kubectl -n publishing describe canary/search`", "canary object", "search"),
        ("Silence `ServiceUnavailableHigh`.", "alert", "ServiceUnavailableHigh"),
    ],
)  # fmt: skip
def test_the_checker_reports_a_renamed_name(facts: Facts, text: str, kind: str, name: str) -> None:
    """Each pattern catches a name that is one edit away from a real one, and reports only that name."""
    assert [(problem.kind, problem.name) for problem in check_text(text, facts)] == [(kind, name)]


def test_the_checker_accepts_real_names_and_placeholders(facts: Facts) -> None:
    """No false alarm on real names, placeholders, globs, ARNs, log group paths or shell noise."""
    text = """
`production-postgres` `production-postgres-<yyyymmdd>` `production-eks-svc-<service>` `<env>-foundation`
`llm-marketplace-production-backups-333333333333` `production/publishing/app` `alias/production-data`
`aws logs tail /aws/rds/instance/production-postgres/postgresql` `ServiceDown` `bin/dev diff dr-foundation`

```sh
npx cdktf deploy 'dr-*'
bin/dev diff production-apps
bin/dev rollback production publishing
kubectl -n publishing get canary/publishing | head -n 20
helm -n monitoring history kube-prometheus-stack
arn:aws:iam::333333333333:role/production-eks-admin
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
            "| dev | us-east-1 | 111111111111 | `dev-foundation` | local files |",
            "dev's stacks is dev-bootstrap",
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

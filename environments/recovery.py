"""Recovery point and recovery time, derived from the configuration rather than promised in a document.

Each store of an environment gets the cross-region copies its configuration gives it (a standby's replicas,
S3 replication, the backup plan's copies), each with the worst data loss it allows; the store's recovery
point is the best of them. The failover's recovery time is the sum of the runbook's steps
(docs/runbooks/backup-and-restore.md lists the same steps), several of them derived from the configuration.
``check_objectives`` stops synthesis when an environment with objectives misses one.

    bin/dev dr-report [ENV ...]     prints the table per environment
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from environments.base import EnvironmentConfig
from marketplace_constructs import ConfigError

STORES: Final = ("PostgreSQL", "Redis", "Kafka", "Backups bucket", "Container images")
S3_RTC_MINUTES: Final = 15  # S3 Replication Time Control: 99.99 % of objects within 15 minutes (its SLA)
# RDS cross-region automated backups: transaction logs every 5 minutes, copied asynchronously; AWS's
# prescriptive guidance gives 5-30 minutes of recovery point
PITR_REPLICATION_MINUTES: Final = 30
ECR_REPLICATION_MINUTES: Final = 30  # ECR: "most images replicate in under 30 minutes" (its user guide)
# Container images are build artifacts: a lost image is rebuilt from git by the pipeline, so their copy
# is listed but not held to the recovery point objective.
ARTIFACT_STORES: Final = ("Container images",)

# Failover time budgets of the steps that are a person's or a deploy's (minutes); the runbook carries them.
DECIDE_MINUTES: Final = 10  # the on-call engineer confirms a regional outage and flips dr's role
PROMOTE_MINUTES: Final = 15  # dr-foundation deploy: RDS replica promotion, Global Datastore failover
NODES_MINUTES: Final = 10  # node groups from the standby floor to production's minimum (EC2 + join)
LAYERS_MINUTES: Final = 15  # dr-platform and dr-apps deploys; services scale to production's minimum
# The primary's Route 53 health check follows a CloudWatch alarm on healthy gateway pods (two one-minute
# periods) that Route 53 reads about once a minute: three one-minute intervals at most.
HEALTH_CHECK_INTERVAL_SECONDS: Final = 60
HEALTH_CHECK_FAILURES: Final = 3
ALIAS_TTL_SECONDS: Final = 60  # Route 53 alias records answer with the target's TTL (an ALB's is 60 s)


@dataclass(frozen=True, slots=True)
class Copy:
    """One cross-region copy of a store: how it is made, the data it may lose, and which setting says so."""

    store: str
    mechanism: str
    rpo_minutes: float
    setting: str


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the failover runbook with its time budget."""

    name: str
    minutes: float
    basis: str


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    """An environment's copies per store and the failover's steps."""

    env: str
    copies: tuple[Copy, ...]
    steps: tuple[Step, ...]

    def rpo(self, store: str) -> float | None:
        """The store's recovery point: its best copy; None without any cross-region copy."""
        minutes = [copy.rpo_minutes for copy in self.copies if copy.store == store]
        return min(minutes) if minutes else None

    @property
    def rto_minutes(self) -> float:
        return sum(step.minutes for step in self.steps)


def derive(env: EnvironmentConfig, envs: Iterable[EnvironmentConfig]) -> RecoveryReport:
    """``env``'s cross-region copies (from its standbys among ``envs`` and its own backup plan) and, where a
    standby exists, the failover's steps."""
    standbys = [other for other in envs if other.standby and other.standby.primary == env.name]
    copies: list[Copy] = []
    for standby in standbys:
        assert standby.standby is not None
        if not standby.standby.standing_by:
            continue  # after a failover nothing replicates into the former standby
        where, lag = standby.location.region, float(standby.standby.max_lag_minutes)
        lag_setting = f"{standby.name}: StandbyConfig.max_lag_minutes"
        copies += [
            Copy("PostgreSQL", f"cross-region read replica in {where} (lag alarm)", lag, lag_setting),
            Copy(
                "PostgreSQL", f"automated backups replicated to {where} (point-in-time restore)",
                PITR_REPLICATION_MINUTES, "RDS backup replication (AWS's figure: 5-30 minutes)",
            ),
            Copy("Redis", f"Global Datastore secondary in {where} (lag alarm)", lag, lag_setting),
            Copy("Kafka", f"MSK Replicator to {standby.name}'s cluster (lag alarm)", lag, lag_setting),
            Copy(
                "Backups bucket", f"S3 replication with Replication Time Control to {where}",
                S3_RTC_MINUTES, "S3 Replication Time Control (fixed 15-minute SLA)",
            ),
            Copy(
                "Container images", f"ECR registry replication to {where}", ECR_REPLICATION_MINUTES,
                "ECR replication (AWS's typical figure)",
            ),
        ]  # fmt: skip
    backup = env.backup
    if backup.copy_region:
        copies.append(
            Copy(
                "PostgreSQL", f"AWS Backup snapshot copied to {backup.copy_region}",
                float(backup.frequency_minutes), f"{env.name}: BackupConfig.frequency_minutes",
            )
        )  # fmt: skip
    steps = _failover_steps() if standbys else ()
    return RecoveryReport(env.name, tuple(copies), steps)


def _failover_steps() -> tuple[Step, ...]:
    detection = HEALTH_CHECK_INTERVAL_SECONDS * HEALTH_CHECK_FAILURES / 60
    return (
        Step("Detect: the primary's health check fails", detection + 5,
             "the alarm's two one-minute periods and Route 53's next read; 5 min for the page to reach "
             "the on-call and the runbook to be open"),
        Step("Decide: confirm the outage, set dr's role to active", DECIDE_MINUTES, "on-call budget"),
        Step("Deploy dr-foundation: promote replicas, scale node groups", PROMOTE_MINUTES + NODES_MINUTES,
             "RDS promotion and Global Datastore failover, then EC2 launch and join"),
        Step("Deploy dr-platform and dr-apps at production's sizes", LAYERS_MINUTES, "deploy budget"),
        Step("Clients follow DNS to dr", ALIAS_TTL_SECONDS / 60, "alias record TTL"),
    )  # fmt: skip


def check_objectives(envs: Iterable[EnvironmentConfig]) -> None:
    """Stop when an environment with objectives has a store without a cross-region copy, a recovery point
    over its objective, or a failover slower than its objective."""
    envs = tuple(envs)
    for env in envs:
        objectives = env.objectives
        failed_over = any(
            other.standby and other.standby.primary == env.name and not other.standby.standing_by
            for other in envs
        )
        if objectives is None or failed_over:  # after a failover the objectives wait for the failback
            continue
        report = derive(env, envs)
        for store in STORES:
            rpo = report.rpo(store)
            if rpo is None:
                raise ConfigError(
                    f"environment {env.name!r}: {store} has no cross-region copy; RecoveryObjectives needs "
                    "one for every store (add a standby environment or BackupConfig.copy_region)"
                )
            best = min((copy for copy in report.copies if copy.store == store), key=lambda c: c.rpo_minutes)
            if store not in ARTIFACT_STORES and rpo > objectives.rpo_minutes:
                raise ConfigError(
                    f"environment {env.name!r}: {best.setting} gives {store} a recovery point of {rpo:g} "
                    f"minutes ({best.mechanism}); RecoveryObjectives.rpo_minutes allows "
                    f"{objectives.rpo_minutes}"
                )
        if report.rto_minutes > objectives.rto_minutes:
            raise ConfigError(
                f"environment {env.name!r}: the failover's steps take {report.rto_minutes:g} minutes; "
                f"RecoveryObjectives.rto_minutes allows {objectives.rto_minutes}"
            )


def render(report: RecoveryReport, env: EnvironmentConfig) -> str:
    """The report as a text table: each store's copies and recovery point, then the failover's steps."""
    objectives = env.objectives
    goal = (
        f"objectives: RPO {objectives.rpo_minutes} min, RTO {objectives.rto_minutes} min"
        if objectives
        else "no objectives"
    )
    lines = [f"{report.env} ({goal})"]
    lines.append(f"  {'store':<17} {'RPO min':>7}  copy")
    for store in STORES:
        rpo = report.rpo(store)
        copies = [copy for copy in report.copies if copy.store == store]
        if not copies:
            lines.append(f"  {store:<17} {'-':>7}  no cross-region copy")
        for index, copy in enumerate(copies):
            shown, label = (f"{rpo:g}", store) if index == 0 and rpo is not None else ("", "")
            lines.append(f"  {label:<17} {shown:>7}  {copy.mechanism}: {copy.rpo_minutes:g}")
    if report.steps:
        lines.append(f"  failover steps (RTO {report.rto_minutes:g} min):")
        lines += [f"    {step.minutes:>5g} min  {step.name} ({step.basis})" for step in report.steps]
    return "\n".join(lines)

"""Failover paths of a standby, in the role it was synthesized in:

- **edge**: for each name on its certificate, the failover record (the primary's name: SECONDARY of a pair
  whose PRIMARY is health-checked), the ALB, its HTTPS listener, the certificate with every name validated,
  and the target group;
- **state**: every state a standby stack reads from its primary can be read by its plan and deploy roles
  (the object and its key), so CI can plan and deploy it;
- **replication**: every cross-region replication into the standby has an alarm on a metric AWS publishes
  for it (``METRICS``: namespace, name, dimensions, the region it is published in), notifying a topic of that
  region, that cannot page on a legitimate silence (a metric published only on activity never treats missing
  data as breaching) and that hears a single failure (a failure count alarms on one datapoint, over a
  period no shorter than the metric's publication interval);
- **runbook**: every name the failover runbook's steps write in code exists in the role the step runs in
  (``tools.runbook_check``): readiness and steps 1-2 against the standby, steps 3 on against the active
  synthesis (step 2 sets the role).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from environments.base import EnvironmentConfig
from tools import runbook_check
from tools.paths import edge_rules
from tools.paths.accounts import Accounts, Role
from tools.paths.identity import allowed, state_requests
from tools.paths.model import Hop, Walk, hop, unproved
from tools.paths.view import EnvView, Ref, Synth

# Step 2 ("Decide") switches the role: the later steps run against the active synthesis.
ACTIVE_FROM_STEP: Final = 3
SILENT_OK: Final = ("notBreaching", "ignore", "missing")


@dataclass(frozen=True, slots=True)
class Metric:
    """What AWS publishes for a replication: where (``region``: "source" or "destination" of the
    replication), whether it is silent while nothing happens (``idle_silent``), whether it counts failures
    (alarm on one datapoint), its publication interval, and where AWS documents it."""

    namespace: str
    name: str
    region: str
    idle_silent: bool
    counts_failures: bool
    interval_seconds: int
    documented: str


METRICS: Final = {
    "database replica": Metric(
        "AWS/RDS", "ReplicaLag", "destination", False, False, 60,
        "Amazon RDS user guide, Amazon CloudWatch metrics for Amazon RDS (ReplicaLag, per read replica)",
    ),
    "cache global datastore": Metric(
        "AWS/ElastiCache", "GlobalDatastoreReplicationLag", "destination", False, False, 60,
        "ElastiCache user guide, Metrics for Valkey and Redis OSS (secondary region's primary node)",
    ),
    "kafka replicator": Metric(
        "AWS/Kafka", "ReplicatorFailure", "destination", True, True, 60,
        "Amazon MSK developer guide, MSK Replicator metrics (ReplicatorFailure, target cluster's region)",
    ),
    "kafka replicator latency": Metric(
        "AWS/Kafka", "ReplicationLatency", "destination", True, False, 60,
        "Amazon MSK developer guide, MSK Replicator metrics (ReplicationLatency)",
    ),
    "bucket replication": Metric(
        "AWS/S3", "OperationsFailedReplication", "source", True, True, 60,
        "Amazon S3 user guide, S3 Replication metrics (source bucket's region)",
    ),
    "bucket replication latency": Metric(
        "AWS/S3", "ReplicationLatency", "destination", False, False, 60,
        "Amazon S3 user guide, S3 Replication metrics (destination bucket's region)",
    ),
    "backup copy": Metric(
        "AWS/Backup", "NumberOfCopyJobsFailed", "source", True, True, 300,
        "AWS Backup developer guide, Monitoring with CloudWatch (every 5 minutes; destination vault's name)",
    ),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Replication:
    """One replication: its kind (a key of ``METRICS``), the resource, the source and destination regions,
    and the dimensions its metric carries (for a group of nodes, ``nodes``: the metric per node)."""

    kind: str
    address: str
    source: str
    destination: str
    dimensions: Mapping[str, str]
    nodes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Alarm:
    address: str
    region: str
    body: Mapping[str, Any]
    metrics: tuple[tuple[str, str, Mapping[str, Any]], ...]  # (namespace, name, dimensions) of each metric


def replications(synth: Synth, accounts: Accounts, stack: str) -> Iterator[tuple[str, Replication | Hop]]:
    """(resource address, its replication) of each replication ``stack`` makes; a Hop where no metric
    can watch it."""
    region = accounts.region_of
    for name, db in synth.resources(stack, "aws_db_instance").items():
        if "replicate_source_db" in db:
            address = f"aws_db_instance.{name}"
            dims = {"DBInstanceIdentifier": db["identifier"]}
            yield address, Replication("database replica", address, "?", region(stack, db), dims)
    for name, group in synth.resources(stack, "aws_elasticache_replication_group").items():
        if "global_replication_group_id" in group:
            address = f"aws_elasticache_replication_group.{name}"
            count = int(group["num_cache_clusters"])
            nodes = tuple(f"{group['replication_group_id']}-{n:03d}" for n in range(1, count + 1))
            yield (
                address,
                Replication("cache global datastore", address, "?", region(stack, group), {}, nodes),
            )
    for name, replicator in synth.resources(stack, "aws_msk_replicator").items():
        address, here = f"aws_msk_replicator.{name}", region(stack, replicator)
        dims = {"ReplicatorName": replicator["replicator_name"]}
        for kind in ("kafka replicator", "kafka replicator latency"):
            yield address, Replication(kind, address, "?", here, dims)
    for name, config in synth.resources(stack, "aws_s3_bucket_replication_configuration").items():
        address = f"aws_s3_bucket_replication_configuration.{name}"
        for rule in config.get("rule", []):
            destination = rule["destination"]
            if destination.get("metrics", {}).get("status") != "Enabled":
                yield (
                    address,
                    hop("replication alarm", False, f"rule {rule.get('id')}: replication metrics off"),
                )
                continue
            target, where = _bucket(synth, accounts, stack, destination["bucket"])
            source, _ = _bucket(synth, accounts, stack, config["bucket"])
            dims = {"SourceBucket": source, "DestinationBucket": target, "RuleId": rule["id"]}
            for kind in ("bucket replication", "bucket replication latency"):
                yield address, Replication(kind, address, region(stack, config), where, dims)
    for name, plan in synth.resources(stack, "aws_backup_plan").items():
        for rule in plan.get("rule", []):
            for copy in rule.get("copy_action", []):
                vault = str(copy["destination_vault_arn"])
                address = f"aws_backup_plan.{name}"
                dims = {"BackupVaultName": vault.rsplit(":", 1)[-1]}
                yield (
                    address,
                    Replication("backup copy", address, region(stack, plan), vault.split(":")[3], dims),
                )
    for name in synth.resources(stack, "aws_db_instance_automated_backups_replication"):
        yield (
            f"aws_db_instance_automated_backups_replication.{name}",
            unproved(
                "replication alarm",
                "AWS publishes no CloudWatch metric for the replication of automated backups; the read "
                "replica's ReplicaLag alarm watches the database's recovery point",
            ),
        )
    for name in synth.resources(stack, "aws_ecr_replication_configuration"):
        yield (
            f"aws_ecr_replication_configuration.{name}",
            unproved(
                "replication alarm",
                "ECR publishes no replication metric; images are build artifacts, rebuilt from git "
                "(environments/recovery.ARTIFACT_STORES)",
            ),
        )


def _bucket(synth: Synth, accounts: Accounts, stack: str, value: str) -> tuple[str, str]:
    """The name and region of the bucket ``value`` (its name, or a reference to it or its ARN) names."""
    resolved = synth.resolve(stack, value)
    if isinstance(resolved, Ref) and resolved.address.startswith("aws_s3_bucket."):
        node = synth.resources(resolved.stack, "aws_s3_bucket").get(resolved.address.split(".", 1)[1], {})
        return str(node.get("bucket", resolved)), accounts.region_of(resolved.stack, node)
    return str(resolved), "?"


def alarms(synth: Synth, accounts: Accounts, stacks: Sequence[str]) -> list[Alarm]:
    found = []
    for stack in stacks:
        for name, body in synth.resources(stack, "aws_cloudwatch_metric_alarm").items():
            body = synth.resolve(stack, body)
            metrics: tuple[tuple[str, str, Mapping[str, Any]], ...]
            if "metric_name" in body:
                metrics = ((body.get("namespace", ""), body["metric_name"], body.get("dimensions", {})),)
            else:
                metrics = tuple(
                    (q["metric"]["namespace"], q["metric"]["metric_name"], q["metric"].get("dimensions", {}))
                    for q in body.get("metric_query", [])
                    if "metric" in q
                )
            region = accounts.region_of(stack, synth.resources(stack, "aws_cloudwatch_metric_alarm")[name])
            found.append(Alarm(f"{stack}:aws_cloudwatch_metric_alarm.{name}", region, body, metrics))
    return found


def watched(replication: Replication, candidates: Sequence[Alarm]) -> Hop:
    """The alarm on ``replication``'s metric, judged by the rules of the module docstring."""
    metric = METRICS[replication.kind]
    region = replication.destination if metric.region == "destination" else replication.source
    label = f"{replication.kind} alarm"
    subject = f"{replication.address}: {metric.namespace} {metric.name} ({metric.documented})"

    def covers(alarm: Alarm) -> bool:
        ours = [m for m in alarm.metrics if m[0] == metric.namespace and m[1] == metric.name]
        if replication.nodes:
            return sorted(m[2].get("CacheClusterId", "") for m in ours) == sorted(replication.nodes)
        return any(all(m[2].get(k) == v for k, v in replication.dimensions.items()) for m in ours)

    matching = [alarm for alarm in candidates if covers(alarm)]
    if not matching:
        where = f"nodes {list(replication.nodes)}" if replication.nodes else dict(replication.dimensions)
        return hop(label, False, f"{subject}: no alarm on it for {where}")
    alarm = matching[0]
    body = alarm.body
    problems = []
    if alarm.region != region:
        problems.append(f"the alarm is in {alarm.region}, the metric is published in {region}")
    missing = body.get("treat_missing_data", "missing")
    if metric.idle_silent and missing not in SILENT_OK:
        problems.append(f"missing data is {missing!r}, but the metric is silent while idle")
    if metric.counts_failures:
        needed = body.get("datapoints_to_alarm", body.get("evaluation_periods"))
        if needed != 1:
            problems.append(f"{needed} datapoints to alarm: a single failure never pages")
        period = body.get("period") or max(
            (q.get("metric", {}).get("period", 0) for q in body.get("metric_query", [])), default=0
        )
        if int(period) < metric.interval_seconds:
            problems.append(
                f"period {period}s is shorter than the metric's {metric.interval_seconds}s interval"
            )
    actions = [str(a) for a in body.get("alarm_actions", [])]
    if not actions or any(a.split(":")[3] != alarm.region for a in actions if a.startswith("arn:aws:sns:")):
        problems.append(f"alarm actions {actions} are not a topic of {alarm.region}")
    detail = f"{alarm.address} '{body.get('alarm_name')}' in {alarm.region}, missing data {missing}"
    return hop(label, not problems, f"{subject}: {detail}" + (f": {'; '.join(problems)}" if problems else ""))


def replication_paths(view: EnvView, primary: EnvView | None, accounts: Accounts) -> Iterator[Walk]:
    """One walk per replication into ``view``'s environment: what its foundation replicates, and its
    primary's backup copies into its region."""
    synth = view.synth
    here = view.stack("foundation")
    region = str(accounts.provider(here).get("region"))
    candidates = alarms(
        synth, accounts, [s for s in synth.stacks if accounts.account(s) == accounts.account(here)]
    )
    sources = [(here, None)] + ([(primary.stack("foundation"), "backup copy")] if primary else [])
    for stack, only in sources:
        for address, found in replications(synth, accounts, stack):
            if (
                isinstance(found, Replication)
                and only
                and (found.kind != only or found.destination != region)
            ):
                continue
            kind = found.kind if isinstance(found, Replication) else "replication"
            walk = Walk("failover", f"{kind} {stack}:{address}")
            with walk:
                walk(watched(found, candidates) if isinstance(found, Replication) else found)
            yield walk


def failover_pair(view: EnvView, primary: EnvView, host: str, before: EnvView | None) -> Hop:
    """The primary's name is a failover pair: the primary's PRIMARY record, health-checked, and this
    environment's SECONDARY (in this synthesis, or kept in Route 53 from the standby role ``before``)."""

    def record(env: EnvView, kind: str) -> tuple[str, dict[str, Any]] | None:
        for name, found in env.resources("foundation", "aws_route53_record").items():
            if found.get("name") == host and found.get("failover_routing_policy", {}).get("type") == kind:
                return name, found
        return None

    primary_record = record(primary, "PRIMARY")
    secondary = record(view, "SECONDARY") or (record(before, "SECONDARY") if before else None)
    if primary_record is None or "health_check_id" not in primary_record[1]:
        return hop(
            "failover pair", False, f"{primary.stack('foundation')}: no health-checked PRIMARY for {host}"
        )
    if secondary is None:
        return hop("failover pair", False, f"{view.stack('foundation')}: no SECONDARY record for {host}")
    return hop(
        "failover pair",
        True,
        f"PRIMARY {primary.stack('foundation')}:{primary_record[0]} (health check "
        f"{primary_record[1]['health_check_id']}), SECONDARY {secondary[0]}",
    )


def edge_paths(view: EnvView, before: EnvView | None, primary: EnvView | None) -> Iterator[Walk]:
    """For every name on the standby's certificate: record, ALB, listener, certificate validated, targets."""
    primary_names = set(edge_rules.certificate_names(primary)) if primary else set()
    for host in edge_rules.certificate_names(view):
        walk = Walk("failover", f"edge {host}")
        with walk:
            lb = walk(edge_rules.dns_record(view, host, before))
            if primary and host in primary_names:
                walk(failover_pair(view, primary, host, before))
            lb_ref, _ = walk(edge_rules.load_balancer(view, lb))
            listener = walk(edge_rules.https_listener(view, lb_ref))
            cert = walk(edge_rules.certificate(view, listener, host))
            walk(edge_rules.validation(view, cert, primary))
            walk(edge_rules.target_group(view, listener))
        yield walk


def state_paths(view: EnvView, env: EnvironmentConfig, accounts: Accounts) -> Iterator[Walk]:
    """Each state a stack of the standby reads from another environment, read by its plan and deploy
    roles (object and key)."""
    own = accounts.state(view.stack("foundation"))
    for layer in ("foundation", "platform", "apps"):
        stack = view.stack(layer)
        if stack not in view.synth.stacks:
            continue
        for _, state in accounts.reads(stack):
            if own is not None and state.bucket == own.bucket:
                continue
            walk = Walk("failover", f"{stack} reads {state.key}")
            with walk:
                for which, arn in (("plan", env.plan_role_arn), ("deploy", env.deploy_role_arn)):
                    role: Role = walk(
                        hop(f"{which} role", arn in accounts.roles, arn, accounts.roles.get(arn))
                    )
                    walk(
                        allowed(
                            f"{which} reads", role, state_requests(state, writes=False, locks=False), accounts
                        )
                    )
            yield walk


def failover_paths(
    view: EnvView, env: EnvironmentConfig, before: EnvView | None, primary: EnvView | None
) -> list[Walk]:
    """A standby's edge, state and replication walks in the role ``view`` was synthesized in."""
    accounts = Accounts(view.synth)
    return [
        *edge_paths(view, before, primary),
        *state_paths(view, env, accounts),
        *replication_paths(view, primary, accounts),
    ]


def runbook_steps(markdown: str) -> tuple[str, str]:
    """The disaster-recovery section's text run against the standby (readiness, steps before
    ``ACTIVE_FROM_STEP``) and against the active synthesis (the later steps), up to its known gaps."""
    start = markdown.index("## Disaster recovery")
    end = markdown.index("### Known gaps", start)
    section = markdown[start:end]
    parts = re.split(r"(?m)^(?=\*\*\d+\. )", section)
    standby = [
        p for p in parts if not re.match(r"\*\*(\d+)\. ", p) or int(p[2:].split(".")[0]) < ACTIVE_FROM_STEP
    ]
    active = [p for p in parts if p not in standby]
    return "".join(standby), "".join(active)


def runbook_path(runbook: Path, standby: Synth, active: Synth) -> Walk:
    """Every name the failover steps write in code exists in the synthesis of the role the step runs in."""
    before, after = runbook_steps(runbook.read_text(encoding="utf-8"))
    walk = Walk("failover", f"runbook {runbook.name}")
    with walk:
        for role, text, synth in (("standby", before, standby), ("active", after, active)):
            problems = runbook_check.check_text(text, runbook_check.facts_of(synth.stacks), runbook.name)
            names = sorted({p.name for p in problems})
            walk(
                hop(
                    f"{role} steps",
                    not problems,
                    f"missing in the {role} synthesis: {names}"
                    if problems
                    else f"every name exists in the {role} synthesis",
                )
            )
    return walk

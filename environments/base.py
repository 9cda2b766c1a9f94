"""EnvironmentConfig: everything that differs between environments, validated on load; the guardrails follow
the tier an environment declares, never its name."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Final, Literal, get_args

from marketplace_constructs import (
    AwsLocation,
    ConfigError,
    EdgeProps,
    EksClusterProps,
    KafkaProps,
    LogsProps,
    MeshProps,
    MonitoringProps,
    NodeGroupProps,
    PostgresProps,
    RedisProps,
    RegistryProps,
    TracingProps,
    VpcProps,
)
from marketplace_constructs.backup.props import VeleroProps
from marketplace_constructs.capacity.props import CapacityProps
from marketplace_constructs.checked import checked
from marketplace_constructs.eks.props import BURST_SUFFIX
from marketplace_constructs.errors import check_one_of, check_pattern, check_range
from marketplace_constructs.mesh.identity import OperatorIdentityProps
from marketplace_constructs.naming import PROJECT
from marketplace_constructs.regions import check_region, check_zones
from marketplace_constructs.security.detector import DetectorMode

# Lower-case letters and digits, starting with a letter: the name prefixes stack ids, cloud names (an S3
# bucket's among them) and GitHub environments, and "-" separates it from the layer in a stack id.
ENVIRONMENT_NAME: Final = r"[a-z][a-z0-9]{1,11}"
Tier = Literal["production", "staging", "sandbox"]
TIERS: Final[tuple[str, ...]] = get_args(Tier)
# The fewest availability zones each tier accepts: production the reference design's three, staging two (a
# zone's outage leaves one serving), a sandbox any.
MIN_ZONES: Final[Mapping[str, int]] = {"production": 3, "staging": 2, "sandbox": 1}
REQUIRED_TAGS: Final = ("Project", "Environment", "Owner", "CostCenter")
BURST_GROUP: Final = f"compute{BURST_SUFFIX}"  # NodeGroupsConfig.compute_burst's group name
BackendKind = Literal["s3", "local"]
RecoveryRole = Literal["standby", "active"]
ServiceLinkedRoleMode = Literal["create", "existing"]


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class StateBackendConfig:
    """Where Terraform keeps each stack's state.

    Attributes:
        kind: "s3" (encrypted bucket from the bootstrap stack, S3-native lock file) or "local" (a file beside
            the checkout; for a personal dev sandbox only). Default: "s3".
        bucket: S3 bucket holding the state, made by ``<env>-bootstrap``. Required for "s3".
        key_alias: KMS alias (without "alias/") encrypting state objects, made by ``<env>-bootstrap``.
            Required for "s3".
    """

    kind: BackendKind = "s3"
    bucket: str = ""
    key_alias: str = ""

    def __post_init__(self) -> None:
        check_one_of("StateBackendConfig", "kind", self.kind, get_args(BackendKind))
        if self.kind == "s3":
            check_pattern(
                "StateBackendConfig",
                "bucket",
                self.bucket,
                r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]",
                "an S3 bucket name",
            )
            check_pattern(
                "StateBackendConfig", "key_alias", self.key_alias, r"[a-zA-Z0-9/_-]+", "a KMS alias name"
            )


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class NodeGroupsConfig:
    """Sizes of the three managed node groups of the reference design, and an optional Spot group for the
    compute class's burst.

    Attributes:
        general: Default workloads (ingress, mesh, services). compute: CPU-heavy services.
        memory: Caches and memory-heavy services. Default for each: NodeGroupProps().
        compute_burst: A SPOT group serving the compute class beside its on-demand ``compute`` base, named
            "compute-burst" and tainted so only the compute class's services and headroom placeholders run
            there (eks.props.BURST_TAINT_KEY); the cluster autoscaler grows it before the base (priority
            expander). Services prefer the base's on-demand nodes when scheduled. Give it several instance
            types of one shape (Spot pools). Default: None (the compute group takes its own burst).
    """

    general: NodeGroupProps = field(default_factory=NodeGroupProps)
    compute: NodeGroupProps = field(default_factory=lambda: NodeGroupProps(instance_types=("c7i.xlarge",)))
    memory: NodeGroupProps = field(default_factory=lambda: NodeGroupProps(instance_types=("r7i.large",)))
    compute_burst: NodeGroupProps | None = None

    def __post_init__(self) -> None:
        burst = self.compute_burst
        if burst is None:
            return
        if burst.capacity_type != "SPOT":
            raise ConfigError(
                f"NodeGroupsConfig.compute_burst must be a SPOT group (the burst beside the on-demand base), "
                f"got capacity_type={burst.capacity_type!r}"
            )
        if self.compute.capacity_type != "ON_DEMAND":
            raise ConfigError(
                "NodeGroupsConfig.compute must be ON_DEMAND when compute_burst is set: the base keeps the "
                f"minimum replicas through Spot interruptions, got {self.compute.capacity_type!r}"
            )

    def by_name(self) -> dict[str, NodeGroupProps]:
        """The groups keyed by name; the name up to its first dash becomes the ``workload-class`` node label
        ("compute-burst" serves the compute class)."""
        groups = {"general": self.general, "compute": self.compute, "memory": self.memory}
        if self.compute_burst is not None:
            groups[BURST_GROUP] = self.compute_burst
        return groups


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class BackupConfig:
    """AWS Backup of the environment's database: snapshots on a schedule, optionally copied to another region.

    Attributes:
        frequency_minutes: Minutes between snapshots: 60 (hourly, the reference design) up to 1440 (daily),
            a whole number of hours dividing a day. Default: 60.
        retention_days: Days each snapshot (and its copy) is kept, 7-35. Default: 30.
        copy_region: Region each snapshot is copied to (a vault there, encrypted with a key of that region),
            or None. Default: None.
        vault_lock: Lock the vaults so no one can delete a snapshot before ``retention_days`` (governance
            mode: an IAM-permitted administrator can still remove the lock). Default: False.
    """

    frequency_minutes: int = 60
    retention_days: int = 30
    copy_region: str | None = None
    vault_lock: bool = False

    def __post_init__(self) -> None:
        check_range("BackupConfig", "frequency_minutes", self.frequency_minutes, 60, 1440, " minutes")
        if self.frequency_minutes % 60 or 1440 % self.frequency_minutes:
            raise ConfigError(
                "BackupConfig.frequency_minutes must be a whole number of hours dividing a day "
                f"(60, 120, 180, 240, 360, 480, 720 or 1440), got {self.frequency_minutes}"
            )
        check_range("BackupConfig", "retention_days", self.retention_days, 7, 35, " days")


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class RecoveryObjectives:
    """The recovery point and time the environment must meet; checked against what its configuration
    gives (environments/recovery.py, ``bin/dev dr-report``).

    Attributes:
        rpo_minutes: Most data a regional failover may lose, per store, 1-1440. Required.
        rto_minutes: Longest a regional failover may take, 1-1440. Required.
    """

    rpo_minutes: int
    rto_minutes: int

    def __post_init__(self) -> None:
        check_range("RecoveryObjectives", "rpo_minutes", self.rpo_minutes, 1, 1440, " minutes")
        check_range("RecoveryObjectives", "rto_minutes", self.rto_minutes, 1, 1440, " minutes")


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class StandbyConfig:
    """This environment as the warm standby of another one in a second region (dr of production).

    Attributes:
        primary: The environment stood by for; in another region of the same account. Default: "production".
        role: "standby": a pilot light fed by replication from ``primary`` (node groups at ``floor``, every
            service at ``service_min_replicas``, data stores as replicas); "active" (after a failover): the
            environment's own sizes (production's), replicas promoted, nothing read from ``primary``.
            Changing it to "active" and deploying ``<env>-*`` is the failover (docs/runbooks). Default:
            "standby".
        floor: Node group sizes while standing by; each group's max stays the environment's, so the cluster
            autoscaler can grow before the role changes. Required.
        service_min_replicas: Minimum replicas of every service while standing by (maxima stay the
            spec's). Default: 1.
        max_lag_minutes: Replication lag (database replica, Global Datastore, MSK Replicator) above which
            an alarm pages: the recovery point the derived report promises while the alarms are quiet,
            1-15. Default: 5.
        replica_key_alias: Alias (without "alias/") of the key this environment makes to encrypt what is
            replicated into it (the database replica, replicated backups and the bucket replica); it stays
            the database's key after promotion. Required.
    """

    primary: str = "production"
    role: RecoveryRole = "standby"
    floor: NodeGroupsConfig
    service_min_replicas: int = 1
    max_lag_minutes: int = 5
    replica_key_alias: str = ""

    def __post_init__(self) -> None:
        check_pattern("StandbyConfig", "primary", self.primary, ENVIRONMENT_NAME, "an environment name")
        check_one_of("StandbyConfig", "role", self.role, get_args(RecoveryRole))
        check_range("StandbyConfig", "service_min_replicas", self.service_min_replicas, 1, 10)
        check_range("StandbyConfig", "max_lag_minutes", self.max_lag_minutes, 1, 15, " minutes")
        if not self.replica_key_alias:
            raise ConfigError(
                "StandbyConfig.replica_key_alias must name the KMS key (alias) that encrypts the replicas; "
                "replication needs a destination key of the standby's region"
            )
        check_pattern(
            "StandbyConfig", "replica_key_alias", self.replica_key_alias, r"[a-zA-Z0-9/_-]+", "a KMS alias"
        )

    @property
    def standing_by(self) -> bool:
        """True while the role is "standby": replication in, pilot-light sizes."""
        return self.role == "standby"


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class EnvironmentConfig:
    """One environment's settings; the stacks read nothing else.

    Attributes:
        name: 2-12 lower-case letters and digits, starting with a letter (ENVIRONMENT_NAME); prefixes every
            cloud name, stack id and the GitHub environment. Required.
        tier: What the environment is, which sets its guardrails: "production" (three zones, per-zone NAT,
            shared state, Multi-AZ and failover-capable stores, HA monitoring, logs and tracing, REGISTRY_ONLY
            egress, an HA mesh, deletion protection everywhere, and every service at its spec's sizes),
            "staging" (the same with two zones and ``service_replicas`` allowed) or "sandbox" (none of these;
            for a personal or development environment). Required.
        location: AWS account (placeholder until you set yours) and region. Required.
        network: VPC /16 (distinct per environment), zones, NAT strategy, flow logs, endpoints. Required.
        cluster: EKS control-plane settings. Default: EksClusterProps().
        node_groups: Sizes of the general, compute and memory node groups. Default: NodeGroupsConfig().
        database: RDS PostgreSQL. Default: PostgresProps() (production size).
        cache: ElastiCache Redis. Default: RedisProps() (production size).
        kafka: MSK. Default: KafkaProps() (production size).
        registry: ECR retention. Default: RegistryProps().
        monitoring: Prometheus and Alertmanager replicas, retention and volumes, alert thresholds; staging,
            the staging and production tiers refuse allow_single_replicas. Default: MonitoringProps().
        logs: Loki's retention, storage (an S3 bucket of the environment, or dev's filesystem volume) and
            replicas; the staging and production tiers refuse the filesystem and single replicas. Default:
            LogsProps().
        tracing: Elasticsearch (nodes, volumes, memory), trace retention and the collector's and Jaeger's
            replicas; the staging and production tiers refuse allow_single_node. Default: TracingProps() (the
            reference design's 3 x 200 GiB).
        service_replicas: (min, max) replicas per service name where the environment runs smaller than the
            spec (the reference design's production numbers); targets and scaling behaviour stay the spec's,
            and a service not named runs as its spec says. The production tier may not name any. Default: {}.
        allow_idle_analysis: Let a release's analysis window without requests pass instead of failing it.
            Risk: in an environment with traffic, a canary nobody calls is promoted unchecked; for
            environments without traffic (dev, the dr standby), where every release would roll back.
            Default: False.
        edge: Public zone and names (the API's and the operators'), TLS policy and WAF rules of the internet
            edge. Required.
        operators: The OIDC issuer and group that identify operators, checked by the mesh on every request
            to a service with operator routes (admin); None where no such service is deployed (a service
            with operator routes is then refused at synth). Default: None.
        mesh: Istio replicas, tracing and outbound policy; the staging and production tiers need an HA control
            plane, a gateway replica per zone and REGISTRY_ONLY. Default: MeshProps().
        backup: AWS Backup of the database (schedule, retention, cross-region copy, vault lock).
            Default: BackupConfig().
        velero: Velero's schedule, retention and namespaces (cluster objects to the backups bucket).
            Default: VeleroProps().
        capacity: Headroom placeholders per node group and the provisioning timings the capacity simulator
            assumes (environments/capacity.py). Default: CapacityProps(), no headroom.
        objectives: Recovery point and time this environment must meet, or None. Default: None.
        backup_lock_days: Object Lock (governance) retention of the backups bucket, 1-3650. Default: 30.
        deletion_protection: Protection of the KMS keys, secrets and buckets; the staging and production tiers
            need it there and on every data store. Default: True.
        backend: Terraform state location. Required.
        tags: Applied to every AWS resource via the provider's default_tags; must hold Project, Environment
            (equal to name), Owner and CostCenter. Required.
        deploy_role_arn: Role CI assumes (GitHub OIDC) to deploy; the foundation grants it cluster-admin
            (an access entry), since it installs the platform layer. Required.
        plan_role_arn: Role CI assumes to plan (``vars.AWS_PLAN_ROLE_ARN`` in the workflow); the foundation
            grants it ``AmazonEKSAdminViewPolicy`` (read-only, Secrets included: the helm provider reads
            every release from its Secret). Required.
        standby: Makes this environment the warm standby of ``standby.primary`` (dr of production), or None.
            Default: None.
        autoscaling_service_linked_role: "create" makes ``AWSServiceRoleForAutoScaling`` (needed by the
            ``ebs`` key's policy before any Auto Scaling group exists); "existing" reads the one the account
            already has (an account that ever ran an Auto Scaling group, or whose other environment created
            it). One environment per account creates it. Default: "create".
        owns_account: This environment makes the objects its AWS account has once (GitHub's OIDC provider,
            the workload boundary, the multi-region audit trail recording every environment's state and
            backups buckets there); the other environments of the account use them by name. Exactly one
            environment per account owns it, never a standby; declared rather than inferred, so adding an
            environment never moves them. Default: True.
        guardduty_detector: "create" makes GuardDuty's detector of the environment's region with its
            protections; "existing" where the account's detector is already managed (an AWS Organizations
            delegated administrator enables GuardDuty in member accounts, and a second detector cannot be
            created): the stack only reads it, so a plan fails where there is none. Default: "create".
        deploy_reviewer: The GitHub environment ``<env>`` of the deploys requires a reviewer's approval
            (docs/ci.md, GitHub set-up); plans never wait for one. Default: False.
        deploy_branch: The branch whose pushes deploy the environment (``deploy.yml``), the only one its
            GitHub environment admits. Default: "main".
        monthly_budget_usd: The environment's AWS Budgets limit, whole USD a month, alerting the alerts
            topic at 80 % and 100 % of the forecast: 135-150 % of its daily-curve estimate (``bin/dev cost``),
            so the first alert means "8-20 % above the estimate", not every month (tests/test_cost.py).
            Required.
    """

    name: str
    tier: Tier
    location: AwsLocation
    network: VpcProps
    cluster: EksClusterProps = field(default_factory=EksClusterProps)
    node_groups: NodeGroupsConfig = field(default_factory=NodeGroupsConfig)
    database: PostgresProps = field(default_factory=PostgresProps)
    cache: RedisProps = field(default_factory=RedisProps)
    kafka: KafkaProps = field(default_factory=KafkaProps)
    registry: RegistryProps = field(default_factory=RegistryProps)
    mesh: MeshProps = field(default_factory=MeshProps)
    monitoring: MonitoringProps = field(default_factory=MonitoringProps)
    logs: LogsProps = field(default_factory=LogsProps)
    tracing: TracingProps = field(default_factory=TracingProps)
    service_replicas: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    allow_idle_analysis: bool = False
    edge: EdgeProps
    operators: OperatorIdentityProps | None = None
    backup: BackupConfig = field(default_factory=BackupConfig)
    velero: VeleroProps = field(default_factory=VeleroProps)
    capacity: CapacityProps = field(default_factory=CapacityProps)
    objectives: RecoveryObjectives | None = None
    backup_lock_days: int = 30
    deletion_protection: bool = True
    backend: StateBackendConfig
    tags: Mapping[str, str]
    deploy_role_arn: str
    plan_role_arn: str
    autoscaling_service_linked_role: ServiceLinkedRoleMode = "create"
    owns_account: bool = True
    guardduty_detector: DetectorMode = "create"
    deploy_reviewer: bool = False
    deploy_branch: str = "main"
    monthly_budget_usd: int
    standby: StandbyConfig | None = None

    def __post_init__(self) -> None:
        check_pattern(
            "EnvironmentConfig", "name", self.name, ENVIRONMENT_NAME,
            "2-12 lower-case letters and digits, starting with a letter",
        )  # fmt: skip
        check_one_of("EnvironmentConfig", "tier", self.tier, TIERS)
        check_range("EnvironmentConfig", "monthly_budget_usd", self.monthly_budget_usd, 1, 10_000_000, " USD")
        check_one_of(
            "EnvironmentConfig", "guardduty_detector", self.guardduty_detector, get_args(DetectorMode)
        )
        check_pattern(
            "EnvironmentConfig", "deploy_branch", self.deploy_branch, r"[A-Za-z0-9._/-]+", "a git branch name"
        )
        if self.backup.copy_region == self.location.region:
            raise ConfigError(
                f"BackupConfig.copy_region must be another region than {self.location.region} (the copy is "
                "for a regional outage), or None"
            )
        if self.backup.copy_region is not None:
            check_region("BackupConfig", "copy_region", self.backup.copy_region)
        if self.standby and self.standby.primary == self.name:
            raise ConfigError(f"StandbyConfig.primary must name another environment than {self.name!r}")
        missing = [tag for tag in REQUIRED_TAGS if not self.tags.get(tag)]
        if missing:
            raise ConfigError(
                f"EnvironmentConfig.tags must set {', '.join(REQUIRED_TAGS)}; missing {', '.join(missing)}"
            )
        if self.tags["Environment"] != self.name:
            raise ConfigError(
                f"EnvironmentConfig.tags['Environment'] must be {self.name!r}, "
                f"got {self.tags['Environment']!r}"
            )
        check_zones("VpcProps", "availability_zones", self.location.region, self.network.availability_zones)
        for field_name in ("deploy_role_arn", "plan_role_arn"):
            check_pattern(
                "EnvironmentConfig", field_name, getattr(self, field_name),
                rf"arn:aws:iam::{self.location.account_id}:role/[\w+=,.@/-]+",
                f"an IAM role ARN in account {self.location.account_id}",
            )  # fmt: skip
        vpc = ipaddress.IPv4Network(self.network.cidr)
        if vpc.prefixlen != 16:
            raise ConfigError(
                f"VpcProps.cidr must be a /16 network, got {self.network.cidr!r}; each environment gives its "
                "pods a /18 per zone for the reference design's maxima (the library accepts /16 to /20)"
            )
        for cidr in self.cluster.api_access_cidrs:
            if not ipaddress.IPv4Network(cidr).subnet_of(vpc):
                raise ConfigError(
                    f"EksClusterProps.api_access_cidrs must lie inside the VPC ({self.network.cidr}), "
                    f"got {cidr!r}"
                )
        zones = len(self.network.availability_zones)
        if self.kafka.broker_count % zones:
            raise ConfigError(
                f"KafkaProps.broker_count ({self.kafka.broker_count}) must be a multiple of the zone count "
                f"({zones}), so MSK can spread brokers evenly"
            )
        check_range("EnvironmentConfig", "backup_lock_days", self.backup_lock_days, 1, 3650, " days")
        if self.tier != "sandbox":
            self._check_production_grade()
        for service, (low, high) in self.service_replicas.items():
            if not 1 <= low <= high:
                raise ConfigError(
                    f"EnvironmentConfig.service_replicas[{service!r}] must be (min, max) with "
                    f"1 <= min <= max, got ({low}, {high})"
                )
        if self.tier == "production" and self.service_replicas:
            raise ConfigError(
                f"EnvironmentConfig.service_replicas must be empty in tier 'production', so every service "
                f"runs with its spec's (the reference design's) numbers, got {sorted(self.service_replicas)}"
            )

    def _check_production_grade(self) -> None:
        """The staging and production tiers: zones, NAT, shared state, standbys, deletion protection
        everywhere. Each message names the tier, since the tier (not the name) is what asks for the rule."""
        tier = f"in tier {self.tier!r}"
        zones = self.network.availability_zones
        fewest = MIN_ZONES[self.tier]
        if len(zones) < fewest:
            raise ConfigError(
                f"VpcProps.availability_zones must list at least {fewest} zones {tier} (high "
                f"availability), got {len(zones)}: {zones!r}; declare tier='sandbox' for a one-zone sandbox"
            )
        if self.network.nat_strategy != "per_az":
            raise ConfigError(
                f"VpcProps.nat_strategy must be 'per_az' {tier}, so one zone's outage cannot cut "
                f"egress for the others, got {self.network.nat_strategy!r}"
            )
        if self.backend.kind != "s3":
            raise ConfigError(
                f"StateBackendConfig.kind must be 's3' {tier} (shared, locked state), got 'local'"
            )
        if not self.database.multi_az:
            raise ConfigError(
                f"PostgresProps.multi_az must be True {tier}, so a zone outage fails over to the "
                "standby, got False"
            )
        if self.cache.node_count < 2:
            raise ConfigError(
                f"RedisProps.node_count must be at least 2 {tier} (automatic failover), "
                f"got {self.cache.node_count}"
            )
        if self.mesh.allow_any_outbound:
            raise ConfigError(
                f"MeshProps.allow_any_outbound must be False {tier} (REGISTRY_ONLY: only hosts "
                "with a ServiceEntry are reachable), got True"
            )
        if self.monitoring.allow_single_replicas:
            raise ConfigError(
                f"MonitoringProps.allow_single_replicas must be False {tier}, so Prometheus and "
                "Alertmanager survive a node or zone loss, got True"
            )
        if self.logs.allow_filesystem_storage or self.logs.allow_single_replicas:
            raise ConfigError(
                f"LogsProps.allow_filesystem_storage and allow_single_replicas must be False {tier}, "
                "so logs live in S3 and survive a node or zone loss"
            )
        if self.tracing.allow_single_node:
            raise ConfigError(
                f"TracingProps.allow_single_node must be False {tier}, so traces survive a node or "
                "zone loss, got True"
            )
        if self.mesh.istiod_replicas < 2:
            raise ConfigError(
                f"MeshProps.istiod_replicas must be at least 2 {tier} (a PDB and zone spread keep "
                f"one running), got {self.mesh.istiod_replicas}"
            )
        if self.mesh.gateway_replicas < len(zones):
            raise ConfigError(
                f"MeshProps.gateway_replicas must be at least the zone count ({len(zones)}) {tier}, "
                f"so every zone serves traffic, got {self.mesh.gateway_replicas}"
            )
        protected = {
            "EnvironmentConfig.deletion_protection": self.deletion_protection,
            "EksClusterProps.deletion_protection": self.cluster.deletion_protection,
            "PostgresProps.deletion_protection": self.database.deletion_protection,
            "RedisProps.deletion_protection": self.cache.deletion_protection,
            "KafkaProps.deletion_protection": self.kafka.deletion_protection,
            "RegistryProps.deletion_protection": self.registry.deletion_protection,
            "EdgeProps.deletion_protection": self.edge.deletion_protection,
        }
        for field_name, enabled in protected.items():
            if not enabled:
                raise ConfigError(f"{field_name} must be True {tier} (stateful resources), got False")

    @property
    def standing_by(self) -> bool:
        """True while this environment is a standby in role "standby" (replicas in, pilot-light sizes)."""
        return self.standby is not None and self.standby.standing_by

    @property
    def running_node_groups(self) -> NodeGroupsConfig:
        """The node groups as deployed: the standby floor (with the environment's maxima) in standby."""
        if self.standby is None or not self.standby.standing_by:
            return self.node_groups
        floor, own = self.standby.floor, self.node_groups
        burst = own.compute_burst
        return NodeGroupsConfig(
            **{
                name: replace(
                    getattr(floor, name),
                    max_size=max(getattr(own, name).max_size, getattr(floor, name).max_size),
                )
                for name in ("general", "compute", "memory")
            },
            # standing by, the burst keeps no node: its maximum stays for a failover's spike
            compute_burst=None if burst is None else replace(burst, min_size=0, desired_size=0),
        )

    def service_sizes(self, name: str, spec_min: int, spec_max: int) -> tuple[int, int]:
        """(min, max) replicas of service ``name`` here: ``service_replicas``, the standby minimum while
        standing by, else the spec's."""
        if self.standby is not None and self.standby.standing_by:
            return min(self.standby.service_min_replicas, spec_max), spec_max
        return self.service_replicas.get(name, (spec_min, spec_max))

    @property
    def stack_ids(self) -> tuple[str, str, str]:
        """Deploy order: foundation, platform, apps."""
        return (f"{self.name}-foundation", f"{self.name}-platform", f"{self.name}-apps")


def state_bucket_name(env: str, account_id: str) -> str:
    """The state bucket's name: global, so it carries the account id."""
    return f"{PROJECT}-{env}-tfstate-{account_id}"


@contextmanager
def defining(env: str) -> Iterator[None]:
    """Prefix any ConfigError raised while building ``env``'s config with the environment's name."""
    try:
        yield
    except ConfigError as err:
        raise ConfigError(f"environment {env!r}: {err}") from None


def standard_tags(env: str, *, owner: str, cost_center: str) -> Mapping[str, str]:
    """The four tags every resource carries (through the provider's default_tags)."""
    return {"Project": PROJECT, "Environment": env, "Owner": owner, "CostCenter": cost_center}

"""<env>-foundation: AWS only (KMS keys, network, EKS control plane, data stores, registry, secrets).
Plans on an empty account."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_iam_role import DataAwsIamRole
from cdktf_cdktf_provider_aws.iam_service_linked_role import IamServiceLinkedRole
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic
from cdktf_cdktf_provider_aws.sns_topic_policy import SnsTopicPolicy
from constructs import Construct

from environments.base import EnvironmentConfig
from marketplace_constructs import (
    AppSecret,
    ClusterRef,
    ContainerRepository,
    DataStorePlacement,
    EksCluster,
    KafkaCluster,
    KmsKey,
    KmsKeyProps,
    ManagedAddons,
    NodeGroups,
    PostgresDatabase,
    RedisCache,
    SecureBucket,
    SecureBucketProps,
    Vpc,
    resource_name,
)
from marketplace_constructs.aws import policy_document
from marketplace_constructs.backup.props import BackupLocation
from marketplace_constructs.backup.role import VeleroRole
from marketplace_constructs.data.kafka_replicator import KafkaReplicator
from marketplace_constructs.data.postgres import AutomatedBackupsReplication
from marketplace_constructs.data.props import KafkaReplicatorProps
from marketplace_constructs.data.redis import RedisGlobalDatastore
from marketplace_constructs.delivery.flagger import DELIVERY_SECRETS
from marketplace_constructs.edge.dns_protection import ROUTE53_HOME
from marketplace_constructs.edge.edge import FailoverTarget, InternetEdge
from marketplace_constructs.forget import forget
from marketplace_constructs.mesh.policies import DataEndpoints
from marketplace_constructs.naming import PROJECT
from marketplace_constructs.network.subnet_plan import plan_subnets
from marketplace_constructs.observability.budget import PUBLISHERS as COST_PUBLISHERS
from marketplace_constructs.observability.budget import CostGuard, CostGuardProps
from marketplace_constructs.observability.exporters import MonitoredStores
from marketplace_constructs.observability.log_storage import LogStorage, LogStorageRef
from marketplace_constructs.observability.secret_paths import OBSERVABILITY_SECRETS
from marketplace_constructs.recovery import (
    BackupPlan,
    BackupPlanProps,
    BackupVault,
    BackupVaultProps,
    BucketReplication,
    BucketReplicationProps,
    RegistryReplication,
    RegistryReplicationProps,
    ReplicationSource,
    VaultLockProps,
)
from marketplace_constructs.recovery.bucket_replication import SOURCE_LINKS
from marketplace_constructs.registry.push_role import ImagePushRole
from marketplace_constructs.security.audit import (
    AuditTrail,
    AuditTrailProps,
    ThreatDetection,
    ThreatDetectionProps,
    audit_bucket_name,
    audit_trail_name,
)
from marketplace_constructs.security.boundary import BOUNDARY_CONTEXT, workload_boundary_arn
from marketplace_constructs.security.ci_identity import provider_arn
from marketplace_constructs.workload.service_props import MicroserviceProps
from stacks.backend import aws_provider, configure_backend
from stacks.platform_roles import PlatformRoles, platform_roles
from stacks.recovery_alarms import (
    alerts_topic,
    copies_vault,
    replica_latency_alarm,
    source_failure_alarms,
    standby_lag_alarms,
)
from stacks.service_roles import DataStoreArns, service_roles

# One key per purpose, so a key policy or a key's loss touches one kind of data only.
KEY_PURPOSES = {
    "logs": "CloudWatch log groups (VPC flow logs, EKS, ElastiCache, MSK)",
    "eks-secrets": "envelope encryption of Kubernetes secrets",
    "data": "data stores: RDS (storage, Performance Insights, master secret), ElastiCache, MSK, app secrets",
    "backups": "the backups bucket",
    "registry": "ECR images",
    "ebs": "EBS volumes: node root disks and persistent volumes",
    "alerts": "the alerts topic of the CloudWatch alarms",
}
# CloudWatch alarms, AWS Budgets and Cost Anomaly Detection publish to the alerts topic.
ALERT_PUBLISHERS: Final = ("cloudwatch.amazonaws.com", *COST_PUBLISHERS)
REPLICAS: Final = "replicas"  # a standby's key for what replicates into it; stays its database's key


@dataclass(frozen=True, slots=True, kw_only=True)
class PlatformInputs:
    """What the platform stack takes from the foundation (tokens, read through remote state)."""

    cluster: ClusterRef
    vpc_id: str
    roles: PlatformRoles
    volume_key_arn: str
    stores: MonitoredStores
    log_storage: LogStorageRef | None  # None: Loki keeps logs on its volume (dev)
    velero_role_arn: str
    velero_location: BackupLocation


class FoundationStack(TerraformStack):
    """The environment's AWS base; later layers consume ``cluster.ref`` through cross-stack references."""

    def __init__(
        self,
        scope: Construct,
        stack_id: str,
        *,
        env: EnvironmentConfig,
        specs: tuple[MicroserviceProps, ...],
        primary_env: EnvironmentConfig | None = None,
        primary: FoundationStack | None = None,
        standbys: tuple[EnvironmentConfig, ...] = (),
        tenants: tuple[EnvironmentConfig, ...] = (),
    ) -> None:
        """``primary_env``: a standby's primary, in either role; ``primary``: the primary's foundation, for a
        standby standing by (its stores replicate in);
        ``standbys``: the environments standing by for this one in other regions (its public name fails
        over); ``tenants``: the other environments of an account ``env`` owns (its trail records their state
        and backups buckets too)."""
        super().__init__(scope, stack_id)
        # Every role made below carries the account's workload boundary (marketplace_constructs.security.
        # boundary); the deploy role may create no other.
        self.node.set_context(BOUNDARY_CONTEXT, workload_boundary_arn(env.location.account_id))
        configure_backend(self, env, stack_id)
        aws_provider(self, env.location, dict(env.tags))
        self.env = env
        self.standbys = standbys
        self.tenants = tenants
        autoscaling_role_arn = self._autoscaling_service_role()
        keys = {
            purpose: KmsKey(
                self,
                f"{purpose.replace('-', '_')}_key",
                props=KmsKeyProps(
                    alias=self._key_alias(purpose),
                    description=f"{env.name}: {description}",
                    cloudwatch_logs=purpose == "logs",
                    autoscaling_role_arn=autoscaling_role_arn if purpose == "ebs" else None,
                    publishers=ALERT_PUBLISHERS if purpose == "alerts" else (),
                    deletion_protection=env.deletion_protection,
                ),
                location=env.location,
            ).ref.arn
            for purpose, description in self._key_purposes().items()
        }
        self.alerts_topic_arn = self._alerts_topic(keys["alerts"])
        cluster_name = resource_name(env.name, "eks")
        self.network = Vpc(
            self, "network", props=env.network, name=env.name, location=env.location,
            log_key_arn=keys["logs"], cluster_name=cluster_name,
        )  # fmt: skip
        # The CI deploy role installs the platform layer: cluster-admin, next to any configured admins. The
        # CI plan role reads every object, Helm's release Secrets included, to plan the later layers.
        cluster_props = replace(
            env.cluster,
            admin_role_arns=(env.deploy_role_arn, *env.cluster.admin_role_arns),
            admin_view_role_arns=(env.plan_role_arn, *env.cluster.admin_view_role_arns),
        )
        self.cluster = EksCluster(
            self, "cluster", props=cluster_props, name=cluster_name, location=env.location,
            subnet_ids=self.network.ref.private_subnet_ids,
            private_subnet_cidrs=env.network.private_subnet_cidrs, secrets_key_arn=keys["eks-secrets"],
            log_key_arn=keys["logs"],
        )  # fmt: skip
        cluster = self.cluster.ref
        addons = ManagedAddons(
            self, "addons", cluster_name=cluster.name, kubernetes_version=env.cluster.kubernetes_version,
            oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer_url=cluster.oidc_issuer_url,
            volume_key_arn=keys["ebs"],
        )  # fmt: skip
        nodes = NodeGroups(
            self, "nodes", groups=env.running_node_groups.by_name(), cluster_name=cluster.name,
            cluster_security_group_id=cluster.security_group_id, location=env.location,
            vpc_id=self.network.ref.vpc_id, subnet_ids=self.network.ref.private_subnet_ids,
            volume_key_arn=keys["ebs"], tags=env.tags, after=addons.before_compute,
        )  # fmt: skip
        addons.install_after(nodes.groups)
        self.primary_provider = self._primary_provider(primary_env, failed_over=primary is None)
        self._data_stores(keys, primary)
        log_bucket = self._backups(keys["backups"])
        self._audit(log_bucket, keys["logs"])
        self._database_backups(keys)
        # a primary watches, in its own region where AWS publishes them, its replications' failures
        for standby in standbys:
            source_failure_alarms(self, env=env, standby=standby, topic=self.alerts_topic_arn)
        self.velero_restore_from: BackupLocation | None = None
        if primary_env is not None:
            self._standby_copies(keys, log_bucket, primary_env, primary)
        velero_location = BackupLocation(
            bucket=self.backups_bucket.name, prefix=env.name, region=env.location.region,
            kms_key_arn=keys["backups"],
        )  # fmt: skip
        velero = VeleroRole(
            self, "velero_role", env=env.name, props=env.velero, location=env.location,
            cluster=self.cluster.ref, backups=velero_location, restore_from=self.velero_restore_from,
            volume_key_arn=keys["ebs"],
        )  # fmt: skip
        self.platform_inputs = PlatformInputs(
            cluster=cluster,
            vpc_id=self.network.ref.vpc_id,
            roles=platform_roles(
                self, cluster, cluster_name, env=env.name, location=env.location, data_key_arn=keys["data"]
            ),
            volume_key_arn=keys["ebs"],
            stores=self.monitored_stores,
            log_storage=self._log_storage(log_bucket),
            velero_role_arn=velero.arn,
            velero_location=velero_location,
        )
        # A standby answers for its primary's name in both roles; it manages the failover record in the
        # primary's zone only while standing by (after a failover the record stays, forgotten).
        serves = (
            FailoverTarget(
                zone_id=primary.edge_zone_id if primary else None,
                domain=primary_env.edge.domain,
                operator_domain=primary_env.edge.operator_domain,
            )
            if primary_env
            else None
        )
        dns_provider = self._route53_home_provider(failed_over=primary_env is not None and primary is None)
        edge = InternetEdge(
            self, "edge", props=env.edge, name=env.name, location=env.location,
            vpc_id=self.network.ref.vpc_id, public_subnet_ids=self.network.ref.public_subnet_ids,
            target_security_group_id=nodes.security_group_id, log_bucket=log_bucket, log_key_arn=keys["logs"],
            log_retention_days=env.cluster.log_retention_days, failover_primary=bool(standbys), serves=serves,
            alarm_topic_arn=self.alerts_topic_arn, dns_provider=dns_provider,
            dns_alarm_topic_arn=self._dns_alarm_topic(primary_env),
        )  # fmt: skip
        self.edge_zone_id: str = edge.zone_id
        self.edge = edge.ref
        TerraformOutput(
            self, "edge_name_servers", value=edge.name_servers,
            description=f"Name servers of {env.edge.hosted_zone}: delegate to them from the parent zone",
        )  # fmt: skip
        TerraformOutput(self, "edge_dns_name", value=edge.dns_name, description="The ALB's own DNS name")
        TerraformOutput(
            self, "edge_ds_record", value=edge.ds_record,
            description=f"DS record of {env.edge.hosted_zone}: add it at the parent zone to complete DNSSEC",
        )  # fmt: skip
        self.service_roles = service_roles(
            self, cluster, cluster_name, env=env.name, location=env.location, data_key_arn=keys["data"],
            specs=specs, stores=self.data_store_arns,
        )  # fmt: skip
        for service in specs:
            images = ContainerRepository(
                self, f"{service.name}_images", props=env.registry, name=f"{PROJECT}/{service.name}",
                key_arn=keys["registry"],
            )  # fmt: skip
            # A standby's registry is filled by replication, never pushed to; a service without an
            # image_source has no pipeline to trust.
            if env.standby is None and service.image_source is not None:
                self._image_push_role(service.name, service.image_source, images.arn)
            self._empty_secret(
                f"{service.name}_secret",
                f"{service.name}/app",
                f"application secrets of {service.name}",
                keys,
            )
        for path, purpose in {**OBSERVABILITY_SECRETS, **DELIVERY_SECRETS}.items():
            self._empty_secret(f"{path.replace('/', '_')}_secret", path, purpose, keys)
        outputs = {
            "vpc_id": (self.network.ref.vpc_id, "VPC id"),
            "cluster_name": (cluster.name, "EKS cluster name"),
            "cluster_endpoint": (cluster.endpoint, "EKS API endpoint (private)"),
            "cluster_certificate_authority": (cluster.certificate_authority_data, "EKS CA bundle (base64)"),
            "oidc_provider_arn": (cluster.oidc_provider_arn, "IAM OIDC provider of the cluster (IRSA)"),
            "oidc_issuer_url": (
                cluster.oidc_issuer_url,
                "OIDC issuer of the cluster's service-account tokens",
            ),
            "cluster_security_group_id": (
                cluster.security_group_id,
                "EKS cluster security group (nodes carry it)",
            ),
            "node_security_group_id": (nodes.security_group_id, "Extra node security group (mesh ports)"),
            "admin_role_arn": (self.cluster.admin_role_arn, "Role to assume for cluster-admin access"),
        }
        for output_id, (value, description) in outputs.items():
            TerraformOutput(self, output_id, value=value, description=description)

    def _database_backups(self, keys: dict[str, str]) -> None:
        """AWS Backup of the database on the configured schedule into a vault of this region (locked where
        configured), each point copied to the ``<env>-copies`` vault a standby keeps in ``copy_region``."""
        env, backup = self.env, self.env.backup
        account = env.location.account_id
        copy_vault = (
            f"arn:aws:backup:{backup.copy_region}:{account}:backup-vault:{copies_vault(env.name)}"
            if backup.copy_region
            else None
        )
        BackupPlan(
            self, "database_backup",
            props=BackupPlanProps(
                vault=BackupVaultProps(
                    name=f"{env.name}-database", lock=self._vault_lock(backup.retention_days),
                    deletion_protection=env.deletion_protection,
                ),
                resource_arns=(env.location.arn("rds", f"db:{resource_name(env.name, 'postgres')}"),),
                retention_days=backup.retention_days, frequency_hours=backup.frequency_minutes // 60,
                copy_to_vault_arn=copy_vault,
            ),
            location=env.location, key_arn=keys["backups"],
        )  # fmt: skip

    def _vault_lock(self, retention_days: int) -> VaultLockProps | None:
        """Governance lock admitting exactly the configured retention, where ``BackupConfig.vault_lock``."""
        if not self.env.backup.vault_lock:
            return None
        return VaultLockProps(min_retention_days=retention_days, max_retention_days=retention_days)

    def _image_push_role(self, service: str, source: str, repository_arn: str) -> None:
        """The role the service's image pipeline assumes to push to its repository here (output
        ``<service>_image_push_role_arn``, the pipeline's ``push-role-arns`` entry for this environment)."""
        role = ImagePushRole(
            self, f"{service}_image_push", name=f"{PROJECT}-{self.env.name}-push-{service}",
            source_repository=source, repository_arn=repository_arn,
            oidc_provider_arn=provider_arn(self.env.location),
        )  # fmt: skip
        TerraformOutput(
            self, f"{service}_image_push_role_arn", value=role.arn,
            description=f"Role {source}'s image pipeline assumes to push {service}",
        )  # fmt: skip

    def _route53_home_provider(self, *, failed_over: bool) -> AwsProvider | None:
        """An aws provider in us-east-1, where Route 53 keeps DNSSEC keys and query-log groups, for a stack in
        another region; None in us-east-1. After a failover it makes no STS call of its own, so a deploy
        with ``-refresh=false`` works while us-east-1 is down (backup-and-restore runbook)."""
        location = self.env.location
        if location.region == ROUTE53_HOME:
            return None
        return AwsProvider(
            self, "aws_route53_home", alias="route53_home", region=ROUTE53_HOME,
            allowed_account_ids=[location.account_id],
            default_tags=[AwsProviderDefaultTags(tags=dict(self.env.tags))],
            skip_credentials_validation=failed_over or None, skip_requesting_account_id=failed_over or None,
        )  # fmt: skip

    def _primary_provider(
        self, primary_env: EnvironmentConfig | None, *, failed_over: bool
    ) -> AwsProvider | None:
        """A standby's aws provider for its primary's region (replication settings and the Global Datastore
        live there). After a failover Terraform still needs it to forget what it created with it, but must
        not call that region: no credential check, no account lookup (both go to STS)."""
        if primary_env is None:
            return None
        source = primary_env.location
        return AwsProvider(
            self, "aws_primary", alias="primary", region=source.region,
            allowed_account_ids=[source.account_id],
            default_tags=[AwsProviderDefaultTags(tags=dict(self.env.tags))],
            skip_credentials_validation=failed_over or None, skip_requesting_account_id=failed_over or None,
        )  # fmt: skip

    def _dns_alarm_topic(self, primary_env: EnvironmentConfig | None) -> str | None:
        """Where the zone's DNSSEC alarms go: Route 53 publishes those metrics in us-east-1 only, and an
        alarm notifies a topic of its own region: this environment's topic there, or its primary's (same
        account) for a standby elsewhere; None where neither is in us-east-1."""
        if self.env.location.region == ROUTE53_HOME:
            return self.alerts_topic_arn
        if primary_env is not None and primary_env.location.region == ROUTE53_HOME:
            return alerts_topic(primary_env)
        return None

    def _standby_copies(
        self,
        keys: dict[str, str],
        log_bucket: str,
        primary_env: EnvironmentConfig,
        primary: FoundationStack | None,
    ) -> None:
        """A standby's copies of its primary, encrypted with the replicas key and kept in both roles: the
        vault the primary's backup plan copies into and the replica of its backups bucket (Velero here reads
        the primary's backups from it). While standing by (``primary`` given), S3 replication into that
        replica and ECR replication of the primary's registry, configured in the primary's region; after a
        failover those links are forgotten, not destroyed (the primary's region may be down)."""
        env = self.env
        BackupVault(
            self, "primary_copies",
            props=BackupVaultProps(
                name=copies_vault(primary_env.name), lock=self._vault_lock(primary_env.backup.retention_days),
                deletion_protection=env.deletion_protection,
            ),
            key_arn=keys[REPLICAS],
        )  # fmt: skip
        source = primary_env.location
        provider = self.primary_provider
        assert provider is not None
        failed_over = primary is None
        account = env.location.account_id
        replica = BucketReplication(
            self, "backups_replica",
            props=BucketReplicationProps(
                destination=SecureBucketProps(
                    bucket_name=f"{PROJECT}-{env.name}-{primary_env.name}-backups-{account}",
                    noncurrent_version_days=90, object_lock_days=env.backup_lock_days,
                    access_log_bucket=log_bucket, deletion_protection=env.deletion_protection,
                ),
                source_region=source.region, role_name_prefix=f"{env.name}-backups",
            ),
            location=env.location,
            source=ReplicationSource(bucket=primary.backups_bucket, key_arn=primary.backups_key_arn,
                                     provider=provider) if primary else None,
            destination_key_arn=keys[REPLICAS],
        )  # fmt: skip
        # The replica keeps the primary's prefixes: Velero's backups of the primary live under its name.
        self.velero_restore_from = BackupLocation(
            bucket=replica.ref.destination.name, prefix=primary_env.name, region=env.location.region,
            kms_key_arn=keys[REPLICAS],
        )  # fmt: skip
        if not failed_over:
            assert replica.ref.rule_id is not None
            replica_latency_alarm(
                self, env=env, source_bucket=f"{PROJECT}-{primary_env.name}-backups-{account}",
                replica_bucket=replica.ref.destination.name, rule_id=replica.ref.rule_id,
                topic=self.alerts_topic_arn,
            )  # fmt: skip
            RegistryReplication(
                self, "images_replica",
                props=RegistryReplicationProps(source_region=source.region, repository_prefix=f"{PROJECT}/"),
                location=env.location, source_provider=provider,
            )  # fmt: skip
            return
        forget(self, [
            *((kind, f"backups_replica/{path}") for kind, path in SOURCE_LINKS),
            ("aws_elasticache_global_replication_group", "cache_global/datastore"),
            # stopping it would remove the restore window a failover may need: forgotten, kept
            ("aws_db_instance_automated_backups_replication", "database_backups_replica/replication"),
            # IAM's control plane is in us-east-1: the replicator's role is forgotten, not deleted
            ("aws_iam_role", "kafka_replicator/role"),
            ("aws_iam_role_policy", "kafka_replicator/role_policy"),
            ("aws_ecr_replication_configuration", "images_replica/configuration"),
            ("aws_route53_record", "edge/failover_alias"),
            *(
                (("aws_route53_record", "edge/operator_failover_alias"),)
                if primary_env.edge.operator_domain
                else ()
            ),
        ])  # fmt: skip

    def _alerts_topic(self, key_arn: str) -> str:
        """SNS topic ``<env>-alerts`` (KMS) that the CloudWatch alarms (failover health, replication lag)
        publish to; the on-call's pager subscribes out of band (its endpoint is a secret;
        docs/runbooks/monitoring-and-alerts.md)."""
        env = self.env
        topic = SnsTopic(self, "alerts", name=resource_name(env.name, "alerts"), kms_master_key_id=key_arn)
        policy = SnsTopicPolicy(
            self, "alerts_policy", arn=topic.arn,
            policy=policy_document([
                {
                    "Sid": "AccountServicesPublish", "Effect": "Allow",
                    "Principal": {"Service": list(ALERT_PUBLISHERS)}, "Action": "sns:Publish",
                    "Resource": topic.arn,
                    "Condition": {"StringEquals": {"aws:SourceAccount": env.location.account_id}},
                },
                {
                    "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*",
                    "Action": "sns:Publish", "Resource": topic.arn,
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                },
            ]),
        )  # fmt: skip
        TerraformOutput(
            self, "alerts_topic_arn", value=topic.arn, description="Subscribe the on-call's pager"
        )
        # The month's budget of the environment's tagged resources, and the account's anomaly detection where
        # the environment owns the account (one "AWS services" monitor per account).
        CostGuard(
            self, "cost_guard", name=env.name, topic_arn=topic.arn, after=[policy],
            props=CostGuardProps(
                monthly_limit_usd=env.monthly_budget_usd, tag_value=env.tags["Environment"],
                anomaly_detection=env.owns_account,
            ),
        )  # fmt: skip
        arn: str = topic.arn
        return arn

    def _audit(self, access_log_bucket: str, log_key_arn: str) -> None:
        """GuardDuty in every environment's region; the account's multi-region trail in the environment that
        owns the account (``owns_account``), recording the data events of the account's state and backups
        buckets (its tenants' included, and what a standby of this environment keeps of its backups)."""
        env = self.env
        ThreatDetection(
            self, "threat_detection",
            props=ThreatDetectionProps(
                detector=env.guardduty_detector, deletion_protection=env.deletion_protection
            ),
        )  # fmt: skip
        if not env.owns_account:
            return
        account = env.location.account_id
        names: list[str] = []
        for member in (env, *self.tenants):
            names.append(f"{PROJECT}-{member.name}-backups-{account}")
            if member.backend.kind == "s3":
                names.append(member.backend.bucket)
            if member.standby:  # the replica of its primary's backups it keeps
                names.append(f"{PROJECT}-{member.name}-{member.standby.primary}-backups-{account}")
        AuditTrail(
            self, "audit",
            props=AuditTrailProps(
                trail_name=audit_trail_name(env.name),
                bucket_name=audit_bucket_name(env.name, account),
                access_log_bucket=access_log_bucket,
                data_event_bucket_arns=tuple(f"arn:aws:s3:::{name}" for name in names),
                log_retention_days=env.cluster.log_retention_days,
                object_lock_days=env.cluster.log_retention_days,
                deletion_protection=env.deletion_protection,
            ),
            location=env.location, log_key_arn=log_key_arn,
        )  # fmt: skip

    def _key_purposes(self) -> dict[str, str]:
        """KEY_PURPOSES, plus a standby's key for what replicates into it (named by its configuration)."""
        standby = self.env.standby
        if standby is None:
            return KEY_PURPOSES
        return {**KEY_PURPOSES, REPLICAS: f"replicas of {standby.primary}'s database, backups and bucket"}

    def _key_alias(self, purpose: str) -> str:
        standby = self.env.standby
        if purpose == REPLICAS and standby is not None:
            return standby.replica_key_alias
        return resource_name(self.env.name, purpose)

    def _empty_secret(self, construct_id: str, path: str, purpose: str, keys: dict[str, str]) -> str:
        """Secret ``<env>/<path>`` (KMS ``data``), created empty: its owner sets the value out of band;
        returns its ARN."""
        env = self.env
        secret = AppSecret(
            self, construct_id, name=f"{env.name}/{path}",
            description=f"{env.name}: {purpose} (value set out of band)", key_arn=keys["data"],
            recovery_days=30 if env.deletion_protection else 7, deletion_protection=env.deletion_protection,
        )  # fmt: skip
        return secret.arn

    def _log_storage(self, access_log_bucket: str) -> LogStorageRef | None:
        """Loki's bucket, its own KMS key and its IRSA role, where logs live in S3."""
        env = self.env
        if env.logs.storage != "s3":
            return None
        key = KmsKey(
            self, "loki_key",
            props=KmsKeyProps(
                alias=resource_name(env.name, "loki"), description=f"{env.name}: Loki's log objects in S3",
                deletion_protection=env.deletion_protection,
            ),
            location=env.location,
        )  # fmt: skip
        storage = LogStorage(
            self, "log_storage", env=env.name, props=env.logs, location=env.location, key_arn=key.ref.arn,
            cluster=self.cluster.ref, access_log_bucket=access_log_bucket,
            deletion_protection=env.deletion_protection,
        )  # fmt: skip
        return storage.ref

    def _autoscaling_service_role(self) -> str:
        """ARN of ``AWSServiceRoleForAutoScaling``, made here or read (``autoscaling_service_linked_role``).

        The ``ebs`` key's policy names it, and KMS rejects a policy whose principal does not exist: an account
        that never had an Auto Scaling group has no such role until something creates it. Either way the ARN
        is a reference, so Terraform orders the key after the role (or fails the plan when "existing" finds
        none)."""
        if self.env.autoscaling_service_linked_role == "create":
            role = IamServiceLinkedRole(
                self, "autoscaling_service_role", aws_service_name="autoscaling.amazonaws.com"
            )
            created: str = role.arn
            return created
        existing = DataAwsIamRole(self, "autoscaling_service_role", name="AWSServiceRoleForAutoScaling")
        read: str = existing.arn
        return read

    def _data_stores(self, keys: dict[str, str], primary: FoundationStack | None) -> None:
        """PostgreSQL, Redis and Kafka. A standby's stores (standing by: ``primary`` given) are fed from the
        primary's: a cross-region read replica, a Global Datastore secondary and an MSK Replicator, each
        with a lag alarm at ``StandbyConfig.max_lag_minutes``; after a failover the replica is promoted, the
        cache leaves the datastore (outside Terraform) and the replicator is removed."""
        env = self.env
        placement = DataStorePlacement(
            vpc_id=self.network.ref.vpc_id,
            subnet_ids=self.network.ref.database_subnet_ids,
            client_security_group_id=self.cluster.ref.security_group_id,  # nodes and their pods carry it
            key_arn=keys["data"],
        )
        # A standby's database is encrypted with the replicas key in both roles: RDS cannot change the key of
        # an instance, and the replica's key is a key of this region.
        database_placement = replace(placement, key_arn=keys[REPLICAS]) if env.standby else placement
        database = PostgresDatabase(
            self, "database", props=env.database, name=resource_name(env.name, "postgres"),
            location=env.location, placement=database_placement, log_key_arn=keys["logs"],
            replica_of=primary.database_arn if primary else None,
        )  # fmt: skip
        cache_name = resource_name(env.name, "redis")
        if primary is not None and self.primary_provider is not None:
            datastore = RedisGlobalDatastore(
                self, "cache_global", props=primary.env.cache,
                name_suffix=resource_name(primary.env.name, "redis"),
                primary_replication_group_id=primary.cache_group_id, primary_provider=self.primary_provider,
            )  # fmt: skip
            cache = RedisCache(
                self, "cache", props=env.cache, name=cache_name, placement=placement,
                log_key_arn=keys["logs"], global_group_id=datastore.global_group_id,
            )  # fmt: skip
        else:
            cache = RedisCache(
                self, "cache", props=env.cache, name=cache_name, placement=placement,
                log_key_arn=keys["logs"], after_failover=env.standby is not None,
            )  # fmt: skip
        kafka = KafkaCluster(
            self, "kafka", props=env.kafka, name=resource_name(env.name, "kafka"), placement=placement,
            log_key_arn=keys["logs"], replication_source=bool(self.standbys),
        )  # fmt: skip
        master_secret = (database.master_secret_arn, "Secrets Manager ARN of the RDS-managed master password")
        if env.database.master_password_source == "write-only":
            path = "postgres/master"
            master_secret = (
                self._empty_secret(
                    "postgres_master_secret", path,
                    "the database master password; the deploy passes it as TF_VAR_database_master_password",
                    keys,
                ),
                f"Secrets Manager ARN of {env.name}/{path}, the master password the deploy supplies",
            )  # fmt: skip
        self.database_arn: str = database.arn
        self.cache_group_id: str = cache.group_id
        self.kafka_arn: str = kafka.arn
        self.database_subnet_ids: tuple[str, ...] = self.network.ref.database_subnet_ids
        if primary is not None:
            # Point-in-time restore here too (a logical error replicates to the replica at once).
            AutomatedBackupsReplication(
                self, "database_backups_replica", source_db_instance_arn=primary.database_arn,
                key_arn=keys[REPLICAS], retention_days=primary.env.database.backup_retention_days,
            )  # fmt: skip
            replicator_name = f"{env.name}-from-{primary.env.name}"
            KafkaReplicator(
                self, "kafka_replicator", props=KafkaReplicatorProps(),
                name=replicator_name, location=env.location,
                source_cluster_arn=primary.kafka_arn, source_subnet_ids=primary.database_subnet_ids,
                target_cluster_arn=kafka.arn, target_placement=placement,
                target_security_group_id=kafka.security_group_id,
            )  # fmt: skip
            standby_lag_alarms(
                self, env=env, database=resource_name(env.name, "postgres"), cache=cache_name,
                replicator=replicator_name, topic=self.alerts_topic_arn,
            )  # fmt: skip
        self.data_endpoints = DataEndpoints(
            database_host=database.endpoint, cache_host=cache.endpoint,
            cache_reader_host=cache.reader_endpoint,
            database_cidrs=plan_subnets(env.network.cidr, len(env.network.availability_zones)).database,
            region=env.location.region,
        )  # fmt: skip
        self.data_store_arns = DataStoreArns(
            database_resource_id=database.resource_id, cache_arn=cache.arn, cache_user_arn=cache.app_user_arn,
            kafka_arn=kafka.arn, kafka_topic_arn_prefix=kafka.topic_arn_prefix,
            kafka_group_arn_prefix=kafka.group_arn_prefix,
        )  # fmt: skip
        self.monitored_stores = MonitoredStores(
            database_host=database.endpoint, cache_host=cache.endpoint, cache_user=cache.monitor_user,
            kafka_broker_domain=kafka.broker_domain, kafka_broker_count=env.kafka.broker_count,
        )  # fmt: skip
        outputs = {
            "database_endpoint": (database.endpoint, "PostgreSQL host (TLS, IAM auth)"),
            "database_master_secret_arn": master_secret,
            "cache_endpoint": (cache.endpoint, "Redis primary endpoint (TLS, IAM auth)"),
            "kafka_bootstrap_brokers": (kafka.bootstrap_brokers, "MSK brokers (SASL/IAM over TLS)"),
            "kafka_broker_domain": (kafka.broker_domain, "DNS suffix of the MSK brokers (b-<n>.<suffix>)"),
        }  # fmt: skip
        for output_id, (value, description) in outputs.items():
            TerraformOutput(self, output_id, value=value, description=description)

    def _backups(self, key_arn: str) -> str:
        """The backups bucket and the access-log bucket (S3 server and ALB logs); returns the latter."""
        env = self.env
        account = env.location.account_id
        logs = SecureBucket(
            self,
            "access_logs",
            props=SecureBucketProps(
                bucket_name=f"{PROJECT}-{env.name}-access-logs-{account}", noncurrent_version_days=30,
                deletion_protection=env.deletion_protection, allow_access_log_delivery=True,
                allow_load_balancer_logs=True,
            ),
            location=env.location,
            key_arn=None,
        )  # fmt: skip
        backups = SecureBucket(
            self,
            "backups",
            props=SecureBucketProps(
                bucket_name=f"{PROJECT}-{env.name}-backups-{account}", noncurrent_version_days=90,
                archive_after_days=30, object_lock_days=env.backup_lock_days, access_log_bucket=logs.ref.name,
                deletion_protection=env.deletion_protection,
            ),
            location=env.location,
            key_arn=key_arn,
        )  # fmt: skip
        TerraformOutput(
            self, "backups_bucket", value=backups.ref.name, description="Backups bucket (Velero, DR)"
        )
        TerraformOutput(self, "backups_bucket_arn", value=backups.ref.arn, description="Backups bucket ARN")
        self.backups_bucket = backups.ref
        self.backups_key_arn = key_arn
        log_bucket: str = logs.ref.name
        return log_bucket

"""<env>-foundation: AWS only (KMS keys, network, EKS control plane, data stores, registry, secrets).
Plans on an empty account."""

from __future__ import annotations

from dataclasses import dataclass, replace

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_iam_role import DataAwsIamRole
from cdktf_cdktf_provider_aws.iam_service_linked_role import IamServiceLinkedRole
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
from marketplace_constructs.delivery.flagger import DELIVERY_SECRETS
from marketplace_constructs.edge.edge import InternetEdge
from marketplace_constructs.mesh.policies import DataEndpoints
from marketplace_constructs.naming import PROJECT
from marketplace_constructs.observability.exporters import MonitoredStores
from marketplace_constructs.observability.log_storage import LogStorage, LogStorageRef
from marketplace_constructs.observability.secret_paths import OBSERVABILITY_SECRETS
from marketplace_constructs.workload.service_props import MicroserviceProps
from stacks.backend import aws_provider, configure_backend
from stacks.platform_roles import PlatformRoles, platform_roles
from stacks.service_roles import DataStoreArns, service_roles

# One key per purpose, so a key policy or a key's loss touches one kind of data only.
KEY_PURPOSES = {
    "logs": "CloudWatch log groups (VPC flow logs, EKS, ElastiCache, MSK)",
    "eks-secrets": "envelope encryption of Kubernetes secrets",
    "data": "data stores: RDS (storage, Performance Insights, master secret), ElastiCache, MSK, app secrets",
    "backups": "the backups bucket",
    "registry": "ECR images",
    "ebs": "EBS volumes: node root disks and persistent volumes",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class PlatformInputs:
    """What the platform stack takes from the foundation (tokens, read through remote state)."""

    cluster: ClusterRef
    vpc_id: str
    roles: PlatformRoles
    volume_key_arn: str
    stores: MonitoredStores
    log_storage: LogStorageRef | None  # None: Loki keeps logs on its volume (dev)


class FoundationStack(TerraformStack):
    """The environment's AWS base; later layers consume ``cluster.ref`` through cross-stack references."""

    def __init__(
        self, scope: Construct, stack_id: str, *, env: EnvironmentConfig, specs: tuple[MicroserviceProps, ...]
    ) -> None:
        super().__init__(scope, stack_id)
        configure_backend(self, env, stack_id)
        aws_provider(self, env.location, dict(env.tags))
        self.env = env
        autoscaling_role_arn = self._autoscaling_service_role()
        keys = {
            purpose: KmsKey(
                self,
                f"{purpose.replace('-', '_')}_key",
                props=KmsKeyProps(
                    alias=resource_name(env.name, purpose),
                    description=f"{env.name}: {description}",
                    cloudwatch_logs=purpose == "logs",
                    autoscaling_role_arn=autoscaling_role_arn if purpose == "ebs" else None,
                    deletion_protection=env.deletion_protection,
                ),
                location=env.location,
            ).ref.arn
            for purpose, description in KEY_PURPOSES.items()
        }
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
            self, "nodes", groups=env.node_groups.by_name(), cluster_name=cluster.name,
            cluster_security_group_id=cluster.security_group_id, location=env.location,
            vpc_id=self.network.ref.vpc_id, subnet_ids=self.network.ref.private_subnet_ids,
            volume_key_arn=keys["ebs"], tags=env.tags, after=addons.before_compute,
        )  # fmt: skip
        addons.install_after(nodes.groups)
        self._data_stores(keys)
        log_bucket = self._backups(keys["backups"])
        self.platform_inputs = PlatformInputs(
            cluster=cluster,
            vpc_id=self.network.ref.vpc_id,
            roles=platform_roles(
                self, cluster, cluster_name, env=env.name, location=env.location, data_key_arn=keys["data"]
            ),
            volume_key_arn=keys["ebs"],
            stores=self.monitored_stores,
            log_storage=self._log_storage(log_bucket),
        )
        edge = InternetEdge(
            self, "edge", props=env.edge, name=env.name, location=env.location,
            vpc_id=self.network.ref.vpc_id, public_subnet_ids=self.network.ref.public_subnet_ids,
            target_security_group_id=nodes.security_group_id, log_bucket=log_bucket, log_key_arn=keys["logs"],
            log_retention_days=env.cluster.log_retention_days,
        )  # fmt: skip
        self.edge = edge.ref
        TerraformOutput(
            self, "edge_name_servers", value=edge.name_servers,
            description=f"Name servers of {env.edge.hosted_zone}: delegate to them from the parent zone",
        )  # fmt: skip
        TerraformOutput(self, "edge_dns_name", value=edge.dns_name, description="The ALB's own DNS name")
        self.service_roles = service_roles(
            self, cluster, cluster_name, env=env.name, location=env.location, data_key_arn=keys["data"],
            specs=specs, stores=self.data_store_arns,
        )  # fmt: skip
        for service in specs:
            ContainerRepository(
                self, f"{service.name}_images", props=env.registry, name=f"{PROJECT}/{service.name}",
                key_arn=keys["registry"],
            )  # fmt: skip
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

    def _empty_secret(self, construct_id: str, path: str, purpose: str, keys: dict[str, str]) -> None:
        """Secret ``<env>/<path>`` (KMS ``data``), created empty: its owner sets the value out of band."""
        env = self.env
        AppSecret(
            self, construct_id, name=f"{env.name}/{path}",
            description=f"{env.name}: {purpose} (value set out of band)", key_arn=keys["data"],
            recovery_days=30 if env.deletion_protection else 7, deletion_protection=env.deletion_protection,
        )  # fmt: skip

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

    def _data_stores(self, keys: dict[str, str]) -> None:
        env = self.env
        placement = DataStorePlacement(
            vpc_id=self.network.ref.vpc_id,
            subnet_ids=self.network.ref.database_subnet_ids,
            client_security_group_id=self.cluster.ref.security_group_id,  # nodes and their pods carry it
            key_arn=keys["data"],
        )
        database = PostgresDatabase(
            self, "database", props=env.database, name=resource_name(env.name, "postgres"),
            location=env.location, placement=placement, log_key_arn=keys["logs"],
        )  # fmt: skip
        cache = RedisCache(
            self, "cache", props=env.cache, name=resource_name(env.name, "redis"), placement=placement,
            log_key_arn=keys["logs"],
        )  # fmt: skip
        kafka = KafkaCluster(
            self, "kafka", props=env.kafka, name=resource_name(env.name, "kafka"), placement=placement,
            log_key_arn=keys["logs"],
        )  # fmt: skip
        self.data_endpoints = DataEndpoints(
            database_host=database.endpoint, cache_host=cache.endpoint, region=env.location.region
        )
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
            "database_master_secret_arn": (
                database.master_secret_arn, "Secrets Manager ARN of the RDS-managed master password",
            ),
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
        log_bucket: str = logs.ref.name
        return log_bucket

"""dev (us-east-1): a small, cheap copy: one shared NAT gateway, single-AZ data stores."""

from environments.base import (
    BackupConfig,
    EnvironmentConfig,
    NodeGroupsConfig,
    StateBackendConfig,
    defining,
    standard_tags,
    state_bucket_name,
)
from marketplace_constructs import (
    AwsLocation,
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
from marketplace_constructs.mesh.identity import OperatorIdentityProps

ACCOUNT_ID = "111111111111"  # placeholder: set the dev account id before deploying

with defining("dev"):
    CONFIG = EnvironmentConfig(
        name="dev",
        tier="sandbox",
        location=AwsLocation(account_id=ACCOUNT_ID, region="us-east-1"),
        network=VpcProps(
            cidr="10.10.0.0/16",
            availability_zones=("us-east-1a", "us-east-1b", "us-east-1c"),
            nat_strategy="single",
        ),
        # The deploy path (self-hosted runners, a bastion) lives in the private subnets.
        cluster=EksClusterProps(deletion_protection=False, api_access_from_private_subnets=True),
        # Reference design: 3-5 nodes in all; a general node more at most (the platform's own pods, and room
        # for a fifth service) and a compute node more (discovery runs there): 3-7.
        node_groups=NodeGroupsConfig(
            general=NodeGroupProps(instance_types=("m7i.large",), min_size=1, desired_size=1, max_size=3),
            compute=NodeGroupProps(
                instance_types=("c7i.large", "c6i.large"),
                capacity_type="SPOT",
                min_size=1,
                desired_size=1,
                max_size=3,
            ),
            memory=NodeGroupProps(instance_types=("r7i.large",), min_size=1, desired_size=1, max_size=1),
        ),
        database=PostgresProps(
            instance_class="db.t4g.medium",
            multi_az=False,
            storage_gb=20,
            max_storage_gb=100,
            backup_retention_days=7,
            deletion_protection=False,
        ),
        cache=RedisProps(
            node_type="cache.t4g.small",
            node_count=1,
            snapshot_retention_days=1,
            deletion_protection=False,
        ),
        kafka=KafkaProps(
            broker_instance_type="kafka.t3.small",
            volume_gb=100,
            max_volume_gb=200,
            enhanced_monitoring="DEFAULT",
            deletion_protection=False,
        ),
        registry=RegistryProps(keep_tagged_images=20, deletion_protection=False),
        # One replica each, and any outbound host: dev is the sandbox (staging, production, dr refuse both).
        mesh=MeshProps(
            istiod_replicas=1,
            istiod_max_replicas=2,
            gateway_replicas=1,
            gateway_max_replicas=3,
            allow_any_outbound=True,
        ),
        # One Prometheus and one Alertmanager on a small volume: dev is the sandbox.
        monitoring=MonitoringProps(
            prometheus_replicas=1,
            alertmanager_replicas=1,
            allow_single_replicas=True,
            volume_gb=20,
            retention_size_gb=18,
        ),
        # One Loki on a small encrypted volume instead of S3: dev is the sandbox.
        logs=LogsProps(
            storage="filesystem",
            allow_filesystem_storage=True,
            replicas=1,
            allow_single_replicas=True,
            volume_gb=10,
        ),
        # One Elasticsearch node, one collector and one Jaeger: dev is the sandbox.
        tracing=TracingProps(
            elasticsearch_nodes=1,
            elasticsearch_volume_gb=20,
            elasticsearch_memory_gb=2,
            collector_replicas=1,
            jaeger_replicas=1,
            allow_single_node=True,
        ),
        # One to three pods per service (the specs' targets and behaviour): dev is the sandbox.
        # At most what one compute and one memory node hold with sidecars (the fit check).
        service_replicas={"publishing": (1, 3), "discovery": (1, 2), "consumption": (1, 2), "admin": (1, 3)},
        allow_idle_analysis=True,  # no traffic: an idle canary window must not roll every release back
        # Placeholder names (example.com is reserved): set the real zone before deploying.
        edge=EdgeProps(
            hosted_zone="dev.llm-marketplace.example.com",
            domain="api.dev.llm-marketplace.example.com",
            operator_domain="admin.dev.llm-marketplace.example.com",
            deletion_protection=False,
        ),
        # Placeholder identity provider (docs/edge.md, "Operators"); dev admits the developers' group too.
        operators=OperatorIdentityProps(
            issuer="https://sso.llm-marketplace.example.com",
            audiences=("llm-marketplace-admin",),
            groups=("marketplace-operators", "marketplace-developers"),
        ),
        backup=BackupConfig(frequency_minutes=1440, retention_days=7),  # daily is enough for a sandbox
        backup_lock_days=1,
        deletion_protection=False,
        # Shared, locked state in S3 like the others: CI deploys dev on every push to develop.
        backend=StateBackendConfig(
            kind="s3", bucket=state_bucket_name("dev", ACCOUNT_ID), key_alias="dev-tfstate"
        ),
        # AWS Budgets: about 145 % of its estimate (bin/dev cost; tests/test_cost.py keeps it at 135-150 %,
        # which leaves room for a new service), so the 80 % forecast alert means "8-20 % above the estimate".
        monthly_budget_usd=1300,
        tags=standard_tags("dev", owner="platform-team", cost_center="marketplace-dev"),
        deploy_branch="develop",
        deploy_role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/llm-marketplace-deploy",
        plan_role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/llm-marketplace-plan",
    )

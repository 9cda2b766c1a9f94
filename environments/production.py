"""production (us-east-1): the reference sizing; staging and dr derive from it."""

from environments.base import (
    BackupConfig,
    EnvironmentConfig,
    NodeGroupsConfig,
    RecoveryObjectives,
    StateBackendConfig,
    defining,
    standard_tags,
    state_bucket_name,
)
from marketplace_constructs import (
    AlertThresholds,
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
    TracingProps,
    VpcProps,
)
from marketplace_constructs.capacity.props import CapacityProps, HeadroomConfig, HeadroomProps
from marketplace_constructs.mesh.identity import OperatorIdentityProps

ACCOUNT_ID = "333333333333"  # placeholder: set the production account id before deploying

with defining("production"):
    CONFIG = EnvironmentConfig(
        name="production",
        tier="production",
        location=AwsLocation(account_id=ACCOUNT_ID, region="us-east-1"),
        network=VpcProps(
            cidr="10.30.0.0/16",
            availability_zones=("us-east-1a", "us-east-1b", "us-east-1c"),
            nat_strategy="per_az",
            flow_log_retention_days=365,
            interface_endpoints=("ecr.api", "ecr.dkr", "sts", "logs", "secretsmanager", "kms"),
        ),
        # The deploy path (self-hosted runners, a bastion) lives in the private subnets (staging, dr inherit).
        cluster=EksClusterProps(
            log_retention_days=365, deletion_protection=True, api_access_from_private_subnets=True
        ),
        # Reference design: 12-50 nodes in all, three groups. Cost-optimized (docs/cost-and-capacity.md):
        # Graviton (arm64; the image pipeline builds it); one on-demand node per zone in each group for the
        # minimum replicas and the platform; the compute class grows on a tainted Spot burst group that only
        # its services and placeholders tolerate. Discovery's request is CPU-shaped (500m with 512Mi), so it
        # runs on compute nodes; the memory group holds Elasticsearch (pinned there) and platform pods.
        node_groups=NodeGroupsConfig(
            general=NodeGroupProps(
                instance_types=("m7g.xlarge",), graviton=True, min_size=3, desired_size=3, max_size=16
            ),
            compute=NodeGroupProps(
                instance_types=("c7g.4xlarge",), graviton=True, min_size=3, desired_size=3, max_size=6
            ),
            compute_burst=NodeGroupProps(
                instance_types=("c7g.4xlarge", "c6g.4xlarge", "m7g.4xlarge"),
                graviton=True,
                capacity_type="SPOT",
                min_size=0,
                desired_size=0,
                max_size=16,
            ),
            # Elasticsearch's three 1-vCPU, 8 GiB nodes, one per zone (the fit check counts them).
            memory=NodeGroupProps(
                instance_types=("r7g.large",), graviton=True, min_size=3, desired_size=3, max_size=6
            ),
        ),
        # Placeholders sized like each class's largest service pod (sidecar included), reserving the CPU the
        # largest 10x spike of one service of the class adds from its minimum (publishing 3 -> 30 on general,
        # consumption 10 -> 100 on compute; the reference design's scenarios, one service each, as bin/dev
        # capacity replays them), so its pods start without waiting for EC2. The count is the least that
        # reserves it (tests/test_capacity.py recomputes it); every service at once would need 115 on compute.
        capacity=CapacityProps(
            headroom=HeadroomConfig(
                general=HeadroomProps(pods=27, cpu="350m", memory="384Mi"),
                compute=HeadroomProps(pods=90, cpu="1100m", memory="640Mi"),
            )
        ),
        # Reference sizes: db.r6g.xlarge Multi-AZ, 100 GB-1 TB, 30 days of backups; cache.r6g.xlarge x3;
        # kafka.m5.xlarge x3 with 1,000 GB each. These are the props' defaults, spelled out for review.
        database=PostgresProps(
            instance_class="db.r6g.xlarge",
            multi_az=True,
            storage_gb=100,
            max_storage_gb=1000,
            backup_retention_days=30,
            # RDS refuses a cross-region read replica (dr's) of an instance whose password it manages.
            master_password_source="write-only",
        ),
        cache=RedisProps(node_type="cache.r6g.xlarge", node_count=3, snapshot_retention_days=7),
        kafka=KafkaProps(
            broker_instance_type="kafka.m5.xlarge",
            broker_count=3,
            volume_gb=1000,
            enhanced_monitoring="PER_TOPIC_PER_BROKER",
        ),
        # Reference design: at least 2 istiod and 3 gateway replicas (one per zone); the props' defaults.
        mesh=MeshProps(istiod_replicas=2, istiod_max_replicas=5, gateway_replicas=3, gateway_max_replicas=10),
        # Prometheus 2 replicas, Alertmanager 3, 30 days kept, a 180 GB guard on 200 GB volumes.
        monitoring=MonitoringProps(
            prometheus_replicas=2,
            alertmanager_replicas=3,
            retention_days=30,
            volume_gb=200,
            retention_size_gb=180,
            # The reference design's alerting numbers (the defaults), spelled out for review.
            thresholds=AlertThresholds(
                service_down_minutes=2,
                critical_error_rate_percent=1.0,
                warning_error_rate_percent=0.5,
                critical_p95_ms=1000,
                warning_p95_ms=500,
                disk_usage_percent=80.0,
                memory_usage_percent=85.0,
                availability_percent=99.95,
            ),
        ),
        # Loki: 30 days in S3, 3 replicas (a write needs 2 of 3 copies) on 50 GB volumes.
        logs=LogsProps(retention_days=30, storage="s3", replicas=3, volume_gb=50),
        # Reference design: Elasticsearch 3 x 200 GiB; traces kept 7 days; 2 collectors and 2 Jaegers.
        tracing=TracingProps(
            elasticsearch_nodes=3,
            elasticsearch_volume_gb=200,
            elasticsearch_memory_gb=8,
            retention_days=7,
            collector_replicas=2,
            jaeger_replicas=2,
        ),
        # Placeholder names (example.com is reserved): set the real zone before deploying. TLS 1.3 only; WAF
        # blocks an IP above 2,000 requests per 5 minutes.
        # The operators' name serves admin: only requests with an operator's token reach it (below).
        edge=EdgeProps(
            hosted_zone="llm-marketplace.example.com",
            domain="api.llm-marketplace.example.com",
            operator_domain="admin.llm-marketplace.example.com",
            waf_rate_limit=2000,
        ),
        # Placeholder identity provider: set your organisation's OIDC issuer, the client id of the
        # operators' application and the group that makes someone an operator (docs/edge.md, "Operators").
        operators=OperatorIdentityProps(
            issuer="https://sso.llm-marketplace.example.com",
            audiences=("llm-marketplace-admin",),
            groups=("marketplace-operators",),
        ),
        # Reference design: hourly snapshots kept 30 days, copied to the dr region, in locked vaults.
        backup=BackupConfig(
            frequency_minutes=60, retention_days=30, copy_region="us-west-2", vault_lock=True
        ),
        # Reference design: RPO under 15 minutes and RTO under 1 hour (environments/recovery.py derives both
        # from dr's replication and the failover runbook; bin/dev dr-report prints them).
        objectives=RecoveryObjectives(rpo_minutes=15, rto_minutes=60),
        backup_lock_days=30,
        backend=StateBackendConfig(
            kind="s3", bucket=state_bucket_name("production", ACCOUNT_ID), key_alias="production-tfstate"
        ),
        # AWS Budgets: about 145 % of its estimate (bin/dev cost; tests/test_cost.py keeps it at 135-150 %,
        # which leaves room for a new service), so the 80 % forecast alert means "8-20 % above the estimate".
        monthly_budget_usd=14000,
        tags=standard_tags("production", owner="platform-team", cost_center="marketplace-prod"),
        deploy_reviewer=True,  # dr inherits it: its deploy moves production's failover record
        deploy_role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/llm-marketplace-deploy",
        plan_role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/llm-marketplace-plan",
    )

"""staging (us-east-1): production's shape at a smaller size, without a standby."""

from dataclasses import replace

from environments import production
from environments.base import (
    BackupConfig,
    NodeGroupsConfig,
    StateBackendConfig,
    defining,
    standard_tags,
    state_bucket_name,
)
from marketplace_constructs import AwsLocation, NodeGroupProps
from marketplace_constructs.capacity.props import CapacityProps

ACCOUNT_ID = "222222222222"  # placeholder: set the staging account id before deploying
BASE = production.CONFIG

with defining("staging"):
    CONFIG = replace(
        BASE,
        name="staging",
        tier="staging",
        location=AwsLocation(account_id=ACCOUNT_ID, region="us-east-1"),
        # Hourly snapshots kept a week, in the region only: staging has no standby and no objectives.
        backup=BackupConfig(frequency_minutes=60, retention_days=7),
        objectives=None,
        network=replace(BASE.network, cidr="10.20.0.0/16", interface_endpoints=()),
        # Reference design: 6-12 nodes in all. Discovery runs on compute nodes (CPU-shaped), so compute may
        # grow to 6; memory holds Elasticsearch's three nodes, one a node, so it may grow to 3; general may
        # grow to 5 (room for a fifth service beside the DaemonSets): 6-14.
        node_groups=NodeGroupsConfig(
            general=NodeGroupProps(instance_types=("m7i.large",), min_size=2, desired_size=2, max_size=5),
            compute=NodeGroupProps(
                instance_types=("c7i.xlarge", "c6i.xlarge"),
                capacity_type="SPOT",
                min_size=2,
                desired_size=2,
                max_size=6,
            ),
            memory=NodeGroupProps(instance_types=("r7i.large",), min_size=2, desired_size=2, max_size=3),
        ),
        # No standby: RDS keeps managing the master password (production's is write-only, for its replica).
        database=replace(
            BASE.database,
            instance_class="db.r6g.large",
            backup_retention_days=14,
            master_password_source="rds-managed",
        ),
        cache=replace(BASE.cache, node_type="cache.r6g.large", snapshot_retention_days=3),
        kafka=replace(
            BASE.kafka,
            broker_instance_type="kafka.m5.large",
            volume_gb=500,
            max_volume_gb=2000,
            enhanced_monitoring="PER_BROKER",
        ),
        edge=replace(
            BASE.edge,
            hosted_zone="staging.llm-marketplace.example.com",
            domain="api.staging.llm-marketplace.example.com",
            operator_domain="admin.staging.llm-marketplace.example.com",
        ),
        monitoring=replace(BASE.monitoring, volume_gb=100, retention_size_gb=90),
        # Fewer replicas (the specs' targets and scaling behaviour), to fit 6-12 nodes.
        # Maxima the groups hold at their maximum (4 nodes each) with sidecars: the fit check.
        service_replicas={
            "publishing": (2, 10),
            "discovery": (2, 8),
            "consumption": (3, 12),
            "admin": (2, 4),
        },
        capacity=CapacityProps(),  # no headroom: staging has no response-time targets
        backup_lock_days=14,
        backend=StateBackendConfig(
            kind="s3", bucket=state_bucket_name("staging", ACCOUNT_ID), key_alias="staging-tfstate"
        ),
        # AWS Budgets: about 145 % of its estimate (bin/dev cost; tests/test_cost.py keeps it at 135-150 %,
        # which leaves room for a new service), so the 80 % forecast alert means "8-20 % above the estimate".
        monthly_budget_usd=4300,
        tags=standard_tags("staging", owner="platform-team", cost_center="marketplace-staging"),
        deploy_reviewer=False,  # every push to main deploys staging first, unattended
        deploy_role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/llm-marketplace-deploy",
        plan_role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/llm-marketplace-plan",
    )

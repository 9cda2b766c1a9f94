"""dr (us-west-2): production's warm standby in a second region and production's account, own state bucket.

``ROLE`` is the failover switch: "standby" (replication from production, pilot-light sizes) or "active"
(production's sizes, replicas promoted). docs/runbooks/backup-and-restore.md walks through flipping it.
"""

from dataclasses import replace

from environments import production
from environments.base import (
    NodeGroupsConfig,
    RecoveryRole,
    StandbyConfig,
    StateBackendConfig,
    defining,
    standard_tags,
    state_bucket_name,
)
from marketplace_constructs.capacity.props import CapacityProps

ROLE: RecoveryRole = "standby"
REGION = "us-west-2"  # must differ from production's

BASE = production.CONFIG

with defining("dr"):
    CONFIG = replace(
        BASE,
        name="dr",
        location=replace(BASE.location, region=REGION),
        allow_idle_analysis=True,
        # dr's own snapshots stay in us-west-2: production's region is the one presumed lost. Objectives
        # are production's (dr meets them for production); dr itself has no standby.
        backup=replace(BASE.backup, copy_region=None),
        objectives=None,  # a standby without traffic: an idle canary window must not roll back
        # Headroom only once active: the pilot light keeps no placeholders.
        capacity=BASE.capacity if ROLE == "active" else CapacityProps(),
        network=replace(
            BASE.network, cidr="10.40.0.0/16", availability_zones=tuple(f"{REGION}{zone}" for zone in "abc")
        ),
        edge=replace(
            BASE.edge,
            hosted_zone="dr.llm-marketplace.example.com",
            domain="api.dr.llm-marketplace.example.com",
            operator_domain="admin.dr.llm-marketplace.example.com",
        ),
        backend=StateBackendConfig(
            kind="s3", bucket=state_bucket_name("dr", production.ACCOUNT_ID), key_alias="dr-tfstate"
        ),
        # AWS Budgets: about 145 % of its estimate (bin/dev cost; tests/test_cost.py keeps it at 135-150 %,
        # which leaves room for a new service), so the 80 % forecast alert means "8-20 % above the estimate".
        monthly_budget_usd=7900,
        tags=standard_tags("dr", owner="platform-team", cost_center="marketplace-prod"),
        # Production's account: production's foundation creates the role (IAM is global), dr reads it.
        autoscaling_service_linked_role="existing",
        owns_account=False,  # production's OIDC provider, boundary and trail (recording dr's buckets)
        # dr's own CI roles (trusted for the GitHub environment "dr" only), beside production's.
        deploy_role_arn=f"arn:aws:iam::{production.ACCOUNT_ID}:role/llm-marketplace-dr-deploy",
        plan_role_arn=f"arn:aws:iam::{production.ACCOUNT_ID}:role/llm-marketplace-dr-plan",
        # Pilot light: one general node per zone (the gateway spreads across zones), one compute node and two
        # memory nodes; each group keeps production's maximum, so the autoscaler adds what pending pods need.
        standby=StandbyConfig(
            primary="production",
            role=ROLE,
            replica_key_alias="dr-replicas",
            floor=NodeGroupsConfig(
                general=replace(BASE.node_groups.general, min_size=3, desired_size=3),
                compute=replace(BASE.node_groups.compute, min_size=1, desired_size=1),
                memory=replace(BASE.node_groups.memory, min_size=2, desired_size=2),
            ),
        ),
    )

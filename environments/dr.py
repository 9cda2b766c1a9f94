"""dr (us-west-2): production's copy in a second region and production's account, own state bucket."""

from dataclasses import replace

from environments import production
from environments.base import StateBackendConfig, defining, standard_tags, state_bucket_name

BASE = production.CONFIG

with defining("dr"):
    CONFIG = replace(
        BASE,
        name="dr",
        location=replace(BASE.location, region="us-west-2"),
        allow_idle_analysis=True,  # a standby without traffic: an idle canary window must not roll back
        network=replace(
            BASE.network, cidr="10.40.0.0/16", availability_zones=("us-west-2a", "us-west-2b", "us-west-2c")
        ),
        edge=replace(
            BASE.edge,
            hosted_zone="dr.llm-marketplace.example.com",
            domain="api.dr.llm-marketplace.example.com",
        ),
        backend=StateBackendConfig(
            kind="s3", bucket=state_bucket_name("dr", production.ACCOUNT_ID), key_alias="dr-tfstate"
        ),
        tags=standard_tags("dr", owner="platform-team", cost_center="marketplace-prod"),
        # Production's account: production's foundation creates the role (IAM is global), dr reads it.
        autoscaling_service_linked_role="existing",
    )

"""EnvironmentConfig rules beyond the single-value checks, and the reference sizing of each environment."""

from __future__ import annotations

from dataclasses import replace

import pytest

import environments
from environments import check_together, production
from environments.base import StateBackendConfig
from marketplace_constructs import ConfigError

ENVS = {env.name: env for env in environments.ALL}


# The reference design's node counts (dev 3-5, staging 6-12, production 12-50) and where this project departs
# from them: the DaemonSets every node runs take 565m, 28 % of a 2-vCPU node (GuardDuty's agent 200m), so dev
# and staging may add a general node (room for the platform's own pods and a fifth service); dev a compute
# node and staging a memory node (discovery runs on compute nodes, Elasticsearch's three nodes on memory
# nodes, one a node); production keeps one on-demand node per zone in each group and grows on a Spot burst,
# 44 at most (the fit check's need with a margin; dr, its standby, inherits it). docs/cost-and-capacity.md.
@pytest.mark.parametrize(
    ("name", "low", "high"), [("dev", 3, 7), ("staging", 6, 14), ("production", 9, 44), ("dr", 9, 44)]
)
def test_node_groups_add_up_to_the_reference_design_or_its_documented_departure(
    name: str, low: int, high: int
) -> None:
    sizes = ENVS[name].node_groups.by_name().values()
    assert (sum(g.min_size for g in sizes), sum(g.max_size for g in sizes)) == (low, high)


def test_highly_available_environments_need_a_nat_gateway_per_zone() -> None:
    with pytest.raises(ConfigError, match=r"VpcProps.nat_strategy must be 'per_az' in tier 'production'"):
        replace(production.CONFIG, network=replace(production.CONFIG.network, nat_strategy="single"))


def test_highly_available_environments_need_shared_locked_state() -> None:
    with pytest.raises(ConfigError, match=r"StateBackendConfig.kind must be 's3' in tier 'production'"):
        replace(production.CONFIG, backend=StateBackendConfig(kind="local"))


def test_environment_tag_must_match_the_name() -> None:
    with pytest.raises(
        ConfigError, match=r"EnvironmentConfig.tags\['Environment'\] must be 'production', got 'prod'"
    ):
        replace(production.CONFIG, tags={**production.CONFIG.tags, "Environment": "prod"})


def test_deploy_role_must_live_in_the_environment_account() -> None:
    with pytest.raises(
        ConfigError, match=r"EnvironmentConfig.deploy_role_arn must be an IAM role ARN in account 333"
    ):
        replace(production.CONFIG, deploy_role_arn="arn:aws:iam::999999999999:role/llm-marketplace-deploy")


def test_s3_state_needs_a_bucket() -> None:
    with pytest.raises(ConfigError, match=r"StateBackendConfig.bucket must be an S3 bucket name, got ''"):
        StateBackendConfig(kind="s3")


def test_environment_names_must_be_unique() -> None:
    with pytest.raises(ConfigError, match=r"environment 'dev': EnvironmentConfig.name is defined twice"):
        check_together(
            (ENVS["dev"], replace(ENVS["dev"], network=replace(ENVS["dev"].network, cidr="10.99.0.0/16")))
        )


def test_unknown_environment_name_is_rejected_when_selecting() -> None:
    allowed = ", ".join(repr(name) for name in environments.NAMES)
    with pytest.raises(ConfigError) as refused:
        environments.select(["nosuchenvironment"])  # longer than any environment's name may be
    assert str(refused.value) == (
        f"environment 'nosuchenvironment' is unknown; allowed environments: {allowed}"
    )
    # dr standing by brings production along: its stacks read production's through cross-stack references
    assert [env.name for env in environments.select(["dr", " staging"])] == ["staging", "production", "dr"]

"""Recovery point and time derived from the configuration: what production's copies give today, that a
missing mechanism or a slow backup fails an objective, and the dr role switch's sizes and selection."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

import environments
from environments.base import EnvironmentConfig, RecoveryObjectives, StandbyConfig
from environments.recovery import STORES, check_objectives, derive, render
from marketplace_constructs import ConfigError

ENVS = {env.name: env for env in environments.ALL}
PRODUCTION, DR = ENVS["production"], ENVS["dr"]
REFERENCE = RecoveryObjectives(rpo_minutes=15, rto_minutes=60)  # the reference design's


def with_dr(**changes: object) -> tuple[EnvironmentConfig, ...]:
    assert DR.standby is not None
    standby = replace(DR.standby, **changes)
    return tuple(replace(DR, standby=standby) if env.name == "dr" else env for env in environments.ALL)


def with_objectives(envs: tuple[EnvironmentConfig, ...]) -> tuple[EnvironmentConfig, ...]:
    return tuple(replace(env, objectives=REFERENCE) if env.name == "production" else env for env in envs)


def test_production_meets_the_reference_objectives_per_store() -> None:
    assert PRODUCTION.objectives == REFERENCE
    report = derive(PRODUCTION, environments.ALL)
    assert report.rpo("PostgreSQL") == report.rpo("Redis") == report.rpo("Kafka") == 5  # dr's lag alarms
    assert report.rpo("Backups bucket") == 15  # S3 Replication Time Control into dr
    assert report.rpo("Container images") == 30  # ECR replication: an artifact, not held to the RPO
    assert report.rto_minutes <= REFERENCE.rto_minutes
    check_objectives(environments.ALL)


def test_without_its_standby_production_misses_the_objective_on_the_hourly_copy() -> None:
    without_dr = tuple(env for env in environments.ALL if env.name != "dr")
    with pytest.raises(
        ConfigError,
        match=r"'production': production: BackupConfig.frequency_minutes gives PostgreSQL a recovery point",
    ):
        check_objectives(without_dr)


def test_removing_every_cross_region_mechanism_names_the_store_without_a_copy() -> None:
    bare = tuple(
        replace(env, backup=replace(env.backup, copy_region=None)) if env.name == "production" else env
        for env in environments.ALL
        if env.name != "dr"
    )
    with pytest.raises(ConfigError, match=r"'production': PostgreSQL has no cross-region copy"):
        check_objectives(with_objectives(bare))


def test_after_a_failover_nothing_replicates_and_the_objectives_wait_for_the_failback() -> None:
    report = derive(PRODUCTION, with_dr(role="active"))
    assert report.rpo("Redis") is None and report.rpo("Backups bucket") is None
    check_objectives(with_dr(role="active"))  # flipping the role must not stop synthesis


def test_standby_runs_a_pilot_light_and_active_runs_production_sizes() -> None:
    assert DR.standing_by
    floor, own = DR.running_node_groups.by_name(), PRODUCTION.node_groups.by_name()
    for name, group in floor.items():
        assert group.min_size <= own[name].min_size and group.max_size == own[name].max_size, name
    assert sum(g.min_size for g in floor.values()) < sum(g.min_size for g in own.values())
    assert floor["compute-burst"].min_size == 0  # no burst node while standing by
    assert DR.service_sizes("consumption", 10, 200) == (1, 200)
    active = with_dr(role="active")[-1]
    assert not active.standing_by
    assert active.running_node_groups == PRODUCTION.node_groups
    assert active.service_sizes("consumption", 10, 200) == (10, 200)


def test_only_a_standby_standing_by_brings_its_primary_into_a_selection() -> None:
    assert [env.name for env in environments.select(["dr"])] == ["production", "dr"]
    assert [env.name for env in environments.select(["staging"])] == ["staging"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"role": "passive"}, r"StandbyConfig.role must be one of 'standby', 'active', got 'passive'"),
        ({"max_lag_minutes": 30}, r"StandbyConfig.max_lag_minutes must be between 1 and 15 minutes, got 30"),
        ({"replica_key_alias": ""}, r"StandbyConfig.replica_key_alias must name the KMS key"),
        ({"primary": "Prod"}, r"StandbyConfig.primary must be an environment name"),
    ],
)
def test_standby_settings_are_validated(changes: dict[str, object], message: str) -> None:
    assert DR.standby is not None
    with pytest.raises(ConfigError, match=message):
        replace(DR.standby, **changes)


def test_a_standby_must_stand_by_for_an_environment_in_another_region() -> None:
    network = replace(DR.network, availability_zones=PRODUCTION.network.availability_zones)
    same_region = replace(DR, location=PRODUCTION.location, network=network)
    with pytest.raises(ConfigError, match="is in us-east-1 too; a standby must be in another region"):
        environments.check_together((PRODUCTION, same_region))


def test_report_lists_each_store_and_the_failover_steps() -> None:
    text = render(derive(PRODUCTION, environments.ALL), PRODUCTION)
    assert text.splitlines()[0] == "production (objectives: RPO 15 min, RTO 60 min)"
    for store in STORES:
        assert store in text
    assert "failover steps (RTO 59 min)" in text


def test_standby_config_requires_a_floor() -> None:
    with pytest.raises(ConfigError, match="StandbyConfig needs 'floor'"):
        StandbyConfig(replica_key_alias="dr-replicas")  # type: ignore[call-arg]


def test_the_report_command_prints_json_with_each_stores_recovery_point(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tools.dr_report import main

    standbys = [other.standby.primary for other in environments.ALL if other.standby]
    primary = next(env for env in environments.ALL if env.name in standbys)
    assert main([primary.name, "--format", "json"]) == 0
    (report,) = json.loads(capsys.readouterr().out)
    expected = derive(primary, environments.ALL)
    assert report["env"] == primary.name and report["rto_minutes"] == expected.rto_minutes
    assert report["rpo_minutes"] == {store: expected.rpo(store) for store in report["rpo_minutes"]}
    assert {copy["store"] for copy in report["copies"]} == set(report["rpo_minutes"])
    assert main(["nowhere"]) == 2

"""Guardrails follow the tier an environment declares, never its name; the registries find environments and
services by module and refuse a module that does not fit in one line."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import pytest

import environments
import services
from environments.base import MIN_ZONES, EnvironmentConfig, StateBackendConfig
from marketplace_constructs import ConfigError

PRODUCTION_TIER = next(env for env in environments.ALL if env.tier == "production" and env.standby is None)
STAGING_TIER = next(env for env in environments.ALL if env.tier == "staging")


def renamed(base: EnvironmentConfig, name: str, **changes: object) -> EnvironmentConfig:
    """``base`` under another name (tags follow), with ``changes``."""
    return replace(base, name=name, tags={**base.tags, "Environment": name}, **changes)  # type: ignore[arg-type]


def one_zone(env: EnvironmentConfig) -> dict[str, object]:
    """The changes that leave ``env`` in its region's first zone (brokers divide evenly by one)."""
    return {"network": replace(env.network, availability_zones=env.network.availability_zones[:1])}


def test_a_production_tier_environment_of_any_name_is_refused_one_zone_in_one_line() -> None:
    with pytest.raises(ConfigError) as refused:
        renamed(STAGING_TIER, "qa", tier="production", service_replicas={}, **one_zone(STAGING_TIER))
    message = str(refused.value)
    assert message.startswith(
        "VpcProps.availability_zones must list at least 3 zones in tier 'production' (high availability), "
        "got 1"
    )
    assert "\n" not in message


def test_a_sandbox_tier_environment_may_use_one_zone() -> None:
    qa = renamed(STAGING_TIER, "qa", tier="sandbox", **one_zone(STAGING_TIER))
    assert len(qa.network.availability_zones) == 1


def in_zones(count: int) -> dict[str, object]:
    """The production-tier environment's first ``count`` zones, with six brokers (a multiple of 1-3)."""
    zones = PRODUCTION_TIER.network.availability_zones[:count]
    assert len(zones) == count, "the production-tier environment gives the zones this test takes from"
    return {
        "network": replace(PRODUCTION_TIER.network, availability_zones=zones),
        "kafka": replace(PRODUCTION_TIER.kafka, broker_count=6),
    }


@pytest.mark.parametrize(("tier", "fewest"), MIN_ZONES.items())
def test_each_tier_has_its_fewest_zones(tier: str, fewest: int) -> None:
    if fewest > 1:
        with pytest.raises(ConfigError, match=rf"at least {fewest} zones in tier '{tier}'"):
            renamed(PRODUCTION_TIER, "qa", tier=tier, **in_zones(fewest - 1))
    assert renamed(PRODUCTION_TIER, "qa", tier=tier, **in_zones(fewest)).tier == tier


GUARDRAILS = {
    "local state": ({"backend": StateBackendConfig(kind="local")}, "StateBackendConfig.kind must be 's3'"),
    "single-zone database": (
        {"database": replace(PRODUCTION_TIER.database, multi_az=False)}, "PostgresProps.multi_az must be True"
    ),
    "single replicas": (
        {"monitoring": replace(PRODUCTION_TIER.monitoring, allow_single_replicas=True)},
        "MonitoringProps.allow_single_replicas must be False",
    ),
    "no deletion protection": (
        {"deletion_protection": False}, "EnvironmentConfig.deletion_protection must be True"
    ),
    "smaller services": (
        {"service_replicas": {services.SPECS[0].name: (1, 2)}},
        "EnvironmentConfig.service_replicas must be empty",
    ),
}  # fmt: skip


@pytest.mark.parametrize(("changes", "message"), GUARDRAILS.values(), ids=GUARDRAILS.keys())
def test_a_production_tier_qa_gets_productions_refusals_and_a_sandbox_none(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=rf"^{message}.* in tier 'production'"):
        renamed(PRODUCTION_TIER, "qa", **changes)
    assert renamed(PRODUCTION_TIER, "qa", tier="sandbox", **changes).name == "qa"


@pytest.mark.parametrize("name", ["QA", "q", "qa-east", "1qa", "thirteenchars"])
def test_an_environment_name_outside_the_pattern_is_refused(name: str) -> None:
    with pytest.raises(
        ConfigError, match=r"^EnvironmentConfig.name must be 2-12 lower-case letters and digits"
    ):
        renamed(PRODUCTION_TIER, name)


def test_an_unknown_tier_is_refused() -> None:
    with pytest.raises(
        ConfigError, match=r"^EnvironmentConfig.tier must be one of 'production', 'staging', "
    ):
        replace(PRODUCTION_TIER, tier="prod")  # type: ignore[arg-type]


def test_deploy_order_puts_sandboxes_first_and_standbys_after_their_primaries() -> None:
    ranks = {"sandbox": 0, "staging": 1, "production": 2}
    order = [(env.standby is not None, ranks[env.tier]) for env in environments.ALL]
    assert order == sorted(order)
    for env in environments.ALL:
        if env.standby:
            assert environments.NAMES.index(env.standby.primary) < environments.NAMES.index(env.name)


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty package ``registry_probe`` importable for this test only."""
    folder = tmp_path / "registry_probe"
    folder.mkdir()
    (folder / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield folder
    for name in [name for name in sys.modules if name.startswith("registry_probe")]:
        del sys.modules[name]


def test_an_environment_module_must_be_named_as_its_environment(package: Path) -> None:
    first = environments.NAMES[0]
    (package / "qa.py").write_text(f"from environments.{first} import CONFIG\n")
    with pytest.raises(
        ConfigError, match=rf"^registry_probe/qa.py: CONFIG.name must be 'qa' .*got '{first}'$"
    ):
        environments.discover("registry_probe")


def test_a_module_without_config_is_refused_unless_it_is_a_listed_helper(package: Path) -> None:
    (package / "helpers.py").write_text("Config = None  # misspelt\n")
    with pytest.raises(
        ConfigError, match=r"^registry_probe/helpers.py: must define CONFIG, an EnvironmentConfig"
    ):
        environments.discover("registry_probe")
    assert environments.discover("registry_probe", helpers=("helpers",)) == ()


def test_each_environment_of_an_account_needs_its_own_ci_roles() -> None:
    owner = PRODUCTION_TIER
    tenant = renamed(
        owner, "qa", network=replace(owner.network, cidr="10.99.0.0/16"), owns_account=False,
        autoscaling_service_linked_role="existing",
    )  # fmt: skip
    with pytest.raises(
        ConfigError,
        match=rf"^environment 'qa': EnvironmentConfig.deploy_role_arn .* is environment '{owner.name}''s too",
    ):
        environments.check_together((owner, tenant))


def test_an_account_owner_needs_s3_state() -> None:
    sandbox = next(env for env in environments.ALL if env.tier == "sandbox")
    local = replace(sandbox, backend=StateBackendConfig(kind="local"))
    with pytest.raises(
        ConfigError, match=r"EnvironmentConfig.owns_account needs StateBackendConfig.kind 's3'"
    ):
        environments.check_together((local,))


def test_a_service_module_needs_a_spec_named_as_it_and_an_image_source(package: Path) -> None:
    spec = services.SPECS[0]
    module = spec.name.replace("-", "_")
    (package / f"{module}.py").write_text(
        "from dataclasses import replace\nimport services\n"
        "SPEC = replace(services.SPECS[0], image_source=None)\n"
    )
    with pytest.raises(ConfigError, match=rf"^registry_probe/{module}.py: SPEC.image_source must name"):
        services.discover("registry_probe")
    (package / f"{module}.py").unlink()
    (package / "notes.py").write_text("TEXT = ''\n")
    with pytest.raises(ConfigError, match=r"^registry_probe/notes.py: must define SPEC, a MicroserviceProps"):
        services.discover("registry_probe")


def test_a_syntax_error_in_a_registry_module_is_one_line_naming_file_and_line(package: Path) -> None:
    (package / "qa.py").write_text("CONFIG = dict(\n    name='qa',\n    name='qa',\n)\n")
    with pytest.raises(ConfigError) as refused:
        environments.discover("registry_probe")
    assert str(refused.value) == "registry_probe/qa.py:3: keyword argument repeated: name (Python syntax)"


def test_an_error_a_registry_module_raises_is_one_line_naming_file_and_line(package: Path) -> None:
    (package / "qa.py").write_text("from dataclasses import replace\n\nCONFIG = replace(BASE, name='qa')\n")
    with pytest.raises(ConfigError) as refused:
        environments.discover("registry_probe")
    assert str(refused.value) == "registry_probe/qa.py:3: NameError: name 'BASE' is not defined"

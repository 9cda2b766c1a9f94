"""The environment registry: every module under ``environments/`` that defines ``CONFIG`` (an
EnvironmentConfig named as the module) is an environment; nothing else lists them. They are checked together
(unique names, non-overlapping VPC ranges for peering, each standby's primary, the recovery objectives against
what the configuration derives) and kept in deploy order: sandboxes, then staging tiers, then production
tiers, each standby after its primary."""

from __future__ import annotations

import importlib
import ipaddress
import pkgutil
from collections.abc import Iterable
from dataclasses import replace

from environments.base import TIERS, EnvironmentConfig, RecoveryRole
from environments.recovery import check_objectives
from marketplace_constructs import ConfigError
from marketplace_constructs.errors import import_configuration


def check_together(envs: Iterable[EnvironmentConfig]) -> tuple[EnvironmentConfig, ...]:
    """Return ``envs`` after checking that names are unique, no two VPC ranges overlap, and one environment
    per account creates the account-wide Auto Scaling service-linked role."""
    checked: list[EnvironmentConfig] = []
    for env in envs:
        network = ipaddress.IPv4Network(env.network.cidr)
        for other in checked:
            if other.name == env.name:
                raise ConfigError(f"environment {env.name!r}: EnvironmentConfig.name is defined twice")
            same_account = other.location.account_id == env.location.account_id
            both_create = (
                other.autoscaling_service_linked_role == env.autoscaling_service_linked_role == "create"
            )
            if same_account and both_create:
                raise ConfigError(
                    f"environment {env.name!r}: EnvironmentConfig.autoscaling_service_linked_role must be "
                    f"'existing': environment {other.name!r} already creates it in account "
                    f"{env.location.account_id} (IAM roles are account-wide)"
                )
            if network.overlaps(ipaddress.IPv4Network(other.network.cidr)):
                raise ConfigError(
                    f"environment {env.name!r}: VpcProps.cidr {env.network.cidr} overlaps environment "
                    f"{other.name!r} ({other.network.cidr}); give each environment its own /16 so they can "
                    "be peered"
                )
        checked.append(env)
    by_name = {env.name: env for env in checked}
    for env in checked:
        if env.standby:
            _check_standby(env, by_name.get(env.standby.primary))
    _check_owners(checked)
    return tuple(checked)


def _check_ci_roles(members: list[EnvironmentConfig]) -> None:
    """The environments of one account need CI roles of their own: each bootstrap stack creates its two."""
    seen: dict[str, str] = {}
    for env in members:
        for field_name in ("deploy_role_arn", "plan_role_arn"):
            arn = getattr(env, field_name)
            if arn in seen:
                raise ConfigError(
                    f"environment {env.name!r}: EnvironmentConfig.{field_name} {arn} is environment "
                    f"{seen[arn]!r}'s too; each environment of an account needs its own CI roles (its "
                    "bootstrap stack creates them)"
                )
            seen[arn] = env.name


def _check_owners(envs: list[EnvironmentConfig]) -> None:
    """Exactly one environment of each account owns its account-wide objects, and it is not a standby."""
    accounts: dict[str, list[EnvironmentConfig]] = {}
    for env in envs:
        accounts.setdefault(env.location.account_id, []).append(env)
    for account, members in accounts.items():
        _check_ci_roles(members)
        owners = [env.name for env in members if env.owns_account]
        where = f"environment {(owners[1:] or [members[-1].name])[0]!r}: EnvironmentConfig.owns_account"
        if len(owners) > 1:
            raise ConfigError(
                f"{where} must be False: environment {owners[0]!r} already owns account {account} (its "
                "GitHub OIDC provider, workload boundary and audit trail)"
            )
        if not owners:
            raise ConfigError(
                f"{where}: no environment of account {account} owns it; set owns_account=True on one of "
                f"{', '.join(env.name for env in members)}"
            )
        owner = next(env for env in members if env.owns_account)
        if owner.backend.kind != "s3":
            raise ConfigError(
                f"environment {owner.name!r}: EnvironmentConfig.owns_account needs StateBackendConfig.kind "
                "'s3': the account's GitHub OIDC provider, workload boundary and trail come with its "
                "bootstrap stack, which only an environment with S3 state has"
            )
        standby = next((env for env in members if env.owns_account and env.standby), None)
        if standby:
            raise ConfigError(
                f"environment {standby.name!r}: EnvironmentConfig.owns_account must be False for a standby, "
                "which uses its primary's account objects"
            )


def _check_standby(env: EnvironmentConfig, primary: EnvironmentConfig | None) -> None:
    """A standby needs its primary defined, in the same account (replication stays in one account) and in
    another region (a regional outage must not take both), and the primary must not be a standby itself."""
    assert env.standby is not None
    where = f"environment {env.name!r}: StandbyConfig.primary"
    if primary is None:
        raise ConfigError(f"{where} names {env.standby.primary!r}, which is not defined")
    if primary.standby is not None:
        raise ConfigError(f"{where} names {primary.name!r}, itself a standby; chains are not supported")
    if primary.location.account_id != env.location.account_id:
        raise ConfigError(
            f"{where} {primary.name!r} is in account {primary.location.account_id}; a standby must be in the "
            f"same account ({env.location.account_id})"
        )
    if primary.location.region == env.location.region:
        raise ConfigError(
            f"{where} {primary.name!r} is in {primary.location.region} too; a standby must be in another "
            "region, so one regional outage cannot take both"
        )
    if primary.database.master_password_source != "write-only":
        raise ConfigError(
            f"environment {primary.name!r}: PostgresProps.master_password_source must be 'write-only' (RDS "
            f"refuses a read replica, {env.name}'s, of an instance whose password RDS manages), got "
            f"{primary.database.master_password_source!r}"
        )
    copy_region = primary.backup.copy_region
    if copy_region is not None and copy_region != env.location.region:
        raise ConfigError(
            f"environment {primary.name!r}: BackupConfig.copy_region must be {env.location.region} (where "
            f"{env.name} keeps the copies vault), got {copy_region}"
        )


# The modules here that are not environments; any other module must define CONFIG, so a misspelt one
# (``Config = ...``) is refused instead of silently leaving an environment out.
HELPERS: tuple[str, ...] = ("base", "capacity", "recovery", "releases", "repository")


def discover(package: str = __name__, helpers: tuple[str, ...] = HELPERS) -> tuple[EnvironmentConfig, ...]:
    """Every environment module's CONFIG in ``package``, in deploy order; a module (not one of ``helpers``)
    without CONFIG, whose CONFIG is not an EnvironmentConfig or is named otherwise than the module raises
    ConfigError."""
    found: list[EnvironmentConfig] = []
    for module_info in pkgutil.iter_modules(importlib.import_module(package).__path__):
        where = f"{package.replace('.', '/')}/{module_info.name}.py"
        config = getattr(import_configuration(f"{package}.{module_info.name}", where), "CONFIG", None)
        if module_info.name in helpers:
            continue
        if config is None:
            raise ConfigError(
                f"{where}: must define CONFIG, an EnvironmentConfig (a module that is not an environment is "
                "listed in environments.HELPERS)"
            )
        if not isinstance(config, EnvironmentConfig):
            raise ConfigError(f"{where}: CONFIG must be an EnvironmentConfig, got {type(config).__name__}")
        if config.name != module_info.name:
            raise ConfigError(
                f"{where}: CONFIG.name must be {module_info.name!r} (the module's name), got {config.name!r}"
            )
        found.append(config)
    return _deploy_order(found)


def _deploy_order(envs: list[EnvironmentConfig]) -> tuple[EnvironmentConfig, ...]:
    """Sandboxes first, then staging and production tiers, by name within a tier; standbys after them all."""
    rank = {tier: -index for index, tier in enumerate(TIERS)}  # TIERS lists production first
    return tuple(sorted(envs, key=lambda env: (env.standby is not None, rank[env.tier], env.name)))


ALL: tuple[EnvironmentConfig, ...] = check_together(discover())
NAMES: tuple[str, ...] = tuple(env.name for env in ALL)
check_objectives(ALL)


def select(names: Iterable[str]) -> tuple[EnvironmentConfig, ...]:
    """The environments named (all when none are), in deploy order; an unknown name raises ConfigError.

    A standby standing by brings its primary along: its stacks read the primary's through cross-stack
    references, which cdktf resolves only between stacks of one app."""
    wanted = {name.strip() for name in names if name.strip()}
    for name in wanted:
        if name not in NAMES:
            allowed = ", ".join(repr(known) for known in NAMES)
            raise ConfigError(f"environment {name!r} is unknown; allowed environments: {allowed}")
    wanted |= {env.standby.primary for env in ALL if env.name in wanted and env.standby and env.standing_by}
    return tuple(env for env in ALL if not wanted or env.name in wanted)


def in_role(env: EnvironmentConfig, role: RecoveryRole) -> tuple[EnvironmentConfig, ...]:
    """What a deploy of standby ``env`` switched to ``role`` synthesizes: the switched environment alone once
    active (a failover deploy reads nothing of its primary), with its primary while standing by."""
    if env.standby is None:
        raise ConfigError(f"environment {env.name!r} has no StandbyConfig, so no role to switch")
    switched = replace(env, standby=replace(env.standby, role=role))
    primaries = tuple(other for other in ALL if other.name == env.standby.primary and role == "standby")
    return (*primaries, switched)

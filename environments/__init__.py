"""The four environments, checked together: unique names and non-overlapping VPC ranges (for peering)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from environments import dev, dr, production, staging
from environments.base import ENVIRONMENT_NAMES, EnvironmentConfig
from marketplace_constructs import ConfigError


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
    return tuple(checked)


ALL: tuple[EnvironmentConfig, ...] = check_together(
    (dev.CONFIG, staging.CONFIG, production.CONFIG, dr.CONFIG)
)


def select(names: Iterable[str]) -> tuple[EnvironmentConfig, ...]:
    """The environments named (all when none are), in deploy order; an unknown name raises ConfigError."""
    wanted = [name.strip() for name in names if name.strip()]
    for name in wanted:
        if name not in ENVIRONMENT_NAMES:
            allowed = ", ".join(repr(known) for known in ENVIRONMENT_NAMES)
            raise ConfigError(f"environment {name!r} is unknown; allowed environments: {allowed}")
    return tuple(env for env in ALL if not wanted or env.name in wanted)

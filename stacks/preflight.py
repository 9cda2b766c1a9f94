"""What stops a synthesis before any construct exists: each environment's release record against the services,
the operators' identity where a service has operator routes, and the node groups' fit at the services'
maxima. Free of cdktf, so ``main.py`` runs it before the jsii runtime loads: a mistake ends the run fast."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from environments.base import EnvironmentConfig, defining
from environments.capacity import check_fit
from environments.releases import RELEASES_DIR, load_releases
from marketplace_constructs import ConfigError
from marketplace_constructs.workload.service_props import MicroserviceProps


def preflight(
    envs: tuple[EnvironmentConfig, ...],
    specs: tuple[MicroserviceProps, ...],
    releases_dir: Path = RELEASES_DIR,
) -> dict[str, Mapping[str, tuple[str, ...]]]:
    """Every check of ``envs`` that needs no construct; each environment's releases by service."""
    releases = {env.name: service_releases(env, specs, releases_dir) for env in envs}
    for env in envs:
        check_operator_access(env, specs)
        check_fit(env, specs)
    return releases


def service_releases(
    env: EnvironmentConfig, specs: tuple[MicroserviceProps, ...], releases_dir: Path = RELEASES_DIR
) -> Mapping[str, tuple[str, ...]]:
    """``env``'s release record, checked against ``specs``, once its per-service sizes name only services."""
    names = [spec.name for spec in specs]
    for service in env.service_replicas:
        if service not in names:
            raise ConfigError(
                f"environment {env.name!r}: EnvironmentConfig.service_replicas names {service!r}, which is "
                f"not a service; services: {', '.join(names)}"
            )
    with defining(env.name):
        return load_releases(
            env.name, env.location.account_id, env.location.region, tuple(names), directory=releases_dir
        )


def check_operator_access(env: EnvironmentConfig, specs: tuple[MicroserviceProps, ...]) -> None:
    """A service with operator routes needs the environment's operators' name and identity provider."""
    exposed = [spec.name for spec in specs if spec.operator_routes]
    if not exposed:
        return
    for field, value in (
        ("EdgeProps.operator_domain", env.edge.operator_domain),
        ("EnvironmentConfig.operators", env.operators),
    ):
        if value is None:
            raise ConfigError(
                f"environment {env.name!r}: {field} must be set: {', '.join(exposed)} has operator routes, "
                "which answer on the operators' name to callers with an operator's token (docs/edge.md, "
                "Operators)"
            )

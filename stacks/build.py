"""Wiring: the stacks of one environment, in deploy order, with cross-stack references between them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cdktf import App, TerraformStack

import environments
from environments.base import EnvironmentConfig
from environments.releases import RELEASES_DIR
from environments.repository import REPOSITORY
from marketplace_constructs import ConfigError
from marketplace_constructs.workload.service_props import MicroserviceProps
from stacks.apps import AppsStack
from stacks.bootstrap import BootstrapStack
from stacks.ci import write_ci_targets
from stacks.foundation import FoundationStack
from stacks.platform import PlatformStack
from stacks.preflight import preflight


@dataclass(frozen=True, slots=True)
class EnvironmentStacks:
    """The stacks of one environment; ``bootstrap`` is None where state is local."""

    bootstrap: BootstrapStack | None
    foundation: FoundationStack
    platform: PlatformStack
    apps: AppsStack

    def all(self) -> tuple[TerraformStack, ...]:
        return tuple(stack for stack in (self.bootstrap, self.foundation, self.platform, self.apps) if stack)


def stack_ids(env: EnvironmentConfig) -> tuple[str, ...]:
    """Every stack id of ``env`` in deploy order (the bootstrap stack only where state lives in S3)."""
    bootstrap = (f"{env.name}-bootstrap",) if env.backend.kind == "s3" else ()
    return (*bootstrap, *env.stack_ids)


def build_app(
    app: App,
    envs: Iterable[EnvironmentConfig],
    specs: tuple[MicroserviceProps, ...],
    releases_dir: Path = RELEASES_DIR,
) -> None:
    """Add the stacks of every environment in ``envs`` to ``app``, after checking every environment's
    service sizes, release record and node-group fit (a mistake anywhere stops the run before any stack is
    built)."""
    envs = tuple(envs)
    releases = preflight(envs, specs, releases_dir)
    built: dict[str, EnvironmentStacks] = {}
    for env in sorted(envs, key=lambda env: env.standby is not None):  # primaries before their standbys
        primary_env = _primary_config(env, envs)
        primary = built[primary_env.name].foundation if primary_env and env.standing_by else None
        standbys = tuple(other for other in envs if other.standby and other.standby.primary == env.name)
        built[env.name] = build_environment(
            app, env, specs, releases[env.name], primary_env=primary_env, primary=primary, standbys=standbys
        )
    # the platform and apps stacks configure the kubernetes and helm providers: they reach the cluster
    write_ci_targets(app, {
        stack.node.id: (name, isinstance(stack, (PlatformStack, AppsStack)))
        for name, stacks in built.items() for stack in stacks.all()
    }, envs)  # fmt: skip


def _primary_config(env: EnvironmentConfig, envs: tuple[EnvironmentConfig, ...]) -> EnvironmentConfig | None:
    """A standby's primary: from ``envs`` (always there while standing by: ``environments.select`` brings it),
    else from every environment (a failed-over standby synthesized alone still answers for its name)."""
    if env.standby is None:
        return None
    for other in (*envs, *environments.ALL):
        if other.name == env.standby.primary:
            found: EnvironmentConfig = other
            return found
    raise ConfigError(
        f"environment {env.name!r}: StandbyConfig.primary {env.standby.primary!r} is not defined"
    )


def build_environment(
    app: App,
    env: EnvironmentConfig,
    specs: tuple[MicroserviceProps, ...],
    releases: Mapping[str, tuple[str, ...]],
    *,
    primary_env: EnvironmentConfig | None = None,
    primary: FoundationStack | None = None,
    standbys: tuple[EnvironmentConfig, ...] = (),
) -> EnvironmentStacks:
    """Create ``<env>-bootstrap`` (S3 state only), ``-foundation``, ``-platform`` and ``-apps``, each service
    running the newest image of its history in ``releases``; a standby standing by reads ``primary``'s
    foundation (cross-stack references), and a primary with a standby gets a failover record."""
    peers = tuple(other for other in environments.ALL if other.location.account_id == env.location.account_id)
    bootstrap = (
        BootstrapStack(
            app, f"{env.name}-bootstrap", env=env, repository=REPOSITORY, peers=peers or (env,),
            reads=(primary_env,) if primary_env and env.standing_by else (),
        )
        if env.backend.kind == "s3"
        else None
    )  # fmt: skip
    foundation_id, platform_id, apps_id = env.stack_ids
    tenants = tuple(peer for peer in peers if peer.name != env.name) if env.owns_account else ()
    foundation = FoundationStack(
        app, foundation_id, env=env, specs=specs, primary_env=primary_env, primary=primary, standbys=standbys,
        tenants=tenants,
    )  # fmt: skip
    if bootstrap:
        foundation.add_dependency(bootstrap)  # the state bucket must exist first; no token links them
    platform = PlatformStack(
        app, platform_id, env=env, inputs=foundation.platform_inputs, services=tuple(s.name for s in specs)
    )
    apps = AppsStack(
        app, apps_id, env=env, cluster=foundation.cluster.ref, endpoints=foundation.data_endpoints,
        edge=foundation.edge, stores=foundation.monitored_stores, specs=specs,
        service_roles=foundation.service_roles,
        images={name: history[-1] for name, history in releases.items()},
        restore_from=foundation.velero_restore_from,
    )  # fmt: skip
    apps.add_dependency(platform)  # CRDs and namespaces come from platform; no token links the two
    return EnvironmentStacks(bootstrap, foundation, platform, apps)

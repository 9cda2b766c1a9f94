"""The service registry: every module under ``services/`` that defines ``SPEC`` (a MicroserviceProps named as
the module) is a service the apps stacks deploy, each in its own meshed namespace under the restricted Pod
Security Standard; nothing else lists them. Checked together on load; this deployment also asks each service
for its ``image_source``, so none is left without the role its image pipeline pushes through."""

from __future__ import annotations

import importlib
import pkgutil

from marketplace_constructs import ConfigError
from marketplace_constructs.errors import import_configuration
from marketplace_constructs.workload.service_props import MicroserviceProps, check_services


def discover(package: str = __name__) -> tuple[MicroserviceProps, ...]:
    """Every service module's SPEC in ``package``, by name; a module whose SPEC is not a MicroserviceProps, is
    named otherwise than the module or has no ``image_source`` raises ConfigError."""
    found: list[MicroserviceProps] = []
    for module_info in pkgutil.iter_modules(importlib.import_module(package).__path__):
        where = f"{package.replace('.', '/')}/{module_info.name}.py"
        spec = getattr(import_configuration(f"{package}.{module_info.name}", where), "SPEC", None)
        if not isinstance(spec, MicroserviceProps):
            raise ConfigError(f"{where}: must define SPEC, a MicroserviceProps (got {type(spec).__name__})")
        if spec.name != module_info.name.replace("_", "-"):
            raise ConfigError(
                f"{where}: SPEC.name must be {module_info.name!r} (the module's name), got {spec.name!r}"
            )
        if spec.image_source is None:
            raise ConfigError(
                f"{where}: SPEC.image_source must name the GitHub repository ('owner/name') whose pipeline "
                f"builds {spec.name}'s images; every service here is pushed by its pipeline"
            )
        found.append(spec)
    return tuple(found)


SPECS: tuple[MicroserviceProps, ...] = discover()
check_services(SPECS)

"""The four marketplace services, one spec each (``SPEC`` in each module), checked together on load; the apps
stacks deploy everything listed in SPECS, each in its own meshed namespace under the restricted Pod Security
Standard."""

from marketplace_constructs.workload.service_props import MicroserviceProps, check_services
from services import admin, consumption, discovery, publishing

SPECS: tuple[MicroserviceProps, ...] = (publishing.SPEC, discovery.SPEC, consumption.SPEC, admin.SPEC)
check_services(SPECS)

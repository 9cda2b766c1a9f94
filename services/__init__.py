"""The four marketplace services, one module each; the apps stacks deploy everything listed in ALL."""

from marketplace_constructs import NamespaceProps
from services import admin, consumption, discovery, publishing

ALL: tuple[NamespaceProps, ...] = (
    publishing.NAMESPACE,
    discovery.NAMESPACE,
    consumption.NAMESPACE,
    admin.NAMESPACE,
)

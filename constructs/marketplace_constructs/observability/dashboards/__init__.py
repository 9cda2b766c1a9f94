"""Grafana dashboards as code: the reference design's six dashboards, the business metrics contract the
services expose, and the catalog of where every queried metric comes from."""

from marketplace_constructs.observability.dashboards._grafana import PROMETHEUS_UID, Dashboard
from marketplace_constructs.observability.dashboards.catalog import CATALOG, Producer
from marketplace_constructs.observability.dashboards.contract import CONTRACT, CONTRACT_LABELS, ContractMetric
from marketplace_constructs.observability.dashboards.infrastructure import (
    KUBE_STATE_METRICS_LABELS_ALLOWLIST,
    KUBE_STATE_METRICS_NODE_LABELS,
)
from marketplace_constructs.observability.dashboards.registry import dashboards

__all__ = [
    "CATALOG",
    "CONTRACT",
    "CONTRACT_LABELS",
    "KUBE_STATE_METRICS_LABELS_ALLOWLIST",
    "KUBE_STATE_METRICS_NODE_LABELS",
    "PROMETHEUS_UID",
    "ContractMetric",
    "Dashboard",
    "Producer",
    "dashboards",
]

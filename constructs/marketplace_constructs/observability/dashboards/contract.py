"""The business metrics contract: what the marketplace services themselves expose for the Business dashboard.

Each service serves these on its Prometheus endpoint, with exactly these names, types and labels. Names follow
Prometheus conventions (``marketplace_`` prefix, the unit in the name, ``_total`` on counters and only there).
Labels are low-cardinality by contract: never a user, account, request or API-key id, never a raw URL path.
The README renders ``CONTRACT`` and ``CONTRACT_LABELS`` as tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final, Literal

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError

# The four services, each in its own namespace named after it (Istio's destination_service_namespace).
SERVICES: Final = ("publishing", "discovery", "consumption", "admin")

# Every label a contract metric may carry, and the values it takes.
CONTRACT_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "service": "The emitting service: " + ", ".join(SERVICES) + ".",
        "route": "The route template as registered in the router (/v1/models/{id}), never the raw path.",
        "plan": "The caller's pricing plan id from the billing catalogue (a handful of values); anonymous "
        "when the call is unauthenticated.",
        "outcome": "success (1xx-3xx), client_error (4xx) or server_error (5xx).",
        "model": "The catalogue id of the model invoked; bounded by the catalogue.",
        "direction": "input (prompt tokens) or output (generated tokens).",
        "visibility": "public (listed for every buyer) or private (visible to its publisher's organisation).",
        "result": "found (at least one model matched) or empty.",
    }
)

# The contract's metric names, for the dashboard queries.
API_REQUESTS: Final = "marketplace_api_requests_total"
INFERENCE_REQUESTS: Final = "marketplace_inference_requests_total"
INFERENCE_DURATION: Final = "marketplace_inference_duration_seconds"
TOKENS_CONSUMED: Final = "marketplace_tokens_consumed_total"
REVENUE: Final = "marketplace_revenue_usd_total"
ACTIVE_SUBSCRIPTIONS: Final = "marketplace_active_subscriptions"
LISTED_MODELS: Final = "marketplace_listed_models"
SEARCH_REQUESTS: Final = "marketplace_search_requests_total"

MetricKind = Literal["counter", "gauge", "histogram"]
_NAME: Final = re.compile(r"marketplace_[a-z][a-z0-9_]*")
# What Prometheus appends to a histogram's name for the series it exposes.
_HISTOGRAM_SERIES: Final = ("_bucket", "_sum", "_count")


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class ContractMetric:
    """One metric of the contract.

    Attributes:
        name: The metric's name, ``marketplace_`` prefixed, counters ending in ``_total``. Required.
        kind: Its Prometheus type: counter, gauge or histogram. Required.
        labels: Its labels, each one of ``CONTRACT_LABELS``. Required.
        unit: What one unit of the value is (requests, tokens, USD, seconds...). Required.
        meaning: What it counts or measures, and when it changes. Required.
        emitted_by: The services that expose it. Required.
    """

    name: str
    kind: MetricKind
    labels: tuple[str, ...]
    unit: str
    meaning: str
    emitted_by: tuple[str, ...]

    def __post_init__(self) -> None:
        name = self.name
        if not _NAME.fullmatch(name):
            raise ConfigError(
                f"ContractMetric.name must be snake_case starting with marketplace_, got {name!r}"
            )
        if (self.kind == "counter") != name.endswith("_total"):
            raise ConfigError(
                f"ContractMetric.name must end in _total if and only if kind is counter, got {name!r} "
                f"({self.kind})"
            )
        unknown = sorted(set(self.labels) - set(CONTRACT_LABELS))
        if unknown:
            raise ConfigError(f"ContractMetric.labels must be in CONTRACT_LABELS, got {unknown} on {name!r}")
        if not self.emitted_by or not set(self.emitted_by) <= set(SERVICES):
            raise ConfigError(
                f"ContractMetric.emitted_by must name some of {SERVICES}, got {self.emitted_by} on {name!r}"
            )

    @property
    def series(self) -> tuple[str, ...]:
        """The series names Prometheus stores for it (a histogram's buckets, sum and count)."""
        if self.kind == "histogram":
            return tuple(self.name + suffix for suffix in _HISTOGRAM_SERIES)
        return (self.name,)


CONTRACT: Final = (
    ContractMetric(
        name=API_REQUESTS,
        kind="counter",
        labels=("service", "route", "plan", "outcome"),
        unit="requests",
        meaning="API calls answered, by route template, caller's plan and outcome.",
        emitted_by=SERVICES,
    ),
    ContractMetric(
        name=INFERENCE_REQUESTS,
        kind="counter",
        labels=("model", "plan", "outcome"),
        unit="requests",
        meaning="Model invocations a buyer made through the marketplace.",
        emitted_by=("consumption",),
    ),
    ContractMetric(
        name=INFERENCE_DURATION,
        kind="histogram",
        labels=("model",),
        unit="seconds",
        meaning="Time from a buyer's inference call to its last byte, as the buyer sees it.",
        emitted_by=("consumption",),
    ),
    ContractMetric(
        name=TOKENS_CONSUMED,
        kind="counter",
        labels=("model", "plan", "direction"),
        unit="tokens",
        meaning="Tokens metered for billing, when the call completes.",
        emitted_by=("consumption",),
    ),
    ContractMetric(
        name=REVENUE,
        kind="counter",
        labels=("model", "plan"),
        unit="USD",
        meaning="Billable amount of metered usage at list price, when the usage is metered.",
        emitted_by=("consumption",),
    ),
    ContractMetric(
        name=ACTIVE_SUBSCRIPTIONS,
        kind="gauge",
        labels=("plan",),
        unit="subscriptions",
        meaning="Paying subscriptions active now (every replica reports the same total; read with max).",
        emitted_by=("admin",),
    ),
    ContractMetric(
        name=LISTED_MODELS,
        kind="gauge",
        labels=("visibility",),
        unit="models",
        meaning="Models listed in the catalogue now (every replica reports the same total; read with max).",
        emitted_by=("publishing",),
    ),
    ContractMetric(
        name=SEARCH_REQUESTS,
        kind="counter",
        labels=("result",),
        unit="searches",
        meaning="Catalogue searches answered, and whether they found a model.",
        emitted_by=("discovery",),
    ),
)

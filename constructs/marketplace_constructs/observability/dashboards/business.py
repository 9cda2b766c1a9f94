"""Business: API usage, model consumption and revenue, from the metrics the services expose under the contract
in ``contract.py`` (and from nothing else, so the dashboard means what the contract says)."""

from __future__ import annotations

from typing import Final

from marketplace_constructs.observability.dashboards._grafana import (
    Dashboard,
    Query,
    Section,
    board,
    stat,
    table,
    timeseries,
    variable,
)
from marketplace_constructs.observability.dashboards.contract import (
    ACTIVE_SUBSCRIPTIONS,
    API_REQUESTS,
    INFERENCE_DURATION,
    INFERENCE_REQUESTS,
    LISTED_MODELS,
    REVENUE,
    SEARCH_REQUESTS,
    TOKENS_CONSUMED,
)

PLANS: Final = 'plan=~"$plan"'
SERVER_ERRORS: Final = 'outcome="server_error"'
TOP: Final = 10


def _rate(metric: str, by: str, *matchers: str) -> str:
    return f"sum by ({by}) (rate({metric}{{{', '.join((PLANS, *matchers))}}}[$__rate_interval]))"


def _over_range(metric: str, by: str) -> str:
    return f"sum by ({by}) (increase({metric}{{{PLANS}}}[$__range]))"


def _api() -> Section:
    return Section(
        "API usage",
        (
            timeseries(
                "API requests per service",
                "reqps",
                Query(_rate(API_REQUESTS, "service"), "{{service}}"),
                width=8,
            ),
            timeseries(
                "API requests per plan", "reqps", Query(_rate(API_REQUESTS, "plan"), "{{plan}}"), width=8
            ),
            timeseries(
                "API server errors",
                "percentunit",
                Query(
                    f"{_rate(API_REQUESTS, 'service', SERVER_ERRORS)} / {_rate(API_REQUESTS, 'service')}",
                    "{{service}}",
                ),
                description="Share of API calls the services answered 5xx, as the services count them.",
                width=8,
            ),
            table(
                "Busiest routes (range)",
                Query(f"topk({TOP}, {_over_range(API_REQUESTS, 'service, route')})"),
                width=24,
            ),
        ),
    )


def _consumption() -> Section:
    duration = (
        f"histogram_quantile(0.95, sum by (le, model) (rate({INFERENCE_DURATION}_bucket[$__rate_interval])))"
    )
    return Section(
        "Model consumption",
        (
            stat(
                "Tokens consumed (range)",
                "short",
                Query(f"sum(increase({TOKENS_CONSUMED}{{{PLANS}}}[$__range]))"),
                width=8,
            ),
            stat(
                "Inference calls (range)",
                "short",
                Query(f"sum(increase({INFERENCE_REQUESTS}{{{PLANS}}}[$__range]))"),
                width=8,
            ),
            stat("Models listed", "short", Query(f"sum(max by (visibility) ({LISTED_MODELS}))"), width=8),
            timeseries(
                f"Inference calls, top {TOP} models",
                "reqps",
                Query(f"topk({TOP}, {_rate(INFERENCE_REQUESTS, 'model')})", "{{model}}"),
            ),
            timeseries(
                "Tokens per second",
                "short",
                Query(_rate(TOKENS_CONSUMED, "direction"), "{{direction}}"),
            ),
            timeseries(
                f"Inference duration p95, top {TOP} slowest models",
                "s",
                Query(f"topk({TOP}, {duration})", "{{model}}"),
                description="As buyers see it, all plans.",
            ),
            timeseries(
                "Searches finding nothing",
                "percentunit",
                Query(
                    f'sum(rate({SEARCH_REQUESTS}{{result="empty"}}[$__rate_interval])) '
                    f"/ sum(rate({SEARCH_REQUESTS}[$__rate_interval]))",
                    "empty results",
                ),
                description="Share of catalogue searches that matched no model: demand the catalogue misses.",
            ),
        ),
    )


def _revenue() -> Section:
    return Section(
        "Revenue",
        (
            stat(
                "Revenue (range)",
                "currencyUSD",
                Query(f"sum(increase({REVENUE}{{{PLANS}}}[$__range]))"),
                width=8,
            ),
            stat(
                "Active subscriptions",
                "short",
                Query(f"max by (plan) ({ACTIVE_SUBSCRIPTIONS}{{{PLANS}}})", "{{plan}}"),
                width=16,
            ),
            timeseries(
                "Revenue per hour, per plan",
                "currencyUSD",
                Query(f"{_rate(REVENUE, 'plan')} * 3600", "{{plan}}"),
            ),
            table(
                f"Top {TOP} models by revenue (range)", Query(f"topk({TOP}, {_over_range(REVENUE, 'model')})")
            ),
        ),
    )


def dashboard() -> Dashboard:
    """The Business dashboard, filtered by the ``plan`` variable where the metric has a plan."""
    return board(
        folder="Business",
        uid="marketplace-business",
        title="Business",
        description="API usage, model consumption and revenue, from the services' business metrics contract.",
        variables=(variable("plan", "Plan", API_REQUESTS, "plan"),),
        sections=(_api(), _consumption(), _revenue()),
    )

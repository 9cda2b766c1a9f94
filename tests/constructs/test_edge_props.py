"""EdgeProps validation: DNS names, the domain inside its zone, TLS 1.3 unless allowed, WAF's own bounds."""

from __future__ import annotations

import pytest

from marketplace_constructs import ConfigError, EdgeProps

ZONE = {"hosted_zone": "example.com", "domain": "api.example.com"}


def test_defaults_are_tls13_only_with_a_rate_limit_and_protection() -> None:
    props = EdgeProps(**ZONE)
    assert props.tls_policy == "ELBSecurityPolicy-TLS13-1-3-2021-06" and not props.allow_tls12
    assert props.waf_rate_limit == 2000 and props.deletion_protection


def test_tls12_policy_needs_the_switch() -> None:
    policy = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    assert EdgeProps(**ZONE, tls_policy=policy, allow_tls12=True).tls_policy == policy
    with pytest.raises(ConfigError, match="unless allow_tls12=True"):
        EdgeProps(**ZONE, tls_policy=policy)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"domain": "API.example.com"}, r"EdgeProps.domain must be a DNS name"),
        ({"hosted_zone": "localhost"}, r"EdgeProps.hosted_zone must be a DNS name"),
        ({"domain": "api.example.org"}, r"EdgeProps.domain must be inside hosted_zone 'example.com'"),
        ({"domain": "apiexample.com"}, r"must be inside hosted_zone 'example.com', got 'apiexample.com'"),
        ({"tls_policy": "ELBSecurityPolicy-2016-08"}, r"EdgeProps.tls_policy must be one of"),
        ({"waf_rate_limit": 9}, r"EdgeProps.waf_rate_limit must be between 10 and 2000000000"),
    ],
)
def test_bad_values_are_one_line_errors(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        EdgeProps(**{**ZONE, **overrides})  # type: ignore[arg-type]

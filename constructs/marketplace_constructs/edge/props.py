"""EdgeProps: the environment's public names, TLS policy and WAF rules (no provider imports)."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final

from marketplace_constructs.aws_models import bounds
from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_one_of, check_pattern, check_range

# Seconds the ALB keeps a deregistered target's open requests before closing them; the gateway pods wait
# longer than this before they stop (mesh/_render.py), so no request in flight is cut.
DEREGISTRATION_DELAY_SECONDS: Final = 30
DNS_NAME: Final = r"(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
TLS13_ONLY: Final = "ELBSecurityPolicy-TLS13-1-3-2021-06"
# ELB's predefined policies that negotiate TLS 1.3; all but the first also accept TLS 1.2 (FS: forward
# secrecy only, Res: restricted ciphers, Ext: extended ciphers).
TLS_POLICIES: Final = (
    TLS13_ONLY,
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext1-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Ext2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",  # hybrid post-quantum key exchange
)


def in_zone(name: str, zone: str) -> bool:
    """True when DNS name ``name`` is ``zone`` or lies below it."""
    return name == zone or name.endswith(f".{zone}")


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class EdgeProps:
    """How the internet reaches the environment.

    Attributes:
        hosted_zone: Public Route 53 zone the project creates for the environment (delegate it from the
            parent domain); the certificate is validated there. A DNS name. Required.
        domain: The environment's public name, inside ``hosted_zone``; the ALB answers for it. Required.
        tls_policy: ALB listener policy, one of TLS_POLICIES. Default: TLS13_ONLY (TLS 1.3 only).
        allow_tls12: Accept a policy that also negotiates TLS 1.2. Risk: older clients, older ciphers.
            Default: False.
        waf_rate_limit: Requests one IP may send per 5 minutes before WAF blocks it, within WAF's own bounds
            (botocore's ``RateLimit``). Default: 2000.
        operator_domain: The operators' name, inside ``hosted_zone`` and other than ``domain``: services with
            ``operator_routes`` (admin) answer there, and only to callers the mesh identifies as operators
            (``EnvironmentConfig.operators``). WAF blocks requests to it that carry no ``Authorization``
            header before they reach the cluster. None: no operator name (a service with operator routes is
            then refused). Default: None.
        operator_cidrs: Where operators connect from (public IPv4 CIDRs, such as the VPN's egress): WAF
            blocks requests to ``operator_domain`` from anywhere else. () = any address (the identity check
            in the mesh still applies). Default: ().
        deletion_protection: The ALB refuses deletion; the zone refuses ``terraform destroy``. Default: True.
    """

    hosted_zone: str
    domain: str
    tls_policy: str = TLS13_ONLY
    allow_tls12: bool = False
    waf_rate_limit: int = 2000
    operator_domain: str | None = None
    operator_cidrs: tuple[str, ...] = ()
    deletion_protection: bool = True

    def __post_init__(self) -> None:
        names = {"hosted_zone": self.hosted_zone, "domain": self.domain}
        if self.operator_domain is not None:
            names["operator_domain"] = self.operator_domain
        for field_name, value in names.items():
            check_pattern(
                "EdgeProps", field_name, value, DNS_NAME, "a DNS name such as 'api.example.com' (lower case)"
            )
            if field_name != "hosted_zone" and not in_zone(value, self.hosted_zone):
                raise ConfigError(
                    f"EdgeProps.{field_name} must be inside hosted_zone {self.hosted_zone!r}, got {value!r}"
                )
        if self.operator_domain == self.domain:
            raise ConfigError(
                f"EdgeProps.operator_domain must differ from domain {self.domain!r}: operators get a name of "
                "their own, so WAF and the mesh can tell their requests apart"
            )
        if self.operator_cidrs and self.operator_domain is None:
            raise ConfigError("EdgeProps.operator_cidrs needs an operator_domain to restrict")
        for cidr in self.operator_cidrs:
            try:
                network = ipaddress.IPv4Network(cidr)
            except ValueError:
                raise ConfigError(
                    f"EdgeProps.operator_cidrs must hold IPv4 CIDRs such as '203.0.113.0/24', got {cidr!r}"
                ) from None
            if network.prefixlen == 0 or not network.is_global:
                raise ConfigError(
                    "EdgeProps.operator_cidrs must hold public addresses narrower than /0 (the ALB sees "
                    f"the client's public address), got {cidr!r}"
                )
        check_one_of("EdgeProps", "tls_policy", self.tls_policy, TLS_POLICIES)
        if self.tls_policy != TLS13_ONLY and not self.allow_tls12:
            raise ConfigError(
                f"EdgeProps.tls_policy must be {TLS13_ONLY!r} (TLS 1.3 only) unless allow_tls12=True, "
                f"got {self.tls_policy!r}"
            )
        low, high = bounds("wafv2", "RateLimit")
        check_range("EdgeProps", "waf_rate_limit", self.waf_rate_limit, low, high, " requests per 5 minutes")

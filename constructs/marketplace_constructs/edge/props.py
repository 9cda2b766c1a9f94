"""EdgeProps: the environment's public name, TLS policy and WAF rate limit (no provider imports)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from marketplace_constructs.aws_models import bounds
from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_one_of, check_pattern, check_range

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
        deletion_protection: The ALB refuses deletion; the zone refuses ``terraform destroy``. Default: True.
    """

    hosted_zone: str
    domain: str
    tls_policy: str = TLS13_ONLY
    allow_tls12: bool = False
    waf_rate_limit: int = 2000
    deletion_protection: bool = True

    def __post_init__(self) -> None:
        for field_name in ("hosted_zone", "domain"):
            check_pattern(
                "EdgeProps", field_name, getattr(self, field_name), DNS_NAME,
                "a DNS name such as 'api.example.com' (lower case)",
            )  # fmt: skip
        if not self.domain.endswith(f".{self.hosted_zone}") and self.domain != self.hosted_zone:
            raise ConfigError(
                f"EdgeProps.domain must be inside hosted_zone {self.hosted_zone!r}, got {self.domain!r}"
            )
        check_one_of("EdgeProps", "tls_policy", self.tls_policy, TLS_POLICIES)
        if self.tls_policy != TLS13_ONLY and not self.allow_tls12:
            raise ConfigError(
                f"EdgeProps.tls_policy must be {TLS13_ONLY!r} (TLS 1.3 only) unless allow_tls12=True, "
                f"got {self.tls_policy!r}"
            )
        low, high = bounds("wafv2", "RateLimit")
        check_range("EdgeProps", "waf_rate_limit", self.waf_rate_limit, low, high, " requests per 5 minutes")

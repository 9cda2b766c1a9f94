"""Carves a /16 into per-zone subnet tiers, so every environment gets the same, predictable layout."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final

DATABASE_SLOT: Final = 4  # first /22 of the database tier inside the fourth /18


@dataclass(frozen=True, slots=True)
class SubnetPlan:
    """CIDRs of each tier, one per zone, in zone order."""

    public: tuple[str, ...]
    private: tuple[str, ...]
    database: tuple[str, ...]


def plan_subnets(vpc_cidr: str, zone_count: int) -> SubnetPlan:
    """Split a /16: a /18 private subnet per zone (16,384 addresses for EKS pods under the VPC CNI), and
    from the fourth /18 a /22 public (slots 0-2) and a /22 database subnet (slots 4-6) per zone. Slots are
    fixed, so adding a zone never moves an existing subnet; the rest stays free for growth."""
    quarters = list(ipaddress.IPv4Network(vpc_cidr).subnets(new_prefix=18))
    small = list(quarters[3].subnets(new_prefix=22))
    return SubnetPlan(
        public=tuple(str(net) for net in small[:zone_count]),
        private=tuple(str(net) for net in quarters[:zone_count]),
        database=tuple(str(net) for net in small[DATABASE_SLOT : DATABASE_SLOT + zone_count]),
    )

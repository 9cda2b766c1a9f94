"""Carves a VPC range (/16 to /20) into per-zone subnet tiers, so every VPC gets the same, predictable layout
at its scale."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final

DATABASE_SLOT: Final = 4  # first slot of the database tier inside the fourth quarter


@dataclass(frozen=True, slots=True)
class SubnetPlan:
    """CIDRs of each tier, one per zone, in zone order."""

    public: tuple[str, ...]
    private: tuple[str, ...]
    database: tuple[str, ...]


def plan_subnets(vpc_cidr: str, zone_count: int) -> SubnetPlan:
    """Split the range in quarters: a quarter private subnet per zone (a /16's /18: 16,384 addresses for EKS
    pods under the VPC CNI), and from the fourth quarter a sixteenth of it public (slots 0-2) and database
    (slots 4-6) per zone (a /16's /22s). Slots are fixed, so adding a zone never moves an existing subnet;
    the rest stays free for growth."""
    network = ipaddress.IPv4Network(vpc_cidr)
    quarters = list(network.subnets(new_prefix=network.prefixlen + 2))
    small = list(quarters[3].subnets(new_prefix=network.prefixlen + 6))
    return SubnetPlan(
        public=tuple(str(net) for net in small[:zone_count]),
        private=tuple(str(net) for net in quarters[:zone_count]),
        database=tuple(str(net) for net in small[DATABASE_SLOT : DATABASE_SLOT + zone_count]),
    )

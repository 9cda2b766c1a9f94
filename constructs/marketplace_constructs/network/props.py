"""VpcProps: the network's address range, zones, NAT strategy, flow logs and endpoints."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, get_args

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_one_of, check_range, parse_private_cidr
from marketplace_constructs.network.subnet_plan import plan_subnets

NatStrategy = Literal["single", "per_az"]
FlowLogTraffic = Literal["REJECT", "ALL"]

# Interface endpoints the workloads and EKS nodes need without going through NAT.
INTERFACE_ENDPOINT_SERVICES: Final = ("ecr.api", "ecr.dkr", "sts", "logs", "secretsmanager", "kms")

# The only values CloudWatch Logs accepts for retention_in_days (0 = never expire is not offered on purpose).
LOG_RETENTION_DAYS: Final = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
)  # fmt: skip

MAX_ZONES: Final = 3  # the layout (see subnet_plan.py) holds three zones
# A /16 gives each zone's pods a /18; a /20, the smallest, a /22 (1,024 addresses per zone).
LARGEST_PREFIX: Final = 16
SMALLEST_PREFIX: Final = 20


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class VpcProps:
    """A VPC with public, private (workload) and database subnets in each zone.

    Attributes:
        cidr: Private (RFC 1918) /16 to /20, e.g. "10.10.0.0/16"; the subnets scale with it (subnet_plan.py).
            Changing it replaces the VPC. Required.
        availability_zones: 1-3 zones of the stack's region. Required.
        nat_strategy: "per_az" (a NAT gateway per zone; zone failures stay contained) or "single" (one shared
            NAT gateway; cheaper, but a zone outage cuts egress for all). Default: "per_az".
        flow_log_retention_days: Flow-log retention, one of CloudWatch's values. Default: 365.
        flow_log_traffic: What the flow log records, to CloudWatch Logs: "REJECT" (the packets security groups
            and network ACLs refused: what the CIS AWS Foundations Benchmark's VPC flow-logging control asks
            for, at a volume that does not grow with traffic) or "ALL" (accepted flows too: forensics, at
            about a record per connection, priced per GB ingested). Default: "REJECT".
        interface_endpoints: Interface endpoints (subset of INTERFACE_ENDPOINT_SERVICES) to create in the
            private subnets. The S3 gateway endpoint is always created. Default: () = none.
    """

    cidr: str
    availability_zones: tuple[str, ...]
    nat_strategy: NatStrategy = "per_az"
    flow_log_retention_days: int = 365
    flow_log_traffic: FlowLogTraffic = "REJECT"
    interface_endpoints: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        parse_private_cidr("VpcProps", "cidr", self.cidr, prefix=LARGEST_PREFIX, smallest=SMALLEST_PREFIX)
        check_range("VpcProps", "availability_zones (count)", len(self.availability_zones), 1, MAX_ZONES)
        check_one_of("VpcProps", "nat_strategy", self.nat_strategy, get_args(NatStrategy))
        check_one_of("VpcProps", "flow_log_retention_days", self.flow_log_retention_days, LOG_RETENTION_DAYS)
        check_one_of("VpcProps", "flow_log_traffic", self.flow_log_traffic, get_args(FlowLogTraffic))
        for service in self.interface_endpoints:
            check_one_of("VpcProps", "interface_endpoints", service, INTERFACE_ENDPOINT_SERVICES)
        if len(set(self.interface_endpoints)) != len(self.interface_endpoints):
            raise ConfigError(
                f"VpcProps.interface_endpoints must not repeat a service, got {self.interface_endpoints!r}"
            )

    @property
    def private_subnet_cidrs(self) -> tuple[str, ...]:
        """The private (workload) subnets' ranges, one per zone in zone order (see subnet_plan.py)."""
        return plan_subnets(self.cidr, len(self.availability_zones)).private

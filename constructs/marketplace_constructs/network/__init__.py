"""The VPC: three subnet tiers per availability zone, NAT, flow logs and private AWS endpoints."""

from marketplace_constructs.network.props import INTERFACE_ENDPOINT_SERVICES, NatStrategy, VpcProps
from marketplace_constructs.network.subnet_plan import SubnetPlan, plan_subnets
from marketplace_constructs.network.vpc import Vpc, VpcRef

__all__ = [
    "INTERFACE_ENDPOINT_SERVICES",
    "NatStrategy",
    "SubnetPlan",
    "Vpc",
    "VpcProps",
    "VpcRef",
    "plan_subnets",
]

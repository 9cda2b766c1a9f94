"""EksClusterProps and NodeGroupProps: control-plane settings and node-group sizing, secure by default."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Final, Literal, get_args

from marketplace_constructs.aws_models import check_instance_type
from marketplace_constructs.checked import checked
from marketplace_constructs.errors import (
    ConfigError,
    check_one_of,
    check_pattern,
    check_range,
    is_known,
    parse_inner_cidr,
)
from marketplace_constructs.network.props import LOG_RETENTION_DAYS

# Kubernetes versions under EKS standard support on 2026-11-26 (1.34 until 2026-12-02, 1.35 until 2027-03-27,
# 1.36 after it). Extended-support versions are left out on purpose: they cost extra per cluster hour.
SUPPORTED_KUBERNETES_VERSIONS: Final = ("1.34", "1.35", "1.36")
CapacityType = Literal["ON_DEMAND", "SPOT"]
# Graviton families carry a "g" right after the generation number: m7g, c6gn, r8g, t4g, x2gd.
_GRAVITON: Final = re.compile(r"[a-z]+\d+g[a-z]*\.")


def is_graviton(instance_type: str) -> bool:
    """True for an arm64 (Graviton) EC2 instance type."""
    return bool(_GRAVITON.match(instance_type))


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class EksClusterProps:
    """Control plane: private endpoint, envelope-encrypted secrets, all five log types.

    Attributes:
        kubernetes_version: One of SUPPORTED_KUBERNETES_VERSIONS. Changing it upgrades the control plane in
            place (one minor at a time). Default: "1.35".
        allow_public_endpoint_cidrs: Also open the API endpoint publicly, to these CIDRs only. Risk: the API
            server becomes reachable from the internet for those ranges. Default: () = private endpoint only.
        log_retention_days: Control-plane log retention, one of CloudWatch's values. Default: 365.
        deletion_protection: Refuse to delete the cluster until this is switched off. Default: True.
        admin_role_arns: Extra IAM roles given cluster-admin through access entries (the CI deploy role needs
            it to install the platform layer). Default: () = only the environment's own admin role.
        admin_view_role_arns: IAM roles given read access to every object, Secrets included
            (``AmazonEKSAdminViewPolicy``): the CI plan role needs it, since the helm provider reads each
            release from its Secret. Default: ().
        admin_requires_mfa: IAM users can assume the environment's admin role only with MFA. Role sessions
            (IAM Identity Center) never carry ``aws:MultiFactorAuthPresent``, so role patterns are trusted
            without it: Identity Center enforces MFA at sign-in. Default: True.
        operator_principals: Who may assume the admin and read-only roles, as ARN patterns inside the account
            (``user/*``, ``role/aws-reserved/sso.amazonaws.com/*``...); IAM policies must allow it too.
            Default: ("user/*",) = IAM users.
        api_access_from_private_subnets: Admit the VPC's private subnets (self-hosted CI runners, a bastion)
            to the private API endpoint on 443. Default: False = only the nodes.
        api_access_cidrs: Further ranges inside the VPC admitted on 443 (a Client VPN endpoint's subnet).
            Default: ().
        api_access_security_group_ids: Security groups admitted on 443 (a runner fleet's group).
            Default: ().
    """

    kubernetes_version: str = "1.35"
    allow_public_endpoint_cidrs: tuple[str, ...] = ()
    log_retention_days: int = 365
    deletion_protection: bool = True
    admin_role_arns: tuple[str, ...] = ()
    admin_view_role_arns: tuple[str, ...] = ()
    admin_requires_mfa: bool = True
    operator_principals: tuple[str, ...] = ("user/*",)
    api_access_from_private_subnets: bool = False
    api_access_cidrs: tuple[str, ...] = ()
    api_access_security_group_ids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kubernetes_version not in SUPPORTED_KUBERNETES_VERSIONS:
            supported = ", ".join(repr(v) for v in SUPPORTED_KUBERNETES_VERSIONS)
            raise ConfigError(
                "EksClusterProps.kubernetes_version must be a version under EKS standard support "
                f"({supported}), got {self.kubernetes_version!r}"
            )
        check_one_of("EksClusterProps", "log_retention_days", self.log_retention_days, LOG_RETENTION_DAYS)
        for cidr in self.allow_public_endpoint_cidrs:
            if not is_known(cidr):
                continue
            try:
                network = ipaddress.ip_network(cidr)
            except ValueError:
                raise ConfigError(
                    "EksClusterProps.allow_public_endpoint_cidrs must hold CIDRs such as '203.0.113.0/24', "
                    f"got {cidr!r}"
                ) from None
            if network.prefixlen == 0:
                raise ConfigError(
                    "EksClusterProps.allow_public_endpoint_cidrs must not open the API to everyone, "
                    f"got {cidr!r}; list your office or VPN ranges"
                )
        if not self.operator_principals:
            raise ConfigError("EksClusterProps.operator_principals must name at least one principal pattern")
        for pattern in self.operator_principals:
            check_pattern(
                "EksClusterProps", "operator_principals", pattern, r"(user|role)/[\w+=,.@/*-]+",
                "ARN patterns like 'user/*' or 'role/aws-reserved/sso.amazonaws.com/*'",
            )  # fmt: skip
        for field_name in ("admin_role_arns", "admin_view_role_arns"):
            for arn in getattr(self, field_name):
                check_pattern(
                    "EksClusterProps",
                    field_name,
                    arn,
                    r"arn:aws:iam::\d{12}:role/[\w+=,.@/-]+",
                    "IAM role ARNs",
                )
        for cidr in self.api_access_cidrs:
            parse_inner_cidr("EksClusterProps", "api_access_cidrs", cidr)
        for group_id in self.api_access_security_group_ids:
            check_pattern(
                "EksClusterProps", "api_access_security_group_ids", group_id, r"sg-[0-9a-f]{8,17}",
                "security group ids like 'sg-0123456789abcdef0'",
            )  # fmt: skip


# A group named "<class>-burst" grows a class beyond its on-demand base, on Spot. It carries the taint
# BURST_TAINT_KEY=<class>:NoSchedule, so only the pods that tolerate it land there: the class's services and
# headroom placeholders (workload.pod_spec, capacity.headroom) and the DaemonSets every node runs (they
# tolerate any NoSchedule taint), never the platform's Deployments; the cluster autoscaler grows it only for
# the pods that tolerate it.
BURST_SUFFIX: Final = "-burst"
BURST_TAINT_KEY: Final = "marketplace.example/burst"


def workload_class(group_name: str) -> str:
    """The ``workload-class`` label a node group serves: its name up to the first dash ("compute-burst"
    serves the compute class)."""
    return group_name.split("-", 1)[0]


def is_burst(group_name: str) -> bool:
    """True for a class's Spot burst group ("<class>-burst")."""
    return group_name.endswith(BURST_SUFFIX)


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class NodeGroupProps:
    """One managed node group: size, instance types of one architecture, capacity type.

    Attributes:
        instance_types: EC2 instance types (checked against botocore's EC2 model), all Graviton when
            ``graviton`` is set, none otherwise.
            Default: ("m7i.large",).
        graviton: arm64 nodes (AL2023 arm64 AMI); else x86_64. Default: False.
        capacity_type: "ON_DEMAND" or "SPOT" (cheaper, can be reclaimed at two minutes' notice; give Spot
            groups several instance types). Default: "ON_DEMAND".
        min_size: Lower autoscaling bound, 0-1000. Default: 2.
        desired_size: Nodes at creation, between min_size and max_size; the cluster autoscaler owns it after.
            Default: 2.
        max_size: Upper autoscaling bound, >= min_size. Default: 6.
        disk_gb: Encrypted gp3 root volume size, 20-1000. Default: 50.
    """

    instance_types: tuple[str, ...] = ("m7i.large",)
    graviton: bool = False
    capacity_type: CapacityType = "ON_DEMAND"
    min_size: int = 2
    desired_size: int = 2
    max_size: int = 6
    disk_gb: int = 50

    def __post_init__(self) -> None:
        if not self.instance_types:
            raise ConfigError("NodeGroupProps.instance_types must name at least one instance type")
        for instance_type in self.instance_types:
            check_instance_type("NodeGroupProps", "instance_types", instance_type)
            if is_graviton(instance_type) != self.graviton:
                wanted = "Graviton (arm64) types such as 'm7g.large'" if self.graviton else "x86_64 types"
                raise ConfigError(
                    f"NodeGroupProps.instance_types must all be {wanted} because graviton={self.graviton}, "
                    f"got {instance_type!r}"
                )
        check_one_of("NodeGroupProps", "capacity_type", self.capacity_type, get_args(CapacityType))
        check_range("NodeGroupProps", "min_size", self.min_size, 0, 1000)
        check_range("NodeGroupProps", "max_size", self.max_size, 1, 1000)
        check_range("NodeGroupProps", "disk_gb", self.disk_gb, 20, 1000, " GB")
        if is_known(self.min_size, self.max_size) and self.max_size < self.min_size:
            raise ConfigError(
                f"NodeGroupProps.max_size ({self.max_size}) must be >= min_size ({self.min_size})"
            )
        if is_known(self.min_size, self.desired_size, self.max_size) and not (
            self.min_size <= self.desired_size <= self.max_size
        ):
            raise ConfigError(
                f"NodeGroupProps.desired_size must be between min_size ({self.min_size}) and max_size "
                f"({self.max_size}), got {self.desired_size}"
            )

    @property
    def ami_type(self) -> str:
        return "AL2023_ARM_64_STANDARD" if self.graviton else "AL2023_x86_64_STANDARD"

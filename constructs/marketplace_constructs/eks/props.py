"""EksClusterProps and NodeGroupProps: control-plane settings and node-group sizing, secure by default."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from marketplace_constructs.errors import ConfigError, check_one_of, check_pattern, check_range, is_known
from marketplace_constructs.network.props import LOG_RETENTION_DAYS


@dataclass(frozen=True, slots=True, kw_only=True)
class EksClusterProps:
    """Control plane: private endpoint, envelope-encrypted secrets, all five log types.

    Attributes:
        kubernetes_version: "1.<minor>". Changing it upgrades the control plane in place. Default: "1.35".
        allow_public_endpoint_cidrs: Also open the API endpoint publicly, to these CIDRs only. Risk: the API
            server becomes reachable from the internet for those ranges. Default: () = private endpoint only.
        log_retention_days: Control-plane log retention, one of CloudWatch's values. Default: 365.
        deletion_protection: Refuse to delete the cluster until this is switched off. Default: True.
        admin_role_arns: IAM roles given cluster-admin through access entries (the deploy role needs it to
            install the platform layer). Default: () = nobody.
    """

    kubernetes_version: str = "1.35"
    allow_public_endpoint_cidrs: tuple[str, ...] = ()
    log_retention_days: int = 365
    deletion_protection: bool = True
    admin_role_arns: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_pattern(
            "EksClusterProps", "kubernetes_version", self.kubernetes_version, r"1\.\d{2}", "like '1.35'"
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
        for arn in self.admin_role_arns:
            check_pattern(
                "EksClusterProps",
                "admin_role_arns",
                arn,
                r"arn:aws:iam::\d{12}:role/[\w+=,.@/-]+",
                "IAM role ARNs",
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class NodeGroupProps:
    """Size and instance types of one managed node group.

    Attributes:
        instance_types: EC2 types of one CPU architecture. Default: ("m7i.large",).
        min_size: Lower autoscaling bound, 0-1000. Default: 2.
        desired_size: Nodes at creation, between min_size and max_size. Default: 2.
        max_size: Upper autoscaling bound, >= min_size. Default: 6.
    """

    instance_types: tuple[str, ...] = ("m7i.large",)
    min_size: int = 2
    desired_size: int = 2
    max_size: int = 6

    def __post_init__(self) -> None:
        if not self.instance_types:
            raise ConfigError("NodeGroupProps.instance_types must name at least one instance type")
        for instance_type in self.instance_types:
            check_pattern(
                "NodeGroupProps",
                "instance_types",
                instance_type,
                r"[a-z0-9-]+\.[a-z0-9]+",
                "like 'm7i.large'",
            )
        check_range("NodeGroupProps", "min_size", self.min_size, 0, 1000)
        check_range("NodeGroupProps", "max_size", self.max_size, 1, 1000)
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

"""Capacity configuration of an environment: placeholder headroom per node group and the provisioning timings
the simulator assumes."""

from __future__ import annotations

from dataclasses import dataclass, field

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import check_range
from marketplace_constructs.workload.service_props import mebibytes, millicores


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class HeadroomProps:
    """Placeholder pods kept on one node group: a negative-priority pause container that any real pod
    preempts at once, so a spike's pods start while the cluster autoscaler adds nodes (the evicted
    placeholders wait for them). Each placeholder holds the room of ``cpu`` and ``memory``: size them like
    the group's largest service pod with its mesh sidecar.

    Attributes:
        pods: Placeholders on the group, 0-500. Default: 0 (none).
        cpu: Each one's CPU request (and limit). Default: "1100m".
        memory: Each one's memory request (and limit). Default: "640Mi".
    """

    pods: int = 0
    cpu: str = "1100m"
    memory: str = "640Mi"

    def __post_init__(self) -> None:
        check_range("HeadroomProps", "pods", self.pods, 0, 500)
        check_range("HeadroomProps", "cpu", millicores(self.cpu), 10, 64_000, "m")
        check_range("HeadroomProps", "memory", mebibytes(self.memory), 16, 262_144, " MiB")


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class HeadroomConfig:
    """Headroom per node group (general, compute, memory). Default: none anywhere."""

    general: HeadroomProps = field(default_factory=HeadroomProps)
    compute: HeadroomProps = field(default_factory=HeadroomProps)
    memory: HeadroomProps = field(default_factory=HeadroomProps)


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class CapacityProps:
    """What the capacity simulator assumes about provisioning (seconds), and the headroom to keep.

    Attributes:
        headroom: Placeholder pods per node group. Default: none.
        metrics_delay_seconds: How late the HPA sees a change of load: metrics-server's 15 s resolution
            window and its scrape, 1-300. Default: 30.
        scan_interval_seconds: cluster-autoscaler's --scan-interval, 1-60. Default: 10 (its default).
        launch_seconds: EC2 launch and boot until the kubelet starts, 10-900. Default: 75 (an assumption
            for the EKS AL2023 AMI; measure yours).
        node_ready_seconds: Kubelet registration and the VPC CNI until the node takes pods, 5-600.
            Default: 30 (an assumption).
        image_pull_seconds: Pulling a service image onto a node that lacks it, 1-600. Default: 20.
    """

    headroom: HeadroomConfig = field(default_factory=HeadroomConfig)
    metrics_delay_seconds: int = 30
    scan_interval_seconds: int = 10
    launch_seconds: int = 75
    node_ready_seconds: int = 30
    image_pull_seconds: int = 20

    def __post_init__(self) -> None:
        owner = "CapacityProps"
        check_range(owner, "metrics_delay_seconds", self.metrics_delay_seconds, 1, 300, " s")
        check_range(owner, "scan_interval_seconds", self.scan_interval_seconds, 1, 60, " s")
        check_range(owner, "launch_seconds", self.launch_seconds, 10, 900, " s")
        check_range(owner, "node_ready_seconds", self.node_ready_seconds, 5, 600, " s")
        check_range(owner, "image_pull_seconds", self.image_pull_seconds, 1, 600, " s")

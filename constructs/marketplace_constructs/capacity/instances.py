"""What a node of each instance type offers pods: vCPUs, memory and the pod limit of the VPC CNI, minus what
the EKS-optimized AMI reserves for the kubelet and the container runtime.

Sizes from the EC2 instance type pages (https://aws.amazon.com/ec2/instance-types/); the pod limit is the
VPC CNI's without prefix delegation, ENIs x (IPv4 addresses per ENI - 1) + 2, as amazon-vpc-cni-k8s's
``eni-max-pods.txt`` lists it. Reservations follow the EKS AMI's formula (awslabs/amazon-eks-ami, nodeadm):
kube-reserved CPU 6 % of the first core, 1 % of the second, 0.5 % of the third and fourth, 0.25 % of the
rest; kube-reserved memory 255 MiB + 11 MiB per pod the node may run; eviction at 100 MiB available.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from marketplace_constructs.errors import ConfigError

EVICTION_MIB: Final = 100


@dataclass(frozen=True, slots=True)
class InstanceShape:
    vcpus: int
    memory_mib: int
    max_pods: int


INSTANCE_SHAPES: Final = {
    "m7i.large": InstanceShape(2, 8192, 29),
    "m7i.xlarge": InstanceShape(4, 16384, 58),
    "m7i.2xlarge": InstanceShape(8, 32768, 58),
    "c7i.large": InstanceShape(2, 4096, 29),
    "c7i.xlarge": InstanceShape(4, 8192, 58),
    "c7i.2xlarge": InstanceShape(8, 16384, 58),
    "c7i.4xlarge": InstanceShape(16, 32768, 234),
    "c6i.large": InstanceShape(2, 4096, 29),
    "c6i.xlarge": InstanceShape(4, 8192, 58),
    "r7i.large": InstanceShape(2, 16384, 29),
    "r7i.xlarge": InstanceShape(4, 32768, 58),
    "r7i.2xlarge": InstanceShape(8, 65536, 58),
    # Graviton (arm64): the same vCPUs, memory and network interfaces as the Intel size they mirror.
    "m7g.large": InstanceShape(2, 8192, 29),
    "m7g.xlarge": InstanceShape(4, 16384, 58),
    "m7g.2xlarge": InstanceShape(8, 32768, 58),
    "c7g.large": InstanceShape(2, 4096, 29),
    "c7g.xlarge": InstanceShape(4, 8192, 58),
    "c7g.2xlarge": InstanceShape(8, 16384, 58),
    "c7g.4xlarge": InstanceShape(16, 32768, 234),
    "c6g.4xlarge": InstanceShape(16, 32768, 234),
    "m7g.4xlarge": InstanceShape(16, 65536, 234),
    "r7g.large": InstanceShape(2, 16384, 29),
    "r7g.xlarge": InstanceShape(4, 32768, 58),
    "r7g.2xlarge": InstanceShape(8, 65536, 58),
}


@dataclass(frozen=True, slots=True)
class Allocatable:
    """What pods may request on one node: millicores, MiB and a pod count."""

    cpu_m: int
    memory_mib: int
    pods: int


def kube_reserved_cpu_m(vcpus: int) -> int:
    """The AMI's kube-reserved CPU in millicores (see the module docstring)."""
    shares = [60, 10, 5, 5] + [2.5] * max(vcpus - 4, 0)
    return round(sum(shares[:vcpus]))


def allocatable(instance_type: str) -> Allocatable:
    """The node's allocatable resources; an unknown type is a one-line error naming the known ones."""
    shape = INSTANCE_SHAPES.get(instance_type)
    if shape is None:
        raise ConfigError(
            f"no capacity figures for instance type {instance_type!r}; known: "
            f"{', '.join(sorted(INSTANCE_SHAPES))} (add it to marketplace_constructs/capacity/instances.py)"
        )
    memory = shape.memory_mib - (255 + 11 * shape.max_pods) - EVICTION_MIB
    return Allocatable(shape.vcpus * 1000 - kube_reserved_cpu_m(shape.vcpus), memory, shape.max_pods)

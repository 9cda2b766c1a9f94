"""The EKS control plane and the sizing types of its node groups."""

from marketplace_constructs.eks.cluster import ClusterRef, EksCluster
from marketplace_constructs.eks.props import EksClusterProps, NodeGroupProps

__all__ = ["ClusterRef", "EksCluster", "EksClusterProps", "NodeGroupProps"]

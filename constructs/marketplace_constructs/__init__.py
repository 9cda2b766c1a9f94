"""Reusable cdktf constructs for the LLM marketplace infrastructure (public API re-exports only)."""

from marketplace_constructs.aws import AwsLocation
from marketplace_constructs.eks import ClusterRef, EksCluster, EksClusterProps, NodeGroupProps
from marketplace_constructs.errors import ConfigError
from marketplace_constructs.naming import resource_name
from marketplace_constructs.network import NatStrategy, Vpc, VpcProps, VpcRef
from marketplace_constructs.security import KmsKey, KmsKeyProps, KmsKeyRef
from marketplace_constructs.storage import SecureBucket, SecureBucketProps, SecureBucketRef
from marketplace_constructs.workload import Namespace, NamespaceProps

__all__ = [
    "AwsLocation",
    "ClusterRef",
    "ConfigError",
    "EksCluster",
    "EksClusterProps",
    "KmsKey",
    "KmsKeyProps",
    "KmsKeyRef",
    "Namespace",
    "NamespaceProps",
    "NatStrategy",
    "NodeGroupProps",
    "SecureBucket",
    "SecureBucketProps",
    "SecureBucketRef",
    "Vpc",
    "VpcProps",
    "VpcRef",
    "resource_name",
]

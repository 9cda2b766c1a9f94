"""Reusable cdktf constructs for the LLM marketplace infrastructure: the public API, re-exported.

Names resolve on first use (PEP 562), so importing a props type to validate configuration does not load the
provider bindings; ``from marketplace_constructs import Vpc`` works as usual.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from marketplace_constructs.aws import AwsLocation
    from marketplace_constructs.eks.cluster import ClusterRef, EksCluster
    from marketplace_constructs.eks.props import EksClusterProps, NodeGroupProps
    from marketplace_constructs.errors import ConfigError
    from marketplace_constructs.naming import resource_name
    from marketplace_constructs.network.props import NatStrategy, VpcProps
    from marketplace_constructs.network.vpc import Vpc, VpcRef
    from marketplace_constructs.security.kms_key import KmsKey, KmsKeyProps, KmsKeyRef
    from marketplace_constructs.storage.secure_bucket import SecureBucket, SecureBucketProps, SecureBucketRef
    from marketplace_constructs.workload.namespace import Namespace, NamespaceProps

_HOME: Final = {
    "AwsLocation": "aws",
    "ClusterRef": "eks.cluster",
    "EksCluster": "eks.cluster",
    "EksClusterProps": "eks.props",
    "NodeGroupProps": "eks.props",
    "ConfigError": "errors",
    "resource_name": "naming",
    "NatStrategy": "network.props",
    "VpcProps": "network.props",
    "Vpc": "network.vpc",
    "VpcRef": "network.vpc",
    "KmsKey": "security.kms_key",
    "KmsKeyProps": "security.kms_key",
    "KmsKeyRef": "security.kms_key",
    "SecureBucket": "storage.secure_bucket",
    "SecureBucketProps": "storage.secure_bucket",
    "SecureBucketRef": "storage.secure_bucket",
    "Namespace": "workload.namespace",
    "NamespaceProps": "workload.namespace",
}

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


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # later lookups skip this hook
    return value

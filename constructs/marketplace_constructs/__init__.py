"""Reusable cdktf constructs for the LLM marketplace infrastructure: the public API, re-exported.

Names resolve on first use (PEP 562), so importing a props type to validate configuration does not load the
provider bindings; ``from marketplace_constructs import Vpc`` works as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from marketplace_constructs.lazy import lazy_attributes

if TYPE_CHECKING:
    from marketplace_constructs.aws import AwsLocation, policy_document
    from marketplace_constructs.data.access import DataStorePlacement
    from marketplace_constructs.data.kafka import KafkaCluster
    from marketplace_constructs.data.postgres import PostgresDatabase
    from marketplace_constructs.data.props import KafkaProps, PostgresProps, RedisProps
    from marketplace_constructs.data.redis import RedisCache
    from marketplace_constructs.edge.props import EdgeProps
    from marketplace_constructs.eks.addons import ManagedAddons
    from marketplace_constructs.eks.cluster import ClusterRef, EksCluster
    from marketplace_constructs.eks.irsa import ServiceAccountRole
    from marketplace_constructs.eks.nodes import NodeGroups
    from marketplace_constructs.eks.props import EksClusterProps, NodeGroupProps
    from marketplace_constructs.errors import ConfigError
    from marketplace_constructs.helm import HelmChart, helm_release
    from marketplace_constructs.mesh.istio import IstioCharts, IstioMesh, MeshNamespaces
    from marketplace_constructs.mesh.props import MeshProps
    from marketplace_constructs.naming import resource_name
    from marketplace_constructs.network.props import NatStrategy, VpcProps
    from marketplace_constructs.network.vpc import Vpc, VpcRef
    from marketplace_constructs.observability.logs_props import LogsProps
    from marketplace_constructs.observability.props import MonitoringProps
    from marketplace_constructs.observability.thresholds import AlertThresholds, ServiceObjective
    from marketplace_constructs.observability.tracing_props import TracingProps
    from marketplace_constructs.protection import prevent_destroy
    from marketplace_constructs.registry.props import RegistryProps
    from marketplace_constructs.registry.repository import ContainerRepository
    from marketplace_constructs.security.app_secret import AppSecret
    from marketplace_constructs.security.kms_key import KmsKey, KmsKeyProps, KmsKeyRef
    from marketplace_constructs.storage.props import SecureBucketProps
    from marketplace_constructs.storage.secure_bucket import SecureBucket, SecureBucketRef
    from marketplace_constructs.workload.namespace import Namespace
    from marketplace_constructs.workload.props import NamespaceProps

_HOME: Final = {
    "AwsLocation": "aws",
    "policy_document": "aws",
    "ManagedAddons": "eks.addons",
    "ServiceAccountRole": "eks.irsa",
    "NodeGroups": "eks.nodes",
    "AppSecret": "security.app_secret",
    "DataStorePlacement": "data.access",
    "ContainerRepository": "registry.repository",
    "RegistryProps": "registry.props",
    "KafkaCluster": "data.kafka",
    "KafkaProps": "data.props",
    "PostgresDatabase": "data.postgres",
    "PostgresProps": "data.props",
    "RedisCache": "data.redis",
    "RedisProps": "data.props",
    "prevent_destroy": "protection",
    "ClusterRef": "eks.cluster",
    "EksCluster": "eks.cluster",
    "EksClusterProps": "eks.props",
    "NodeGroupProps": "eks.props",
    "ConfigError": "errors",
    "EdgeProps": "edge.props",
    "HelmChart": "helm",
    "helm_release": "helm",
    "IstioCharts": "mesh.istio",
    "IstioMesh": "mesh.istio",
    "MeshNamespaces": "mesh.istio",
    "MeshProps": "mesh.props",
    "LogsProps": "observability.logs_props",
    "MonitoringProps": "observability.props",
    "AlertThresholds": "observability.thresholds",
    "ServiceObjective": "observability.thresholds",
    "TracingProps": "observability.tracing_props",
    "resource_name": "naming",
    "NatStrategy": "network.props",
    "VpcProps": "network.props",
    "Vpc": "network.vpc",
    "VpcRef": "network.vpc",
    "KmsKey": "security.kms_key",
    "KmsKeyProps": "security.kms_key",
    "KmsKeyRef": "security.kms_key",
    "SecureBucket": "storage.secure_bucket",
    "SecureBucketProps": "storage.props",
    "SecureBucketRef": "storage.secure_bucket",
    "Namespace": "workload.namespace",
    "NamespaceProps": "workload.props",
}

__all__ = [
    "AlertThresholds",
    "AppSecret",
    "AwsLocation",
    "ClusterRef",
    "ConfigError",
    "ContainerRepository",
    "DataStorePlacement",
    "EdgeProps",
    "EksCluster",
    "EksClusterProps",
    "HelmChart",
    "IstioCharts",
    "IstioMesh",
    "KafkaCluster",
    "KafkaProps",
    "KmsKey",
    "KmsKeyProps",
    "KmsKeyRef",
    "LogsProps",
    "ManagedAddons",
    "MeshNamespaces",
    "MeshProps",
    "MonitoringProps",
    "Namespace",
    "NamespaceProps",
    "NatStrategy",
    "NodeGroupProps",
    "NodeGroups",
    "PostgresDatabase",
    "PostgresProps",
    "RedisCache",
    "RedisProps",
    "RegistryProps",
    "SecureBucket",
    "SecureBucketProps",
    "SecureBucketRef",
    "ServiceAccountRole",
    "ServiceObjective",
    "TracingProps",
    "Vpc",
    "VpcProps",
    "VpcRef",
    "helm_release",
    "policy_document",
    "prevent_destroy",
    "resource_name",
]


__getattr__ = lazy_attributes(__name__, _HOME, globals())

"""Reusable cdktf constructs for the LLM marketplace infrastructure: the public API, re-exported.

Names resolve on first use (PEP 562), so importing a props type to validate configuration does not load the
provider bindings; ``from marketplace_constructs import Vpc`` works as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from marketplace_constructs.lazy import lazy_attributes

if TYPE_CHECKING:
    from marketplace_constructs.addons.cert_manager import CertManager, PrivateCertificateAuthority
    from marketplace_constructs.addons.external_secrets import ExternalSecrets, SecretsManagerStore
    from marketplace_constructs.aws import AwsLocation, policy_document
    from marketplace_constructs.backup.props import BackupLocation, VeleroProps
    from marketplace_constructs.backup.role import VeleroRole
    from marketplace_constructs.capacity.headroom import Headroom
    from marketplace_constructs.capacity.props import CapacityProps, HeadroomConfig, HeadroomProps
    from marketplace_constructs.data.access import DataStorePlacement, DataStoreSecurityGroup
    from marketplace_constructs.data.kafka import KafkaCluster
    from marketplace_constructs.data.kafka_replicator import KafkaReplicator
    from marketplace_constructs.data.postgres import AutomatedBackupsReplication, PostgresDatabase
    from marketplace_constructs.data.props import KafkaProps, KafkaReplicatorProps, PostgresProps, RedisProps
    from marketplace_constructs.data.redis import RedisCache, RedisGlobalDatastore
    from marketplace_constructs.delivery.loadtester import LoadTester
    from marketplace_constructs.delivery.loadtester_access import LoadTesterAccess
    from marketplace_constructs.delivery.releases import ProgressiveDelivery, ServiceReleases
    from marketplace_constructs.edge.dns_protection import DnsProtection
    from marketplace_constructs.edge.edge import EdgeRef, FailoverTarget, InternetEdge
    from marketplace_constructs.edge.props import EdgeProps
    from marketplace_constructs.edge.waf import WebFirewall
    from marketplace_constructs.eks.addons import ManagedAddons
    from marketplace_constructs.eks.cluster import ClusterRef, EksCluster
    from marketplace_constructs.eks.irsa import ServiceAccountRole
    from marketplace_constructs.eks.nodes import NodeGroups
    from marketplace_constructs.eks.props import EksClusterProps, NodeGroupProps
    from marketplace_constructs.errors import ConfigError
    from marketplace_constructs.helm import HelmChart, helm_release
    from marketplace_constructs.mesh.identity import OperatorIdentityProps
    from marketplace_constructs.mesh.ingress import IngressBinding
    from marketplace_constructs.mesh.istio import IstioCharts, IstioMesh, MeshNamespaces
    from marketplace_constructs.mesh.policies import DataEndpoints, MeshPolicies
    from marketplace_constructs.mesh.props import MeshProps
    from marketplace_constructs.naming import resource_name
    from marketplace_constructs.network.props import NatStrategy, VpcProps
    from marketplace_constructs.network.vpc import Vpc, VpcRef
    from marketplace_constructs.observability.budget import CostGuard, CostGuardProps, CostGuardRef
    from marketplace_constructs.observability.dashboards._grafana import Dashboard
    from marketplace_constructs.observability.exporters import DataStoreExporters, MonitoredStores
    from marketplace_constructs.observability.grafana import Grafana, GrafanaSources
    from marketplace_constructs.observability.log_storage import LogStorage, LogStorageRef
    from marketplace_constructs.observability.logs_props import LogsProps
    from marketplace_constructs.observability.metrics import Monitoring
    from marketplace_constructs.observability.props import MonitoringProps
    from marketplace_constructs.observability.resources import MonitoringResources
    from marketplace_constructs.observability.thresholds import AlertThresholds, ServiceObjective
    from marketplace_constructs.observability.traces import TracingBackend, TracingOperators
    from marketplace_constructs.observability.tracing_props import TracingProps
    from marketplace_constructs.protection import prevent_destroy
    from marketplace_constructs.recovery.backup_plan import (
        BackupPlan,
        BackupPlanRef,
        BackupVault,
        BackupVaultRef,
    )
    from marketplace_constructs.recovery.bucket_replication import (
        BucketReplication,
        BucketReplicationRef,
        ReplicationSource,
    )
    from marketplace_constructs.recovery.props import (
        BackupPlanProps,
        BackupVaultProps,
        BucketReplicationProps,
        RegistryReplicationProps,
        VaultLockProps,
    )
    from marketplace_constructs.recovery.registry_replication import RegistryReplication
    from marketplace_constructs.registry.props import RegistryProps
    from marketplace_constructs.registry.push_role import ImagePushRole
    from marketplace_constructs.registry.repository import ContainerRepository
    from marketplace_constructs.security.app_secret import AppSecret
    from marketplace_constructs.security.audit import (
        AuditTrail,
        AuditTrailProps,
        AuditTrailRef,
        ThreatDetection,
        ThreatDetectionProps,
        ThreatDetectionRef,
    )
    from marketplace_constructs.security.boundary import Protected
    from marketplace_constructs.security.ci_identity import (
        AccountGuard,
        CiIdentity,
        CiIdentityProps,
        CiIdentityRef,
        StateRead,
    )
    from marketplace_constructs.security.kms_key import KmsKey, KmsKeyProps, KmsKeyRef
    from marketplace_constructs.storage.props import SecureBucketProps
    from marketplace_constructs.storage.secure_bucket import SecureBucket, SecureBucketRef
    from marketplace_constructs.workload.microservice import Microservice
    from marketplace_constructs.workload.namespace import Namespace
    from marketplace_constructs.workload.network_policies import ServiceNetwork, ServiceNetworkPolicies
    from marketplace_constructs.workload.props import NamespaceProps
    from marketplace_constructs.workload.service_props import (
        AutoscalingProps,
        DeliveryProps,
        LatencyObjectives,
        MicroserviceProps,
        ResourceProps,
        ScalingPolicy,
        TrafficPolicyProps,
    )

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
    "AuditTrail": "security.audit",
    "AuditTrailProps": "security.audit",
    "AutomatedBackupsReplication": "data.postgres",
    "AutoscalingProps": "workload.service_props",
    "BackupPlan": "recovery.backup_plan",
    "BackupPlanProps": "recovery.props",
    "BackupVault": "recovery.backup_plan",
    "BackupVaultProps": "recovery.props",
    "BucketReplication": "recovery.bucket_replication",
    "BucketReplicationProps": "recovery.props",
    "CapacityProps": "capacity.props",
    "CertManager": "addons.cert_manager",
    "CostGuard": "observability.budget",
    "CostGuardProps": "observability.budget",
    "CostGuardRef": "observability.budget",
    "CiIdentity": "security.ci_identity",
    "CiIdentityProps": "security.ci_identity",
    "DataStoreExporters": "observability.exporters",
    "DataStoreSecurityGroup": "data.access",
    "DeliveryProps": "workload.service_props",
    "DnsProtection": "edge.dns_protection",
    "ExternalSecrets": "addons.external_secrets",
    "Grafana": "observability.grafana",
    "Headroom": "capacity.headroom",
    "HeadroomProps": "capacity.props",
    "ImagePushRole": "registry.push_role",
    "IngressBinding": "mesh.ingress",
    "InternetEdge": "edge.edge",
    "KafkaReplicator": "data.kafka_replicator",
    "KafkaReplicatorProps": "data.props",
    "LatencyObjectives": "workload.service_props",
    "LoadTester": "delivery.loadtester",
    "LoadTesterAccess": "delivery.loadtester_access",
    "LogStorage": "observability.log_storage",
    "MeshPolicies": "mesh.policies",
    "Microservice": "workload.microservice",
    "MicroserviceProps": "workload.service_props",
    "Monitoring": "observability.metrics",
    "MonitoringResources": "observability.resources",
    "OperatorIdentityProps": "mesh.identity",
    "Protected": "security.boundary",
    "PrivateCertificateAuthority": "addons.cert_manager",
    "ProgressiveDelivery": "delivery.releases",
    "RedisGlobalDatastore": "data.redis",
    "RegistryReplication": "recovery.registry_replication",
    "RegistryReplicationProps": "recovery.props",
    "ResourceProps": "workload.service_props",
    "ScalingPolicy": "workload.service_props",
    "SecretsManagerStore": "addons.external_secrets",
    "ServiceNetworkPolicies": "workload.network_policies",
    "ServiceReleases": "delivery.releases",
    "ThreatDetection": "security.audit",
    "ThreatDetectionProps": "security.audit",
    "TracingBackend": "observability.traces",
    "TracingOperators": "observability.traces",
    "TrafficPolicyProps": "workload.service_props",
    "VaultLockProps": "recovery.props",
    "VeleroProps": "backup.props",
    "VeleroRole": "backup.role",
    "WebFirewall": "edge.waf",
    "AccountGuard": "security.ci_identity",
    "AuditTrailRef": "security.audit",
    "BackupLocation": "backup.props",
    "BackupPlanRef": "recovery.backup_plan",
    "BackupVaultRef": "recovery.backup_plan",
    "BucketReplicationRef": "recovery.bucket_replication",
    "CiIdentityRef": "security.ci_identity",
    "Dashboard": "observability.dashboards._grafana",
    "DataEndpoints": "mesh.policies",
    "EdgeRef": "edge.edge",
    "FailoverTarget": "edge.edge",
    "GrafanaSources": "observability.grafana",
    "HeadroomConfig": "capacity.props",
    "LogStorageRef": "observability.log_storage",
    "MonitoredStores": "observability.exporters",
    "ReplicationSource": "recovery.bucket_replication",
    "ServiceNetwork": "workload.network_policies",
    "StateRead": "security.ci_identity",
    "ThreatDetectionRef": "security.audit",
}

__all__ = [
    "AccountGuard",
    "AlertThresholds",
    "AppSecret",
    "AuditTrail",
    "AuditTrailProps",
    "AuditTrailRef",
    "AutomatedBackupsReplication",
    "AutoscalingProps",
    "AwsLocation",
    "BackupLocation",
    "BackupPlan",
    "BackupPlanProps",
    "BackupPlanRef",
    "BackupVault",
    "BackupVaultProps",
    "BackupVaultRef",
    "BucketReplication",
    "BucketReplicationProps",
    "BucketReplicationRef",
    "CapacityProps",
    "CertManager",
    "CiIdentity",
    "CiIdentityProps",
    "CiIdentityRef",
    "ClusterRef",
    "ConfigError",
    "ContainerRepository",
    "CostGuard",
    "CostGuardProps",
    "CostGuardRef",
    "Dashboard",
    "DataEndpoints",
    "DataStoreExporters",
    "DataStorePlacement",
    "DataStoreSecurityGroup",
    "DeliveryProps",
    "DnsProtection",
    "EdgeProps",
    "EdgeRef",
    "EksCluster",
    "EksClusterProps",
    "ExternalSecrets",
    "FailoverTarget",
    "Grafana",
    "GrafanaSources",
    "Headroom",
    "HeadroomConfig",
    "HeadroomProps",
    "HelmChart",
    "ImagePushRole",
    "IngressBinding",
    "InternetEdge",
    "IstioCharts",
    "IstioMesh",
    "KafkaCluster",
    "KafkaProps",
    "KafkaReplicator",
    "KafkaReplicatorProps",
    "KmsKey",
    "KmsKeyProps",
    "KmsKeyRef",
    "LatencyObjectives",
    "LoadTester",
    "LoadTesterAccess",
    "LogStorage",
    "LogStorageRef",
    "LogsProps",
    "ManagedAddons",
    "MeshNamespaces",
    "MeshPolicies",
    "MeshProps",
    "Microservice",
    "MicroserviceProps",
    "MonitoredStores",
    "Monitoring",
    "MonitoringProps",
    "MonitoringResources",
    "Namespace",
    "NamespaceProps",
    "NatStrategy",
    "NodeGroupProps",
    "NodeGroups",
    "OperatorIdentityProps",
    "PostgresDatabase",
    "PostgresProps",
    "PrivateCertificateAuthority",
    "ProgressiveDelivery",
    "Protected",
    "RedisCache",
    "RedisGlobalDatastore",
    "RedisProps",
    "RegistryProps",
    "RegistryReplication",
    "RegistryReplicationProps",
    "ReplicationSource",
    "ResourceProps",
    "ScalingPolicy",
    "SecretsManagerStore",
    "SecureBucket",
    "SecureBucketProps",
    "SecureBucketRef",
    "ServiceAccountRole",
    "ServiceNetwork",
    "ServiceNetworkPolicies",
    "ServiceObjective",
    "ServiceReleases",
    "StateRead",
    "ThreatDetection",
    "ThreatDetectionProps",
    "ThreatDetectionRef",
    "TracingBackend",
    "TracingOperators",
    "TracingProps",
    "TrafficPolicyProps",
    "VaultLockProps",
    "VeleroProps",
    "VeleroRole",
    "Vpc",
    "VpcProps",
    "VpcRef",
    "WebFirewall",
    "helm_release",
    "policy_document",
    "prevent_destroy",
    "resource_name",
]


__getattr__ = lazy_attributes(__name__, _HOME, globals())

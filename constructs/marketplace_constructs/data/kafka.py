"""KafkaCluster: MSK with TLS everywhere, IAM client auth, safe topic defaults, Prometheus exporters and
storage autoscaling; optionally the source of a cross-region MSK Replicator."""

from __future__ import annotations

from typing import Final

from cdktf import Fn, TerraformLocal
from cdktf_cdktf_provider_aws.appautoscaling_policy import (
    AppautoscalingPolicy,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
    AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification,
)
from cdktf_cdktf_provider_aws.appautoscaling_target import AppautoscalingTarget
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.msk_cluster import (
    MskCluster,
    MskClusterBrokerNodeGroupInfo,
    MskClusterBrokerNodeGroupInfoConnectivityInfo,
    MskClusterBrokerNodeGroupInfoConnectivityInfoVpcConnectivity,
    MskClusterBrokerNodeGroupInfoConnectivityInfoVpcConnectivityClientAuthentication,
    MskClusterBrokerNodeGroupInfoConnectivityInfoVpcConnectivityClientAuthenticationSasl,
    MskClusterBrokerNodeGroupInfoStorageInfo,
    MskClusterBrokerNodeGroupInfoStorageInfoEbsStorageInfo,
    MskClusterClientAuthentication,
    MskClusterClientAuthenticationSasl,
    MskClusterConfigurationInfo,
    MskClusterEncryptionInfo,
    MskClusterEncryptionInfoEncryptionInTransit,
    MskClusterLoggingInfo,
    MskClusterLoggingInfoBrokerLogs,
    MskClusterLoggingInfoBrokerLogsCloudwatchLogs,
    MskClusterOpenMonitoring,
    MskClusterOpenMonitoringPrometheus,
    MskClusterOpenMonitoringPrometheusJmxExporter,
    MskClusterOpenMonitoringPrometheusNodeExporter,
    MskClusterTimeouts,
)
from cdktf_cdktf_provider_aws.msk_cluster_policy import MskClusterPolicy
from cdktf_cdktf_provider_aws.msk_configuration import MskConfiguration
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from marketplace_constructs.aws import policy_document
from marketplace_constructs.data.access import DataStorePlacement, DataStoreSecurityGroup
from marketplace_constructs.data.props import KafkaProps
from marketplace_constructs.errors import ConfigError
from marketplace_constructs.protection import prevent_destroy

PORT: Final = 9098  # SASL/IAM over TLS, inside the VPC
# Open monitoring: every broker's Prometheus JMX exporter and node exporter (plain HTTP, fixed by MSK).
JMX_EXPORTER_PORT: Final = 11001
NODE_EXPORTER_PORT: Final = 11002
CONNECTIVITY_TIMEOUT: Final = "360m"  # a replication source's create and update: see _private_connectivity
SERVER_PROPERTIES: Final = {
    "auto.create.topics.enable": "false",
    "default.replication.factor": "3",
    "min.insync.replicas": "2",
    "unclean.leader.election.enable": "false",
    "num.partitions": "6",
}
# What MSK Replicator's service principal needs on a cross-region source (MSK developer guide, "Prepare the
# source cluster"): set up its managed VPC connection and find the brokers.
REPLICATION_SOURCE_ACTIONS: Final = (
    "kafka:CreateVpcConnection",
    "kafka:GetBootstrapBrokers",
    "kafka:DescribeCluster",
    "kafka:DescribeClusterV2",
)


class KafkaCluster(Construct):
    """Brokers in the placement's subnets (one zone each), open to its client security group on 9098 and on
    the open-monitoring exporters' ports (11001 JMX, 11002 node), which Prometheus in the cluster scrapes.

    ``broker_domain`` is the DNS suffix the brokers share: broker ``n`` answers at ``b-<n>.<broker_domain>``
    (MSK numbers brokers 1..broker_count). The bootstrap string names only three brokers
    (aws/aws-sdk#500), so scrape targets are built from the suffix instead.

    ``replication_source=True`` (default False: nothing below exists) prepares the cluster as the source of an
    MSK Replicator in another region (KafkaReplicator), which MSK requires for cross-region replication:
    multi-VPC private connectivity (PrivateLink) turned on for IAM client authentication, and a cluster
    policy letting the ``kafka.amazonaws.com`` service principal create its VPC connection and read the
    brokers. MSK asks for no source-side security group for cross-region replication, so none is added (the
    cluster's group still admits the workload tier only). Turning it on for an existing cluster is an in-place
    update (UpdateConnectivity), a rolling broker restart that can take 30 minutes or more, during which MSK
    takes no other change to the cluster.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: KafkaProps,
        name: str,
        placement: DataStorePlacement,
        log_key_arn: str,
        replication_source: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        if props.broker_count % len(placement.subnet_ids):
            raise ConfigError(
                f"KafkaProps.broker_count ({props.broker_count}) must be a multiple of the zone count "
                f"({len(placement.subnet_ids)}), so MSK can spread brokers evenly"
            )
        group = DataStoreSecurityGroup(
            self, "security_group", name=name, placement=placement, port=PORT, description="Kafka",
        )  # fmt: skip
        configuration = MskConfiguration(
            self,
            "configuration",
            name=name,
            kafka_versions=[props.kafka_version],
            server_properties="".join(f"{key}={value}\n" for key, value in SERVER_PROPERTIES.items()),
        )
        logs = CloudwatchLogGroup(
            self,
            "broker_logs",
            name=f"/msk/{name}",
            retention_in_days=props.log_retention_days,
            kms_key_id=log_key_arn,
        )
        cluster = MskCluster(
            self,
            "cluster",
            cluster_name=name,
            kafka_version=props.kafka_version,
            number_of_broker_nodes=props.broker_count,
            broker_node_group_info=MskClusterBrokerNodeGroupInfo(
                instance_type=props.broker_instance_type,
                client_subnets=list(placement.subnet_ids),
                security_groups=[group.id],
                storage_info=MskClusterBrokerNodeGroupInfoStorageInfo(
                    ebs_storage_info=MskClusterBrokerNodeGroupInfoStorageInfoEbsStorageInfo(
                        volume_size=props.volume_gb
                    )
                ),
                connectivity_info=_private_connectivity() if replication_source else None,
            ),
            # Turning multi-VPC connectivity on runs inside the create (see _private_connectivity) and, AWS
            # warns, can take hours on a large cluster (cloudformation-coverage-roadmap#1775): a timeout
            # would leave the cluster tainted, so a replication source gets six hours instead of two.
            timeouts=MskClusterTimeouts(create=CONNECTIVITY_TIMEOUT, update=CONNECTIVITY_TIMEOUT)
            if replication_source
            else None,
            encryption_info=MskClusterEncryptionInfo(
                encryption_at_rest_kms_key_arn=placement.key_arn,
                encryption_in_transit=MskClusterEncryptionInfoEncryptionInTransit(
                    client_broker="TLS", in_cluster=True
                ),
            ),
            client_authentication=MskClusterClientAuthentication(
                sasl=MskClusterClientAuthenticationSasl(iam=True), unauthenticated=False
            ),
            configuration_info=MskClusterConfigurationInfo(
                arn=configuration.arn, revision=configuration.latest_revision
            ),
            open_monitoring=MskClusterOpenMonitoring(
                prometheus=MskClusterOpenMonitoringPrometheus(
                    jmx_exporter=MskClusterOpenMonitoringPrometheusJmxExporter(enabled_in_broker=True),
                    node_exporter=MskClusterOpenMonitoringPrometheusNodeExporter(enabled_in_broker=True),
                )
            ),
            logging_info=MskClusterLoggingInfo(
                broker_logs=MskClusterLoggingInfoBrokerLogs(
                    cloudwatch_logs=MskClusterLoggingInfoBrokerLogsCloudwatchLogs(
                        enabled=True, log_group=logs.name
                    )
                )
            ),
            enhanced_monitoring=props.enhanced_monitoring,
        )
        prevent_destroy(cluster, props.deletion_protection)
        if replication_source:
            MskClusterPolicy(
                self,
                "replication_source_policy",
                cluster_arn=cluster.arn,
                policy=policy_document(
                    [
                        {
                            "Sid": "MskReplicatorSource",
                            "Effect": "Allow",
                            "Principal": {"Service": "kafka.amazonaws.com"},
                            "Action": list(REPLICATION_SOURCE_ACTIONS),
                            "Resource": cluster.arn,
                        }
                    ]
                ),
            )
        # Storage autoscaling (below) owns the broker volume size after the first scale-out: a plan would try
        # to shrink it back, which MSK refuses (hashicorp/terraform-provider-aws#20327).
        cluster.add_override(
            "lifecycle.ignore_changes",
            ["broker_node_group_info[0].storage_info[0].ebs_storage_info[0].volume_size"],
        )
        target = AppautoscalingTarget(
            self,
            "storage_scaling_target",
            service_namespace="kafka",
            scalable_dimension="kafka:broker-storage:VolumeSize",
            resource_id=cluster.arn,
            min_capacity=1,
            max_capacity=props.max_volume_gb,
        )
        AppautoscalingPolicy(
            self,
            "storage_scaling",
            name=f"{name}-broker-storage",
            policy_type="TargetTrackingScaling",
            service_namespace=target.service_namespace,
            scalable_dimension=target.scalable_dimension,
            resource_id=target.resource_id,
            target_tracking_scaling_policy_configuration=AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration(
                target_value=60,
                predefined_metric_specification=AppautoscalingPolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecification(
                    predefined_metric_type="KafkaBrokerStorageUtilization"
                ),
                disable_scale_in=True,  # MSK volumes cannot shrink
            ),
        )
        VpcSecurityGroupIngressRule(
            self,
            "monitoring_from_workloads",
            security_group_id=group.id,
            description="Kafka open monitoring: Prometheus in the workload tier",
            ip_protocol="tcp",
            from_port=JMX_EXPORTER_PORT,
            to_port=NODE_EXPORTER_PORT,
            referenced_security_group_id=placement.client_security_group_id,
        )
        self.bootstrap_brokers: str = cluster.bootstrap_brokers_sasl_iam
        self.arn: str = cluster.arn
        self.security_group_id: str = group.id
        # topic/<cluster>/<uuid> and group/<cluster>/<uuid>: the cluster ARN's path re-typed, as locals so
        # policies name them by reference (JSON policy documents cannot hold a quoted expression)
        self.topic_arn_prefix: str = TerraformLocal(
            self, "topic_arn_prefix", Fn.replace(cluster.arn, ":cluster/", ":topic/")
        ).as_string
        self.group_arn_prefix: str = TerraformLocal(
            self, "group_arn_prefix", Fn.replace(cluster.arn, ":cluster/", ":group/")
        ).as_string
        first_broker = Fn.element(Fn.split(",", self.bootstrap_brokers), 0)
        # A local, so other stacks read the result through an output instead of repeating the expression.
        domain = TerraformLocal(
            self, "broker_domain", Fn.replace(first_broker, "/^b-[0-9]+[.]|:[0-9]+$/", "")
        )
        self.broker_domain: str = domain.as_string


def _private_connectivity() -> MskClusterBrokerNodeGroupInfoConnectivityInfo:
    """Multi-VPC private connectivity for SASL/IAM only (the cluster's one client authentication).

    MSK refuses CreateCluster with any ``vpcConnectivity`` authentication enabled ("When creating a
    cluster, all vpcConnectivity auth schemes must be disabled", cloudformation-coverage-roadmap#1775).
    The provider handles it: ``resourceClusterCreate`` (internal/service/kafka/cluster.go) takes
    ``VpcConnectivity`` out of the CreateCluster input, waits for the cluster to be ACTIVE and sends it with
    UpdateConnectivity in the same apply. So the block is declared from the start, with no second apply or
    switch; the block is left out (never written all-false) where unused, since an all-false block makes
    the provider send an UpdateConnectivity MSK refuses as unchanged (terraform-provider-aws#33204).
    """
    return MskClusterBrokerNodeGroupInfoConnectivityInfo(
        vpc_connectivity=MskClusterBrokerNodeGroupInfoConnectivityInfoVpcConnectivity(
            client_authentication=MskClusterBrokerNodeGroupInfoConnectivityInfoVpcConnectivityClientAuthentication(
                sasl=MskClusterBrokerNodeGroupInfoConnectivityInfoVpcConnectivityClientAuthenticationSasl(
                    iam=True
                )
            )
        )
    )

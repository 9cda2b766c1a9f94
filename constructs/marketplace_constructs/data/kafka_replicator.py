"""KafkaReplicator: an MSK Replicator copying the topics, topic settings, ACLs and consumer-group offsets of a
KafkaCluster of another region into this region's KafkaCluster, the disaster-recovery standby."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from cdktf import Fn, TerraformLocal
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.msk_replicator import (
    MskReplicator,
    MskReplicatorKafkaCluster,
    MskReplicatorKafkaClusterAmazonMskCluster,
    MskReplicatorKafkaClusterVpcConfig,
    MskReplicatorReplicationInfoListConsumerGroupReplication,
    MskReplicatorReplicationInfoListStruct,
    MskReplicatorReplicationInfoListTopicReplication,
    MskReplicatorReplicationInfoListTopicReplicationStartingPosition,
    MskReplicatorReplicationInfoListTopicReplicationTopicNameConfiguration,
)
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_egress_rule import VpcSecurityGroupEgressRule
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from marketplace_constructs.aws import AwsLocation, policy_document, service_trust_policy
from marketplace_constructs.data.access import DataStorePlacement
from marketplace_constructs.data.kafka import PORT
from marketplace_constructs.data.props import KafkaReplicatorProps
from marketplace_constructs.errors import ConfigError, check_pattern, is_known
from marketplace_constructs.security.boundary import bounded_role

# Topics the replicator keeps for itself on both clusters: heartbeats, offset syncs, checkpoints (MSK
# developer guide, "Topic replication permissions").
INTERNAL_TOPICS: Final = ("*__amazon_msk_replicator_*", "mskr-offset-syncs.*", "*.checkpoints.internal")
# The replicator's own consumer groups on the target.
INTERNAL_GROUPS: Final = "*__amazon_msk_replicator_*"
# An MSK cluster ARN; its fourth field is the region.
_CLUSTER_ARN: Final = r"arn:aws[a-z-]*:kafka:[a-z]{2}(-[a-z]+)+-\d:\d{12}:cluster/[^/]+/[^/]+"
# CreateReplicator takes 2 or 3 subnets for each cluster.
MIN_SUBNETS: Final = 2
MAX_SUBNETS: Final = 3
# The topic data the replicator reads on the source, and what it does to the copies on the target.
SOURCE_TOPIC_ACTIONS: Final = (
    "kafka-cluster:DescribeTopic",
    "kafka-cluster:DescribeTopicDynamicConfiguration",
    "kafka-cluster:ReadData",
)
TARGET_TOPIC_ACTIONS: Final = (
    "kafka-cluster:CreateTopic",
    "kafka-cluster:DescribeTopic",
    "kafka-cluster:DescribeTopicDynamicConfiguration",
    "kafka-cluster:WriteData",
)
INTERNAL_TOPIC_ACTIONS: Final = (
    "kafka-cluster:AlterTopic",
    "kafka-cluster:AlterTopicDynamicConfiguration",
    "kafka-cluster:CreateTopic",
    "kafka-cluster:DescribeTopic",
    "kafka-cluster:DescribeTopicDynamicConfiguration",
    "kafka-cluster:ReadData",
    "kafka-cluster:WriteData",
)
CLUSTER_ACTIONS: Final = (
    "kafka-cluster:Connect",
    "kafka-cluster:DescribeCluster",
    "kafka-cluster:WriteDataIdempotently",
)


class KafkaReplicator(Construct):
    """MSK Replicator, created in this stack's region (the target's, as MSK requires), copying the topics and
    consumer groups ``props`` selects from ``source_cluster_arn`` (another region) into
    ``target_cluster_arn``.

    Network: for the source, MSK takes subnets of the source cluster's own region and VPC
    (``source_subnet_ids``, 2 or 3, e.g. its database subnets there) and no security group; it reaches the
    brokers over multi-VPC private connectivity, which the source must have turned on for IAM, with a cluster
    policy for the replicator's service principal (``KafkaCluster(replication_source=True)``). For the target,
    the replicator's network interfaces go into ``target_placement``'s subnets (2 or 3) with a security group
    made here that may only open 9098 (IAM over TLS) to ``target_security_group_id``, which gains the matching
    ingress rule.

    Permissions: the service role trusts ``kafka.amazonaws.com`` for this account only and holds IAM access
    control actions (``kafka-cluster:*``) on the two clusters and their topics and groups only: read on the
    source's topics, create and write on the target's, read and write on the replicator's internal topics of
    both, and only what the enabled features need (topic settings, ACLs, offset sync), as the MSK developer
    guide's "Service execution role permissions reference" lists them. IAM matches names with wildcards,
    not the props' regular expressions, so the topic and group grants cover all topics and groups of the two
    clusters. New topics and consumer groups are picked up as they appear.

    Replacing the replicator restarts the copy from the newest offsets: changing the clusters, subnets or
    security groups replaces it.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: KafkaReplicatorProps,
        name: str,
        location: AwsLocation,
        source_cluster_arn: str,
        source_subnet_ids: tuple[str, ...],
        target_cluster_arn: str,
        target_placement: DataStorePlacement,
        target_security_group_id: str,
    ) -> None:
        """``location``: this stack's account and region, the target cluster's. ``name``: replicator, role and
        security group name."""
        super().__init__(scope, construct_id)
        _check_subnets("source_subnet_ids", source_subnet_ids)
        _check_subnets("target_placement.subnet_ids", target_placement.subnet_ids)
        _check_regions(source_cluster_arn, target_cluster_arn, location.region)
        group = SecurityGroup(
            self,
            "security_group",
            name=f"{name}-replicator",
            description="MSK Replicator: to the target Kafka cluster only",
            vpc_id=target_placement.vpc_id,
            tags={"Name": f"{name}-replicator"},
        )
        egress = VpcSecurityGroupEgressRule(
            self,
            "to_target",
            security_group_id=group.id,
            description="MSK Replicator to the target Kafka cluster (SASL/IAM over TLS)",
            ip_protocol="tcp",
            from_port=PORT,
            to_port=PORT,
            referenced_security_group_id=target_security_group_id,
        )
        ingress = VpcSecurityGroupIngressRule(
            self,
            "target_from_replicator",
            security_group_id=target_security_group_id,
            description="Kafka: MSK Replicator copying the source region's cluster",
            ip_protocol="tcp",
            from_port=PORT,
            to_port=PORT,
            referenced_security_group_id=group.id,
        )
        role = bounded_role(
            self,
            "role",
            name=f"{name}-replicator",
            assume_role_policy=service_trust_policy("kafka.amazonaws.com", location.account_id),
        )
        permissions = IamRolePolicy(
            self,
            "role_policy",
            name="replicate",
            role=role.id,
            policy=_replication_policy(
                props,
                source_cluster_arn=source_cluster_arn,
                target_cluster_arn=target_cluster_arn,
                source=_resource_prefixes(self, "source", source_cluster_arn),
                target=_resource_prefixes(self, "target", target_cluster_arn),
            ),
        )
        replicator = MskReplicator(
            self,
            "replicator",
            replicator_name=name,
            description=f"{name}: topics and consumer groups from the source region",
            service_execution_role_arn=role.arn,
            kafka_cluster=[
                MskReplicatorKafkaCluster(
                    amazon_msk_cluster=MskReplicatorKafkaClusterAmazonMskCluster(
                        msk_cluster_arn=source_cluster_arn
                    ),
                    vpc_config=MskReplicatorKafkaClusterVpcConfig(subnet_ids=list(source_subnet_ids)),
                ),
                MskReplicatorKafkaCluster(
                    amazon_msk_cluster=MskReplicatorKafkaClusterAmazonMskCluster(
                        msk_cluster_arn=target_cluster_arn
                    ),
                    vpc_config=MskReplicatorKafkaClusterVpcConfig(
                        subnet_ids=list(target_placement.subnet_ids), security_groups_ids=[group.id]
                    ),
                ),
            ],
            replication_info_list=MskReplicatorReplicationInfoListStruct(
                source_kafka_cluster_arn=source_cluster_arn,
                target_kafka_cluster_arn=target_cluster_arn,
                target_compression_type=props.compression,
                topic_replication=[
                    MskReplicatorReplicationInfoListTopicReplication(
                        topics_to_replicate=list(props.topics),
                        topics_to_exclude=list(props.excluded_topics) or None,
                        detect_and_copy_new_topics=True,
                        copy_topic_configurations=props.copy_topic_configurations,
                        copy_access_control_lists_for_topics=props.copy_access_control_lists,
                        starting_position=MskReplicatorReplicationInfoListTopicReplicationStartingPosition(
                            type=props.starting_position
                        ),
                        topic_name_configuration=MskReplicatorReplicationInfoListTopicReplicationTopicNameConfiguration(
                            type="IDENTICAL"
                            if props.identical_topic_names
                            else "PREFIXED_WITH_SOURCE_CLUSTER_ALIAS"
                        ),
                    )
                ],
                consumer_group_replication=[
                    MskReplicatorReplicationInfoListConsumerGroupReplication(
                        consumer_groups_to_replicate=list(props.consumer_groups),
                        consumer_groups_to_exclude=list(props.excluded_consumer_groups) or None,
                        detect_and_copy_new_consumer_groups=True,
                        synchronise_consumer_group_offsets=props.sync_consumer_group_offsets,
                    )
                ],
            ),
            # The role must hold its permissions, and the target accept the connection, before MSK starts it.
            depends_on=[permissions, egress, ingress],
        )
        self.arn: str = replicator.arn
        self.role_arn: str = role.arn
        self.security_group_id: str = group.id


def _resource_prefixes(scope: Construct, side: str, cluster_arn: str) -> Mapping[str, str]:
    """``topic/<cluster>/<uuid>`` and ``group/<cluster>/<uuid>``: the cluster ARN's path re-typed, as locals
    so the policy names them by reference (a JSON policy document cannot hold a quoted expression)."""
    return {
        kind: TerraformLocal(
            scope, f"{side}_{kind}_arn_prefix", Fn.replace(cluster_arn, ":cluster/", f":{kind}/")
        ).as_string
        for kind in ("topic", "group")
    }


def _replication_policy(
    props: KafkaReplicatorProps,
    *,
    source_cluster_arn: str,
    target_cluster_arn: str,
    source: Mapping[str, str],
    target: Mapping[str, str],
) -> str:
    """The service role's permissions, statement by statement as the MSK developer guide lists them for topic
    replication plus the features ``props`` turns on."""
    target_cluster_actions = [*CLUSTER_ACTIONS]
    if props.copy_access_control_lists:
        target_cluster_actions.append("kafka-cluster:AlterCluster")  # writes the copied ACLs
    target_topic_actions = [*TARGET_TOPIC_ACTIONS]
    if props.copy_topic_configurations:
        target_topic_actions += ["kafka-cluster:AlterTopic", "kafka-cluster:AlterTopicDynamicConfiguration"]
    statements: list[dict[str, object]] = [
        _allow("SourceCluster", CLUSTER_ACTIONS, [source_cluster_arn]),
        _allow("TargetCluster", target_cluster_actions, [target_cluster_arn]),
        _allow(
            "InternalTopics",
            INTERNAL_TOPIC_ACTIONS,
            [f"{side['topic']}/{topic}" for side in (source, target) for topic in INTERNAL_TOPICS],
        ),
        _allow("SourceTopics", SOURCE_TOPIC_ACTIONS, [f"{source['topic']}/*"]),
        _allow("TargetTopics", target_topic_actions, [f"{target['topic']}/*"]),
    ]
    if props.sync_consumer_group_offsets:
        statements += [
            _allow("SourceGroups", ["kafka-cluster:DescribeGroup"], [f"{source['group']}/*"]),
            _allow(
                "TargetGroups",
                ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"],
                [f"{target['group']}/*"],
            ),
        ]
    else:
        statements.append(
            _allow(
                "InternalGroups",
                ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"],
                [f"{target['group']}/{INTERNAL_GROUPS}"],
            )
        )
    return policy_document(statements)


def _allow(sid: str, actions: tuple[str, ...] | list[str], resources: list[str]) -> dict[str, object]:
    return {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": resources}


def _check_subnets(field: str, subnet_ids: tuple[str, ...]) -> None:
    if not MIN_SUBNETS <= len(subnet_ids) <= MAX_SUBNETS:
        raise ConfigError(
            f"KafkaReplicator.{field} must hold {MIN_SUBNETS} or {MAX_SUBNETS} subnets (CreateReplicator's "
            f"limits), got {len(subnet_ids)}"
        )


def _check_regions(source_cluster_arn: str, target_cluster_arn: str, region: str) -> None:
    """The target must be in this stack's region (MSK creates the replicator there) and the source in another
    one: this construct sets up cross-region replication (no source security group, private connectivity)."""
    for field, arn in (
        ("source_cluster_arn", source_cluster_arn),
        ("target_cluster_arn", target_cluster_arn),
    ):
        check_pattern("KafkaReplicator", field, arn, _CLUSTER_ARN, "an MSK cluster ARN")
    if is_known(target_cluster_arn) and target_cluster_arn.split(":")[3] != region:
        raise ConfigError(
            f"KafkaReplicator.target_cluster_arn must be a cluster of the stack's region {region!r}, "
            f"got {target_cluster_arn!r}"
        )
    if is_known(source_cluster_arn) and source_cluster_arn.split(":")[3] == region:
        raise ConfigError(
            f"KafkaReplicator.source_cluster_arn must be a cluster of another region than {region!r}, "
            f"got {source_cluster_arn!r}"
        )

"""NodeGroups: the managed node groups of one cluster, on launch templates that lock down instance metadata
and encrypt root volumes, with a node role holding only what nodes themselves need."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from cdktf import ITerraformDependable, Token
from cdktf_cdktf_provider_aws.eks_node_group import (
    EksNodeGroup,
    EksNodeGroupLaunchTemplate,
    EksNodeGroupScalingConfig,
    EksNodeGroupTaint,
    EksNodeGroupUpdateConfig,
)
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.launch_template import (
    LaunchTemplate,
    LaunchTemplateBlockDeviceMappings,
    LaunchTemplateBlockDeviceMappingsEbs,
    LaunchTemplateMetadataOptions,
    LaunchTemplateMonitoring,
    LaunchTemplateTagSpecifications,
)
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from marketplace_constructs.aws import AwsLocation, service_trust_policy
from marketplace_constructs.eks.props import BURST_TAINT_KEY, NodeGroupProps, is_burst, workload_class
from marketplace_constructs.security.boundary import bounded_role

# Nodes get no CNI permissions: the vpc-cni add-on has its own IRSA role.
NODE_POLICIES: Final = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly",
)
# What Auto Scaling creates for a node; each gets the environment's tags for cost allocation.
LAUNCHED_RESOURCES: Final = ("instance", "volume", "network-interface")
# Control plane to nodes, beyond what the EKS cluster security group already allows: the Istio sidecar
# injection webhook (15017) and istiod's xDS/CA port (15012), for the mesh.
CONTROL_PLANE_PORTS: Final = {15017: "Istio sidecar injection webhook", 15012: "istiod xDS and CA"}


class NodeGroups(Construct):
    """One managed node group per entry of ``groups`` (label ``workload-class``: the name up to its first
    dash, so "compute-burst" serves the compute class) in ``subnet_ids``.

    Launch templates require IMDSv2 with a hop limit of 1 (pods cannot reach the node's credentials) and
    encrypt gp3 root volumes with ``volume_key_arn``. Nodes carry the cluster security group (the only one
    tagged ``kubernetes.io/cluster/<name>``, as the load balancer controller requires) plus an untagged one.
    The cluster autoscaler owns ``desired_size`` after creation (Terraform ignores its changes). Instances,
    their volumes and network interfaces carry ``tags`` (the provider's ``default_tags`` reach only what
    Terraform creates itself, not what Auto Scaling launches). The groups wait for ``after`` (vpc-cni).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        groups: Mapping[str, NodeGroupProps],
        cluster_name: str,
        cluster_security_group_id: str,
        location: AwsLocation,
        vpc_id: str,
        subnet_ids: tuple[str, ...],
        volume_key_arn: str,
        tags: Mapping[str, str],
        after: Sequence[ITerraformDependable],
    ) -> None:
        super().__init__(scope, construct_id)
        self._tags = dict(tags)
        role = bounded_role(
            self,
            "role",
            name=f"{cluster_name}-nodes",
            assume_role_policy=service_trust_policy("ec2.amazonaws.com", location.account_id),
        )
        attachments = [
            IamRolePolicyAttachment(self, f"role_policy_{index}", role=role.name, policy_arn=policy_arn)
            for index, policy_arn in enumerate(NODE_POLICIES)
        ]
        node_group = SecurityGroup(
            self,
            "security_group",
            name=f"{cluster_name}-nodes",
            vpc_id=vpc_id,
            description=f"{cluster_name} nodes: control-plane ports for the mesh",
            tags={"Name": f"{cluster_name}-nodes"},
        )
        for port, purpose in CONTROL_PLANE_PORTS.items():
            VpcSecurityGroupIngressRule(
                self,
                f"control_plane_{port}",
                security_group_id=node_group.id,
                description=f"Control plane: {purpose}",
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                referenced_security_group_id=cluster_security_group_id,
            )
        self.role_arn: str = role.arn
        self.security_group_id: str = node_group.id
        self.groups = [
            self._group(
                name,
                props,
                cluster_name,
                role,
                [*attachments, *after],
                [cluster_security_group_id, node_group.id],
                subnet_ids,
                volume_key_arn,
            )
            for name, props in groups.items()
        ]

    def _group(
        self,
        name: str,
        props: NodeGroupProps,
        cluster_name: str,
        role: IamRole,
        depends_on: list[ITerraformDependable],
        security_group_ids: list[str],
        subnet_ids: tuple[str, ...],
        volume_key_arn: str,
    ) -> EksNodeGroup:
        construct_name = name.replace("-", "_")  # construct ids become Terraform addresses: snake_case
        template = LaunchTemplate(
            self,
            f"{construct_name}_launch_template",
            name=f"{cluster_name}-{name}",
            description=f"{cluster_name} {name} nodes: IMDSv2 only, encrypted gp3 root volume",
            update_default_version=True,
            vpc_security_group_ids=security_group_ids,
            metadata_options=LaunchTemplateMetadataOptions(
                http_endpoint="enabled",
                http_tokens="required",
                http_put_response_hop_limit=1,
                instance_metadata_tags="disabled",
            ),
            block_device_mappings=[
                LaunchTemplateBlockDeviceMappings(
                    device_name="/dev/xvda",
                    ebs=LaunchTemplateBlockDeviceMappingsEbs(
                        volume_size=props.disk_gb,
                        volume_type="gp3",
                        encrypted="true",
                        kms_key_id=volume_key_arn,
                        delete_on_termination="true",
                    ),
                )
            ],
            monitoring=LaunchTemplateMonitoring(enabled=True),
            tag_specifications=[
                LaunchTemplateTagSpecifications(
                    resource_type=kind, tags={**self._tags, "Name": f"{cluster_name}-{name}"}
                )
                for kind in LAUNCHED_RESOURCES
            ],
        )
        group = EksNodeGroup(
            self,
            f"{construct_name}_group",
            cluster_name=cluster_name,
            node_group_name=name,
            node_role_arn=role.arn,
            subnet_ids=list(subnet_ids),
            instance_types=list(props.instance_types),
            ami_type=props.ami_type,
            capacity_type=props.capacity_type,
            scaling_config=EksNodeGroupScalingConfig(
                min_size=props.min_size, desired_size=props.desired_size, max_size=props.max_size
            ),
            update_config=EksNodeGroupUpdateConfig(max_unavailable_percentage=33),
            launch_template=EksNodeGroupLaunchTemplate(
                id=template.id, version=Token.as_string(template.latest_version)
            ),
            labels={"workload-class": workload_class(name)},
            taint=[EksNodeGroupTaint(key=BURST_TAINT_KEY, value=workload_class(name), effect="NO_SCHEDULE")]
            if is_burst(name)
            else None,
            tags={
                "k8s.io/cluster-autoscaler/enabled": "true",
                f"k8s.io/cluster-autoscaler/{cluster_name}": "owned",
            },
            depends_on=depends_on,
        )
        group.add_override("lifecycle.ignore_changes", ["scaling_config[0].desired_size"])
        return group

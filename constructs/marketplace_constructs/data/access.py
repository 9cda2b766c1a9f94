"""DataStoreSecurityGroup: a security group that admits the workload tier on one port and nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct


@dataclass(frozen=True, slots=True, kw_only=True)
class DataStorePlacement:
    """Where a data store lives and who may reach it (tokens): VPC, subnets (one per zone), the clients'
    security group, and the KMS key encrypting the store's data."""

    vpc_id: str
    subnet_ids: tuple[str, ...]
    client_security_group_id: str
    key_arn: str


class DataStoreSecurityGroup(Construct):
    """Ingress on ``port`` from the placement's client security group only: no CIDR rule at all (so no
    0.0.0.0/0) and no egress rule (data stores only answer; replication runs on the services' own network)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        placement: DataStorePlacement,
        port: int,
        description: str,
    ) -> None:
        super().__init__(scope, construct_id)
        group = SecurityGroup(
            self, "group", name=name, description=description, vpc_id=placement.vpc_id, tags={"Name": name}
        )
        VpcSecurityGroupIngressRule(
            self,
            "from_workloads",
            security_group_id=group.id,
            description=f"{description}: clients in the workload tier",
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=placement.client_security_group_id,
        )
        self.id: str = group.id

"""DataStoreSecurityGroup: a security group that admits the workload tier on one port and nothing else."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct


class DataStoreSecurityGroup(Construct):
    """Ingress on ``port`` from ``client_security_group_id`` only: no CIDR rule at all (so no 0.0.0.0/0) and
    no egress rule (data stores only answer; replication runs on the services' own network)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        vpc_id: str,
        port: int,
        client_security_group_id: str,
        description: str,
    ) -> None:
        super().__init__(scope, construct_id)
        group = SecurityGroup(
            self, "group", name=name, description=description, vpc_id=vpc_id, tags={"Name": name}
        )
        VpcSecurityGroupIngressRule(
            self,
            "from_workloads",
            security_group_id=group.id,
            description=f"{description}: clients in the workload tier",
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            referenced_security_group_id=client_security_group_id,
        )
        self.id: str = group.id

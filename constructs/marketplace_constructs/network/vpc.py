"""Vpc: subnets per tier and zone, gateways, routes, a locked default SG, flow logs and endpoints."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.default_security_group import DefaultSecurityGroup
from cdktf_cdktf_provider_aws.eip import Eip
from cdktf_cdktf_provider_aws.flow_log import FlowLog
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.internet_gateway import InternetGateway
from cdktf_cdktf_provider_aws.nat_gateway import NatGateway
from cdktf_cdktf_provider_aws.route import Route
from cdktf_cdktf_provider_aws.route_table import RouteTable
from cdktf_cdktf_provider_aws.route_table_association import RouteTableAssociation
from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.subnet import Subnet
from cdktf_cdktf_provider_aws.vpc import Vpc as VpcResource
from cdktf_cdktf_provider_aws.vpc_endpoint import VpcEndpoint
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from marketplace_constructs.aws import AwsLocation, policy_document, service_trust_policy
from marketplace_constructs.naming import resource_name
from marketplace_constructs.network.props import VpcProps
from marketplace_constructs.network.subnet_plan import plan_subnets
from marketplace_constructs.regions import check_zones
from marketplace_constructs.security.boundary import bounded_role

ANYWHERE = "0.0.0.0/0"


@dataclass(frozen=True, slots=True, kw_only=True)
class VpcRef:
    """What later constructs need from the network: ids (tokens) per tier in zone order, and the zones."""

    vpc_id: str
    cidr: str
    availability_zones: tuple[str, ...]
    public_subnet_ids: tuple[str, ...]
    private_subnet_ids: tuple[str, ...]
    database_subnet_ids: tuple[str, ...]


class Vpc(Construct):
    """A VPC whose workloads run in private subnets and whose database tier has no route to the internet.

    ``cluster_name``, when the VPC hosts an EKS cluster, tags the public and private subnets for the AWS Load
    Balancer Controller's discovery; without it they carry only the load-balancer role tags.
    Flow logs (all traffic) go to a log group encrypted with ``log_key_arn``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: VpcProps,
        name: str,
        location: AwsLocation,
        log_key_arn: str,
        cluster_name: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        check_zones("VpcProps", "availability_zones", location.region, props.availability_zones)
        zones = props.availability_zones
        plan = plan_subnets(props.cidr, len(zones))
        self._name = name

        vpc = VpcResource(
            self,
            "vpc",
            cidr_block=props.cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": resource_name(name, "vpc")},
        )
        DefaultSecurityGroup(self, "default_security_group", vpc_id=vpc.id, ingress=[], egress=[])
        cluster = {f"kubernetes.io/cluster/{cluster_name}": "shared"} if cluster_name else {}
        public = self._subnets(vpc, "public", plan.public, zones, {"kubernetes.io/role/elb": "1", **cluster})
        private = self._subnets(
            vpc, "private", plan.private, zones, {"kubernetes.io/role/internal-elb": "1", **cluster}
        )
        database = self._subnets(vpc, "database", plan.database, zones, {})

        igw = InternetGateway(
            self, "internet_gateway", vpc_id=vpc.id, tags={"Name": resource_name(name, "igw")}
        )
        public_rt = self._route_table(vpc, "public", public)
        Route(
            self,
            "public_default",
            route_table_id=public_rt.id,
            destination_cidr_block=ANYWHERE,
            gateway_id=igw.id,
        )

        nat_count = 1 if props.nat_strategy == "single" else len(zones)
        nat_ids = []
        for index in range(nat_count):
            eip = Eip(
                self,
                f"nat_eip_{index}",
                domain="vpc",
                tags={"Name": resource_name(name, "nat", zones[index])},
            )
            nat = NatGateway(
                self,
                f"nat_{index}",
                allocation_id=eip.allocation_id,
                subnet_id=public[index].id,
                tags={"Name": resource_name(name, "nat", zones[index])},
                depends_on=[igw],
            )
            nat_ids.append(nat.id)

        private_rts = []
        for index, subnet in enumerate(private):
            table = self._route_table(vpc, f"private_{index}", [subnet])
            Route(
                self,
                f"private_default_{index}",
                route_table_id=table.id,
                destination_cidr_block=ANYWHERE,
                nat_gateway_id=nat_ids[index % nat_count],
            )
            private_rts.append(table)
        database_rt = self._route_table(vpc, "database", database)  # no default route: isolated tier

        VpcEndpoint(
            self,
            "s3_endpoint",
            vpc_id=vpc.id,
            service_name=f"com.amazonaws.{location.region}.s3",
            vpc_endpoint_type="Gateway",
            route_table_ids=[table.id for table in (*private_rts, database_rt)],
            tags={"Name": resource_name(name, "s3-endpoint")},
        )
        if props.interface_endpoints:
            self._interface_endpoints(vpc, props, location, [subnet.id for subnet in private])
        self._flow_logs(vpc, props, location, log_key_arn)

        self.ref = VpcRef(
            vpc_id=vpc.id,
            cidr=props.cidr,
            availability_zones=zones,
            public_subnet_ids=tuple(subnet.id for subnet in public),
            private_subnet_ids=tuple(subnet.id for subnet in private),
            database_subnet_ids=tuple(subnet.id for subnet in database),
        )

    def _subnets(
        self,
        vpc: VpcResource,
        tier: str,
        cidrs: tuple[str, ...],
        zones: tuple[str, ...],
        tags: dict[str, str],
    ) -> list[Subnet]:
        return [
            Subnet(
                self,
                f"{tier}_{index}",
                vpc_id=vpc.id,
                cidr_block=cidr,
                availability_zone=zone,
                map_public_ip_on_launch=False,  # NAT gateways and load balancers bring their own addresses
                tags={"Name": resource_name(self._name, tier, zone), "Tier": tier, **tags},
            )
            for index, (cidr, zone) in enumerate(zip(cidrs, zones, strict=True))
        ]

    def _route_table(self, vpc: VpcResource, label: str, subnets: list[Subnet]) -> RouteTable:
        table = RouteTable(
            self, f"{label}_routes", vpc_id=vpc.id, tags={"Name": resource_name(self._name, label)}
        )
        for index, subnet in enumerate(subnets):
            RouteTableAssociation(
                self, f"{label}_routes_{index}", route_table_id=table.id, subnet_id=subnet.id
            )
        return table

    def _interface_endpoints(
        self, vpc: VpcResource, props: VpcProps, location: AwsLocation, subnet_ids: list[str]
    ) -> None:
        group = SecurityGroup(
            self,
            "endpoints_security_group",
            name=resource_name(self._name, "vpc-endpoints"),
            description="HTTPS from inside the VPC to the interface endpoints",
            vpc_id=vpc.id,
            tags={"Name": resource_name(self._name, "vpc-endpoints")},
        )
        VpcSecurityGroupIngressRule(
            self,
            "endpoints_https_from_vpc",
            security_group_id=group.id,
            description="HTTPS from the VPC",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4=props.cidr,
        )
        for service in props.interface_endpoints:
            VpcEndpoint(
                self,
                f"{service.replace('.', '_')}_endpoint",
                vpc_id=vpc.id,
                service_name=f"com.amazonaws.{location.region}.{service}",
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=subnet_ids,
                security_group_ids=[group.id],
                tags={"Name": resource_name(self._name, f"{service}-endpoint")},
            )

    def _flow_logs(self, vpc: VpcResource, props: VpcProps, location: AwsLocation, log_key_arn: str) -> None:
        group = CloudwatchLogGroup(
            self,
            "flow_log_group",
            name=f"/vpc/{resource_name(self._name, 'flow-logs')}",
            retention_in_days=props.flow_log_retention_days,
            kms_key_id=log_key_arn,
        )
        role = bounded_role(
            self,
            "flow_log_role",
            name=resource_name(self._name, "vpc-flow-logs"),
            assume_role_policy=service_trust_policy("vpc-flow-logs.amazonaws.com", location.account_id),
        )
        IamRolePolicy(
            self,
            "flow_log_delivery",
            name="deliver-flow-logs",
            role=role.id,
            policy=policy_document(
                [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        "Resource": [group.arn, f"{group.arn}:*"],
                    }
                ]
            ),
        )
        FlowLog(
            self,
            "flow_log",
            vpc_id=vpc.id,
            traffic_type=props.flow_log_traffic,
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            tags={"Name": resource_name(self._name, "flow-logs")},
        )

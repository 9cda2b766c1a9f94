"""EksCluster: the EKS control plane, private by default, with encrypted secrets and all logs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.eks_access_entry import EksAccessEntry
from cdktf_cdktf_provider_aws.eks_access_policy_association import EksAccessPolicyAssociation
from cdktf_cdktf_provider_aws.eks_cluster import (
    EksCluster as EksClusterResource,
)
from cdktf_cdktf_provider_aws.eks_cluster import (
    EksClusterAccessConfig,
    EksClusterEncryptionConfig,
    EksClusterEncryptionConfigProvider,
    EksClusterUpgradePolicy,
    EksClusterVpcConfig,
)
from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from cdktf_cdktf_provider_aws.vpc_security_group_ingress_rule import VpcSecurityGroupIngressRule
from constructs import Construct

from marketplace_constructs.aws import AwsLocation, policy_document
from marketplace_constructs.eks.props import EksClusterProps
from marketplace_constructs.security.boundary import bounded_role

CONTROL_PLANE_LOG_TYPES: Final = ("api", "audit", "authenticator", "controllerManager", "scheduler")
ACCESS_POLICY: Final = "arn:aws:eks::aws:cluster-access-policy/{}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ClusterRef:
    """What the platform and apps layers need to reach the cluster (tokens across stacks, or literals)."""

    name: str
    region: str
    endpoint: str
    certificate_authority_data: str
    security_group_id: str
    oidc_issuer_url: str
    oidc_provider_arn: str


class EksCluster(Construct):
    """Control plane in the private subnets, its OIDC provider (for IRSA), and kubectl access only through
    explicit access entries: ``<name>-admin`` (cluster admin, MFA for IAM users when ``admin_requires_mfa``),
    ``<name>-readonly`` (view), ``props.admin_role_arns`` (cluster admin) and ``props.admin_view_role_arns``
    (admin view). The creator gets no implicit admin.

    The private endpoint admits, on 443, the cluster security group (nodes) and the deploy path the props
    name: ``private_subnet_cidrs`` when ``api_access_from_private_subnets``, ``api_access_cidrs`` and
    ``api_access_security_group_ids``. Without one, nothing outside the cluster can plan the later layers.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: EksClusterProps,
        name: str,
        location: AwsLocation,
        subnet_ids: tuple[str, ...],
        private_subnet_cidrs: tuple[str, ...],
        secrets_key_arn: str,
        log_key_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        # Created before the cluster, else EKS creates it unencrypted and the next apply collides
        # (terraform-aws-modules/terraform-aws-eks#2486).
        log_group = CloudwatchLogGroup(
            self,
            "log_group",
            name=f"/aws/eks/{name}/cluster",
            retention_in_days=props.log_retention_days,
            kms_key_id=log_key_arn,
        )
        role = bounded_role(
            self,
            "role",
            name=f"{name}-control-plane",
            assume_role_policy=policy_document(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "eks.amazonaws.com"},
                        "Action": ["sts:AssumeRole", "sts:TagSession"],
                    }
                ]
            ),
        )
        attachment = IamRolePolicyAttachment(
            self,
            "cluster_policy",
            role=role.name,
            policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
        )
        key_use = IamRolePolicy(
            self,
            "secrets_key_use",
            name="envelope-encrypt-secrets",
            role=role.id,
            policy=policy_document(
                [
                    {
                        "Effect": "Allow",
                        "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
                        "Resource": [secrets_key_arn],
                    }
                ]
            ),
        )
        public = bool(props.allow_public_endpoint_cidrs)
        cluster = EksClusterResource(
            self,
            "cluster",
            name=name,
            version=props.kubernetes_version,
            role_arn=role.arn,
            vpc_config=EksClusterVpcConfig(
                subnet_ids=list(subnet_ids),
                endpoint_private_access=True,
                endpoint_public_access=public,
                public_access_cidrs=list(props.allow_public_endpoint_cidrs) if public else None,
            ),
            encryption_config=EksClusterEncryptionConfig(
                resources=["secrets"], provider=EksClusterEncryptionConfigProvider(key_arn=secrets_key_arn)
            ),
            enabled_cluster_log_types=list(CONTROL_PLANE_LOG_TYPES),
            access_config=EksClusterAccessConfig(
                authentication_mode="API", bootstrap_cluster_creator_admin_permissions=False
            ),
            upgrade_policy=EksClusterUpgradePolicy(support_type="STANDARD"),
            deletion_protection=props.deletion_protection,
            depends_on=[log_group, attachment, key_use],
        )
        oidc = IamOpenidConnectProvider(
            self,
            "oidc_provider",
            url=cluster.identity.get(0).oidc.get(0).issuer,
            client_id_list=["sts.amazonaws.com"],
        )
        self._operators = props.operator_principals
        self.admin_role_arn = self._access(cluster, name, location, props)
        for index, role_arn in enumerate(props.admin_role_arns):
            self._entry(cluster, f"admin_{index}", role_arn, "AmazonEKSClusterAdminPolicy")
        for index, role_arn in enumerate(props.admin_view_role_arns):
            self._entry(cluster, f"admin_view_{index}", role_arn, "AmazonEKSAdminViewPolicy")
        cidrs = (
            *(private_subnet_cidrs if props.api_access_from_private_subnets else ()),
            *props.api_access_cidrs,
        )
        self._admit_api_clients(cluster, cidrs, props.api_access_security_group_ids)
        self.ref = ClusterRef(
            name=cluster.name,
            region=location.region,
            endpoint=cluster.endpoint,
            certificate_authority_data=cluster.certificate_authority.get(0).data,
            security_group_id=cluster.vpc_config.cluster_security_group_id,
            oidc_issuer_url=cluster.identity.get(0).oidc.get(0).issuer,
            oidc_provider_arn=oidc.arn,
        )

    def _access(
        self, cluster: EksClusterResource, name: str, location: AwsLocation, props: EksClusterProps
    ) -> str:
        """The environment's admin and read-only roles, assumable from this account; returns the admin."""
        admin = self._human_role(
            cluster, name, location, "admin", "AmazonEKSClusterAdminPolicy", props.admin_requires_mfa
        )
        self._human_role(cluster, name, location, "readonly", "AmazonEKSViewPolicy", needs_mfa=False)
        return admin

    def _human_role(
        self,
        cluster: EksClusterResource,
        name: str,
        location: AwsLocation,
        label: str,
        policy: str,
        needs_mfa: bool,
    ) -> str:
        role = bounded_role(
            self, f"{label}_role", name=f"{name}-{label}",
            assume_role_policy=policy_document(self._operator_trust(location, needs_mfa)),
            max_session_duration=3600,
        )  # fmt: skip
        self._entry(cluster, label, role.arn, policy)
        arn: str = role.arn
        return arn

    def _operator_trust(self, location: AwsLocation, needs_mfa: bool) -> list[dict[str, object]]:
        """Trust statements for the operator patterns. With ``needs_mfa``, IAM users (``user/...``) need
        ``aws:MultiFactorAuthPresent``; role patterns get a statement of their own without it, because role
        sessions (IAM Identity Center included) never carry that key and MFA happened at their sign-in."""
        users = tuple(pattern for pattern in self._operators if pattern.startswith("user/"))
        roles = tuple(pattern for pattern in self._operators if pattern not in users)
        groups = {"users": users, "roles": roles} if needs_mfa else {"anyone": self._operators}
        statements: list[dict[str, object]] = []
        for kind, patterns in groups.items():
            if not patterns:
                continue
            arns = [f"arn:aws:iam::{location.account_id}:{pattern}" for pattern in patterns]
            condition: dict[str, object] = {"ArnLike": {"aws:PrincipalArn": arns}}
            if kind == "users":
                condition["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
            statements.append(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": location.root_arn},
                    "Action": "sts:AssumeRole",
                    "Condition": condition,
                }
            )
        return statements

    def _admit_api_clients(
        self, cluster: EksClusterResource, cidrs: tuple[str, ...], security_group_ids: tuple[str, ...]
    ) -> None:
        """Rules on the cluster security group (which EKS puts on the endpoint's network interfaces) letting
        the deploy path reach the API on 443."""
        cluster_group = cluster.vpc_config.cluster_security_group_id
        sources: list[tuple[str, dict[str, str]]] = [
            (f"api_from_cidr_{index}", {"cidr_ipv4": cidr}) for index, cidr in enumerate(cidrs)
        ]
        sources += [
            (f"api_from_group_{index}", {"referenced_security_group_id": group})
            for index, group in enumerate(security_group_ids)
        ]
        for rule_id, source in sources:
            VpcSecurityGroupIngressRule(
                self, rule_id, security_group_id=cluster_group, ip_protocol="tcp", from_port=443, to_port=443,
                description="Kubernetes API from the deploy path (CI runners, bastion, VPN)", **source,
            )  # fmt: skip

    def _entry(self, cluster: EksClusterResource, label: str, principal_arn: str, policy: str) -> None:
        entry = EksAccessEntry(self, label, cluster_name=cluster.name, principal_arn=principal_arn)
        EksAccessPolicyAssociation(
            self,
            f"{label}_policy",
            cluster_name=cluster.name,
            principal_arn=entry.principal_arn,
            policy_arn=ACCESS_POLICY.format(policy),
            access_scope={"type": "cluster"},
        )

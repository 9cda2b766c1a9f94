"""ManagedAddons: the EKS add-ons every cluster needs, versions resolved explicitly per cluster version."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Final

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_aws.data_aws_eks_addon_version import DataAwsEksAddonVersion
from cdktf_cdktf_provider_aws.eks_addon import EksAddon
from constructs import Construct

from marketplace_constructs.aws import KMS_KEY_USE, policy_document
from marketplace_constructs.eks.irsa import ServiceAccountRole

ADDONS: Final = ("vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver")
# coredns and the EBS CSI controller run as pods: created before any node exists they stay degraded and the
# apply times out (terraform-aws-modules/terraform-aws-eks#1801), so they wait for the node groups.
NEEDS_NODES: Final = frozenset({"coredns", "aws-ebs-csi-driver"})


def ebs_key_policy(key_arn: str) -> str:
    """What the EBS CSI driver needs to create volumes encrypted with ``key_arn`` (grants for EC2 only)."""
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Action": ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                "Resource": [key_arn],
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
            {
                "Effect": "Allow",
                "Action": list(KMS_KEY_USE),
                "Resource": [key_arn],
            },
        ]
    )


class ManagedAddons(Construct):
    """vpc-cni (IRSA, NetworkPolicy enforcement on), kube-proxy, coredns and aws-ebs-csi-driver (IRSA, KMS).

    Each version is the default EKS publishes for ``kubernetes_version`` (``aws_eks_addon_version``), so an
    upgrade of the control plane moves the add-ons with it, in the same plan.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        cluster_name: str,
        kubernetes_version: str,
        oidc_provider_arn: str,
        oidc_issuer_url: str,
        volume_key_arn: str,
        node_groups: Sequence[ITerraformDependable],
    ) -> None:
        super().__init__(scope, construct_id)
        roles = {
            "vpc-cni": ServiceAccountRole(
                self,
                "vpc_cni_role",
                name=f"{cluster_name}-vpc-cni",
                oidc_provider_arn=oidc_provider_arn,
                oidc_issuer_url=oidc_issuer_url,
                namespace="kube-system",
                service_account="aws-node",
                managed_policy_arns=("arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",),
            ),
            "aws-ebs-csi-driver": ServiceAccountRole(
                self,
                "ebs_csi_role",
                name=f"{cluster_name}-ebs-csi",
                oidc_provider_arn=oidc_provider_arn,
                oidc_issuer_url=oidc_issuer_url,
                namespace="kube-system",
                service_account="ebs-csi-controller-sa",
                managed_policy_arns=("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",),
                inline_policy=ebs_key_policy(volume_key_arn),
            ),
        }
        configuration = {"vpc-cni": json.dumps({"enableNetworkPolicy": "true"})}
        for addon in ADDONS:
            label = addon.replace("-", "_")
            version = DataAwsEksAddonVersion(
                self,
                f"{label}_version",
                addon_name=addon,
                kubernetes_version=kubernetes_version,
                most_recent=False,
            )
            EksAddon(
                self,
                label,
                cluster_name=cluster_name,
                addon_name=addon,
                addon_version=version.version,
                service_account_role_arn=roles[addon].arn if addon in roles else None,
                configuration_values=configuration.get(addon),
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="PRESERVE",
                depends_on=list(node_groups) if addon in NEEDS_NODES else None,
            )

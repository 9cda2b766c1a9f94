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

# The node role has no CNI permissions: a node that boots before vpc-cni runs with its IRSA role stays
# NotReady, so vpc-cni (after its role's policy) comes before the node groups ("before_compute" in
# terraform-aws-eks). coredns and the EBS CSI controller run as pods: created before any node exists they stay
# degraded and the apply times out (terraform-aws-modules/terraform-aws-eks#1801), so they come after.
BEFORE_COMPUTE: Final = ("vpc-cni",)
AFTER_COMPUTE: Final = ("kube-proxy", "coredns", "aws-ebs-csi-driver")
ADDONS: Final = (*BEFORE_COMPUTE, *AFTER_COMPUTE)
NEEDS_NODES: Final = frozenset({"coredns", "aws-ebs-csi-driver"})
CONFIGURATION: Final = {"vpc-cni": json.dumps({"enableNetworkPolicy": "true"})}


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
    upgrade of the control plane moves the add-ons with it, in the same plan. Two steps: the constructor
    installs vpc-cni, which the node groups must wait for (``before_compute``); ``install_after(node_groups)``
    adds the rest.
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
    ) -> None:
        super().__init__(scope, construct_id)
        self._cluster_name = cluster_name
        self._kubernetes_version = kubernetes_version
        self._roles = {
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
        self.before_compute: list[ITerraformDependable] = [
            self._addon(addon, after=[]) for addon in BEFORE_COMPUTE
        ]

    def install_after(self, node_groups: Sequence[ITerraformDependable]) -> None:
        """kube-proxy, coredns and the EBS CSI driver; the last two wait for ``node_groups``."""
        for addon in AFTER_COMPUTE:
            self._addon(addon, after=node_groups if addon in NEEDS_NODES else [])

    def _addon(self, addon: str, after: Sequence[ITerraformDependable]) -> EksAddon:
        """The add-on at EKS's default version, after ``after`` and after its IRSA role may act."""
        label = addon.replace("-", "_")
        version = DataAwsEksAddonVersion(
            self,
            f"{label}_version",
            addon_name=addon,
            kubernetes_version=self._kubernetes_version,
            most_recent=False,
        )
        role = self._roles.get(addon)
        depends_on = [*(role.policies if role else []), *after]
        return EksAddon(
            self,
            label,
            cluster_name=self._cluster_name,
            addon_name=addon,
            addon_version=version.version,
            service_account_role_arn=role.arn if role else None,
            configuration_values=CONFIGURATION.get(addon),
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="PRESERVE",
            depends_on=depends_on or None,
        )

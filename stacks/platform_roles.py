"""IAM roles (IRSA) of the platform add-ons. They live in the foundation stack; the platform stack installs
the add-ons and only receives the role ARNs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from constructs import Construct

from marketplace_constructs import AwsLocation, ClusterRef, policy_document
from marketplace_constructs.addons.external_secrets import SERVICE_ACCOUNT as EXTERNAL_SECRETS_SERVICE_ACCOUNT
from marketplace_constructs.addons.external_secrets import secrets_reader_policy
from marketplace_constructs.eks.irsa import ServiceAccountRole

POLICY_DIR: Final = Path(__file__).with_name("policies")
AUTOSCALER_SERVICE_ACCOUNT: Final = ("kube-system", "cluster-autoscaler")
LOAD_BALANCER_SERVICE_ACCOUNT: Final = ("kube-system", "aws-load-balancer-controller")


@dataclass(frozen=True, slots=True, kw_only=True)
class PlatformRoles:
    """Role ARNs (tokens) the platform stack's add-ons annotate their service accounts with."""

    cluster_autoscaler: str
    load_balancer_controller: str
    external_secrets: str


def autoscaler_policy(cluster_name: str) -> str:
    """Read what the autoscaler needs; scale and terminate only node groups tagged as this cluster's."""
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Action": [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                    "eks:DescribeNodegroup",
                ],
                "Resource": "*",
            },
            {
                "Effect": "Allow",
                "Action": [
                    "autoscaling:SetDesiredCapacity",
                    "autoscaling:TerminateInstanceInAutoScalingGroup",
                ],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster_name}": "owned"}
                },
            },
        ]
    )


def platform_roles(
    scope: Construct,
    cluster: ClusterRef,
    cluster_name: str,
    *,
    env: str,
    location: AwsLocation,
    data_key_arn: str,
) -> PlatformRoles:
    """The IRSA roles of the cluster autoscaler, the AWS Load Balancer Controller and the External Secrets
    Operator (which reads only ``<env>/*`` secrets, decrypting only with the ``data`` key)."""
    published = json.loads((POLICY_DIR / "aws-load-balancer-controller.json").read_text())
    # field of PlatformRoles: (role name suffix, service account, inline policy)
    wanted = {
        "cluster_autoscaler": (
            "cluster-autoscaler", AUTOSCALER_SERVICE_ACCOUNT, autoscaler_policy(cluster_name),
        ),
        "load_balancer_controller": (
            "aws-load-balancer-controller", LOAD_BALANCER_SERVICE_ACCOUNT,
            json.dumps(published, sort_keys=True),
        ),
        "external_secrets": (
            "external-secrets", EXTERNAL_SECRETS_SERVICE_ACCOUNT,
            secrets_reader_policy(location, env, data_key_arn),
        ),
    }  # fmt: skip
    arns = {
        field: ServiceAccountRole(
            scope, f"{field}_role", name=f"{cluster_name}-{suffix}",
            oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer_url=cluster.oidc_issuer_url,
            namespace=account[0], service_account=account[1], inline_policy=inline,
        ).arn
        for field, (suffix, account, inline) in wanted.items()
    }  # fmt: skip
    return PlatformRoles(**arns)

"""ServiceAccountRole (IRSA): an IAM role that exactly one Kubernetes service account can assume."""

from __future__ import annotations

from cdktf import Fn, ITerraformDependable
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from marketplace_constructs.aws import policy_document
from marketplace_constructs.errors import check_dns_label
from marketplace_constructs.security.boundary import bounded_role


def web_identity_trust(
    oidc_provider_arn: str, oidc_issuer_url: str, namespace: str, service_account: str
) -> str:
    """Trust policy pinned to ``system:serviceaccount:<namespace>:<service_account>`` and audience STS."""
    issuer = Fn.replace(oidc_issuer_url, "https://", "")
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Federated": oidc_provider_arn},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {
                        f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                        f"{issuer}:aud": "sts.amazonaws.com",
                    }
                },
            }
        ]
    )


class ServiceAccountRole(Construct):
    """Role ``name`` for service account ``namespace/service_account`` (never a wildcard), with AWS managed
    policies (``managed_policy_arns``) and/or one inline policy (``inline_policy``, JSON). ``policies`` lists
    what grants them, for whatever must wait until the role can act."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        oidc_provider_arn: str,
        oidc_issuer_url: str,
        namespace: str,
        service_account: str,
        managed_policy_arns: tuple[str, ...] = (),
        inline_policy: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        check_dns_label("ServiceAccountRole", "namespace", namespace)
        check_dns_label("ServiceAccountRole", "service_account", service_account)
        role = bounded_role(
            self,
            "role",
            name=name,
            assume_role_policy=web_identity_trust(
                oidc_provider_arn, oidc_issuer_url, namespace, service_account
            ),
        )
        self.policies: list[ITerraformDependable] = [
            IamRolePolicyAttachment(self, f"managed_{index}", role=role.name, policy_arn=policy_arn)
            for index, policy_arn in enumerate(managed_policy_arns)
        ]
        if inline_policy is not None:
            self.policies.append(IamRolePolicy(self, "inline", name=name, role=role.id, policy=inline_policy))
        self.arn: str = role.arn
        self.service_account = f"{namespace}:{service_account}"

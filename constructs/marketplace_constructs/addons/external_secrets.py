"""ExternalSecrets: the External Secrets Operator, which copies Secrets Manager values into Kubernetes
Secrets, so no secret value passes through Terraform state or the synthesized JSON."""

from __future__ import annotations

from typing import Final

from cdktf_cdktf_provider_helm.release import Release
from constructs import Construct

from marketplace_constructs.aws import AwsLocation, policy_document
from marketplace_constructs.helm import HelmChart, helm_release
from marketplace_constructs.manifests import custom_resource
from marketplace_constructs.manifests.secrets import secrets_manager_store

SERVICE_ACCOUNT: Final = ("external-secrets", "external-secrets")  # namespace, name (IRSA pins both)
ROLE_ANNOTATION: Final = "eks.amazonaws.com/role-arn"


def secrets_reader_policy(location: AwsLocation, env: str, key_arn: str) -> str:
    """Read ``<env>/*`` secrets only, decrypting with ``key_arn`` only through Secrets Manager."""
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Action": [
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:ListSecretVersionIds",
                ],
                "Resource": [location.arn("secretsmanager", f"secret:{env}/*")],
            },
            {
                "Effect": "Allow",
                "Action": ["kms:Decrypt"],
                "Resource": [key_arn],
                "Condition": {
                    "StringEquals": {"kms:ViaService": f"secretsmanager.{location.region}.amazonaws.com"}
                },
            },
        ]
    )


def external_secrets_values(role_arn: str) -> dict[str, object]:
    """CRDs, two replicas of the controller, webhook and certificate controller with PDBs and their health
    probes (the chart ships liveness off, and the controller's readiness too), the IRSA role on the
    controller's service account."""
    resources = {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}}
    component = {"replicaCount": 2, "podDisruptionBudget": {"enabled": True}, "resources": resources}
    live = {"livenessProbe": {"enabled": True}}
    return {
        "installCRDs": True,
        **component,
        **live,
        "readinessProbe": {"enabled": True},
        "serviceAccount": {"name": SERVICE_ACCOUNT[1], "annotations": {ROLE_ANNOTATION: role_arn}},
        "webhook": {**component, **live},
        "certController": {**component, **live},
    }


class ExternalSecrets(Construct):
    """The ``external-secrets`` release in ``namespace``, its controller acting as ``role_arn`` (IRSA)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, chart: HelmChart, namespace: str, role_arn: str
    ) -> None:
        super().__init__(scope, construct_id)
        self.release: Release = helm_release(
            self, "release", chart=chart, namespace=namespace, values=external_secrets_values(role_arn)
        )


class SecretsManagerStore(Construct):
    """ClusterSecretStore ``name`` over Secrets Manager in ``region``: ExternalSecrets in the project's
    namespaces reference it to copy one secret into their namespace. Custom resource: create it in a layer
    deployed after ``ExternalSecrets``."""

    def __init__(self, scope: Construct, construct_id: str, *, name: str, region: str) -> None:
        super().__init__(scope, construct_id)
        self.name = name
        custom_resource(self, "store", secrets_manager_store(name, region))

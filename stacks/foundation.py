"""<env>-foundation: AWS only (KMS keys, network, EKS control plane). Plans on an empty account."""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack
from constructs import Construct

from environments.base import EnvironmentConfig
from marketplace_constructs import EksCluster, KmsKey, KmsKeyProps, Vpc, resource_name
from stacks.backend import aws_provider, configure_backend


class FoundationStack(TerraformStack):
    """The environment's AWS base; later layers consume ``cluster.ref`` through cross-stack references."""

    def __init__(self, scope: Construct, stack_id: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, stack_id)
        configure_backend(self, env, stack_id)
        aws_provider(self, env.location, dict(env.tags))
        cluster_name = resource_name(env.name, "eks")

        logs_key = KmsKey(
            self,
            "logs_key",
            props=KmsKeyProps(
                alias=resource_name(env.name, "logs"),
                description=f"{env.name}: CloudWatch log groups (VPC flow logs, EKS control plane)",
                cloudwatch_logs=True,
            ),
            location=env.location,
        )
        secrets_key = KmsKey(
            self,
            "eks_secrets_key",
            props=KmsKeyProps(
                alias=resource_name(env.name, "eks-secrets"),
                description=f"{env.name}: envelope encryption of Kubernetes secrets",
            ),
            location=env.location,
        )
        self.network = Vpc(
            self,
            "network",
            props=env.network,
            name=env.name,
            location=env.location,
            log_key_arn=logs_key.ref.arn,
            cluster_name=cluster_name,
        )
        self.cluster = EksCluster(
            self,
            "cluster",
            props=env.cluster,
            name=cluster_name,
            location=env.location,
            subnet_ids=self.network.ref.private_subnet_ids,
            secrets_key_arn=secrets_key.ref.arn,
            log_key_arn=logs_key.ref.arn,
        )
        TerraformOutput(self, "vpc_id", value=self.network.ref.vpc_id, description="VPC id")
        TerraformOutput(self, "cluster_name", value=self.cluster.ref.name, description="EKS cluster name")
        TerraformOutput(
            self,
            "cluster_endpoint",
            value=self.cluster.ref.endpoint,
            description="EKS API endpoint (private)",
        )

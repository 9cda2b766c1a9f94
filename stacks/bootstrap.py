"""<env>-bootstrap: the encrypted state bucket, its KMS key and its access-log bucket, and the CI identities
(GitHub's OIDC provider once per account, the environment's plan and deploy roles), for environments whose
state lives in S3."""

from __future__ import annotations

from cdktf import LocalBackend, TerraformOutput, TerraformStack
from constructs import Construct

from environments.base import EnvironmentConfig
from marketplace_constructs import KmsKey, KmsKeyProps, SecureBucket, SecureBucketProps, resource_name
from marketplace_constructs.naming import PROJECT
from marketplace_constructs.security.ci_identity import (
    CiIdentity,
    CiIdentityProps,
    github_oidc_provider,
    provider_arn,
)
from stacks.backend import aws_provider, local_state_path

STATE_VERSION_DAYS = 365  # a year of old state versions to roll back to
STATE_LOG_DAYS = 365  # a year of requests to the state, beside the trail's S3 data events


class BootstrapStack(TerraformStack):
    """Deployed once per account/region before anything else; its own small state stays local (see README)."""

    def __init__(self, scope: Construct, stack_id: str, *, env: EnvironmentConfig, repository: str) -> None:
        """``repository``: the GitHub ``owner/name`` whose workflows may assume the CI roles."""
        super().__init__(scope, stack_id)
        LocalBackend(self, path=local_state_path(stack_id))
        aws_provider(self, env.location, dict(env.tags))
        key = KmsKey(
            self,
            "state_key",
            props=KmsKeyProps(
                alias=env.backend.key_alias,
                description=f"{env.name}: Terraform state",
                deletion_protection=env.deletion_protection,
            ),
            location=env.location,
        )
        # Server access logs (SSE-S3: the only encryption log delivery writes) of every request to the state.
        logs = SecureBucket(
            self,
            "state_access_logs",
            props=SecureBucketProps(
                bucket_name=f"{PROJECT}-{env.name}-state-logs-{env.location.account_id}",
                expire_after_days=STATE_LOG_DAYS,
                noncurrent_version_days=30,
                deletion_protection=env.deletion_protection,
                allow_access_log_delivery=True,
            ),
            location=env.location,
            key_arn=None,
        )
        bucket = SecureBucket(
            self,
            "state_bucket",
            props=SecureBucketProps(
                bucket_name=env.backend.bucket,
                noncurrent_version_days=STATE_VERSION_DAYS,
                access_log_bucket=logs.ref.name,
                deletion_protection=env.deletion_protection,
            ),
            location=env.location,
            key_arn=key.ref.arn,
        )
        TerraformOutput(
            self, "state_bucket_name", value=bucket.ref.name, description="S3 bucket holding Terraform state"
        )
        # A standby shares its primary's account, so it trusts the provider its primary's bootstrap made
        # (deploy the primary's bootstrap first).
        oidc = (
            provider_arn(env.location) if env.standby else github_oidc_provider(self, "github_oidc_provider")
        )
        owner = env.standby.primary if env.standby else env.name  # the account's trail is its owner's
        identity = CiIdentity(
            self, "ci",
            props=CiIdentityProps(
                repository=repository, environment=env.name,
                plan_role_name=role_name(env.plan_role_arn), deploy_role_name=role_name(env.deploy_role_arn),
                state_bucket=env.backend.bucket, state_log_bucket=logs.ref.name,
                trail_name=resource_name(owner, "audit"),
            ),
            location=env.location, oidc_provider_arn=oidc, state_key_arn=key.ref.arn,
        )  # fmt: skip
        TerraformOutput(
            self, "plan_role_arn", value=identity.ref.plan_role_arn, description="vars.AWS_PLAN_ROLE_ARN"
        )
        TerraformOutput(
            self,
            "deploy_role_arn",
            value=identity.ref.deploy_role_arn,
            description="vars.AWS_DEPLOY_ROLE_ARN",
        )


def role_name(arn: str) -> str:
    """The role name of an IAM role ARN (the configuration names roles by ARN)."""
    return arn.split(":role/", 1)[1].rsplit("/", 1)[-1]

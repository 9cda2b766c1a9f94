"""<env>-bootstrap: the encrypted state bucket and its KMS key, for environments whose state lives in S3."""

from __future__ import annotations

from cdktf import LocalBackend, TerraformOutput, TerraformStack
from constructs import Construct

from environments.base import EnvironmentConfig
from marketplace_constructs import KmsKey, KmsKeyProps, SecureBucket, SecureBucketProps
from stacks.backend import aws_provider, local_state_path

STATE_VERSION_DAYS = 365  # a year of old state versions to roll back to


class BootstrapStack(TerraformStack):
    """Deployed once per account/region before anything else; its own small state stays local (see README)."""

    def __init__(self, scope: Construct, stack_id: str, *, env: EnvironmentConfig) -> None:
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
        bucket = SecureBucket(
            self,
            "state_bucket",
            props=SecureBucketProps(
                bucket_name=env.backend.bucket,
                noncurrent_version_days=STATE_VERSION_DAYS,
                deletion_protection=env.deletion_protection,
            ),
            location=env.location,
            key_arn=key.ref.arn,
        )
        TerraformOutput(
            self, "state_bucket_name", value=bucket.ref.name, description="S3 bucket holding Terraform state"
        )

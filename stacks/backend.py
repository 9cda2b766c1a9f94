"""Per-stack Terraform state and the AWS provider, both derived from the environment config."""

from __future__ import annotations

from cdktf import LocalBackend, S3Backend, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags

from environments.base import EnvironmentConfig
from marketplace_constructs import AwsLocation


def local_state_path(stack_id: str) -> str:
    """State file at the checkout's root, relative to the stack's synth folder (cdktf.out/stacks/<id>):
    cdktf's default would write this machine's absolute path into the synthesized JSON."""
    return f"../../../terraform.{stack_id}.tfstate"


def configure_backend(stack: TerraformStack, env: EnvironmentConfig, stack_id: str) -> None:
    """S3 state (one key per stack, SSE-KMS, S3-native lock file) or, for a dev sandbox, a local file."""
    backend = env.backend
    if backend.kind == "local":
        LocalBackend(stack, path=local_state_path(stack_id))
        return
    s3 = S3Backend(
        stack,
        bucket=backend.bucket,
        key=f"{stack_id}/terraform.tfstate",
        region=env.location.region,
        encrypt=True,
        kms_key_id=env.location.arn("kms", f"alias/{backend.key_alias}"),
    )
    s3.add_override("use_lockfile", True)  # S3-native locking; cdktf 0.21's S3BackendConfig predates the flag


def aws_provider(stack: TerraformStack, location: AwsLocation, tags: dict[str, str]) -> AwsProvider:
    """AWS provider pinned to the environment's account (wrong credentials fail the plan), default tags."""
    return AwsProvider(
        stack,
        "aws",
        region=location.region,
        allowed_account_ids=[location.account_id],
        default_tags=[AwsProviderDefaultTags(tags=tags)],
    )

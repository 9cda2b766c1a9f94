"""Per-stack Terraform state and the AWS provider, both derived from the environment config."""

from __future__ import annotations

from typing import Final

from cdktf import LocalBackend, S3Backend, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags

from environments.base import EnvironmentConfig
from marketplace_constructs import AwsLocation

# Write-only arguments and ephemeral variables (production's database password) need Terraform 1.11, as does
# S3-native state locking without the experimental flag; `removed` blocks (dr's failover) 1.7.
MINIMUM_TERRAFORM: Final = "1.11.0"


def require_terraform(stack: TerraformStack) -> None:
    """``required_version``: an older Terraform stops at init with its own message instead of failing
    halfway through a plan or a runbook's deploy."""
    stack.add_override("terraform.required_version", f">= {MINIMUM_TERRAFORM}")


def local_state_path(stack_id: str) -> str:
    """State file at the checkout's root, relative to the stack's synth folder (cdktf.out/stacks/<id>):
    cdktf's default would write this machine's absolute path into the synthesized JSON."""
    return f"../../../terraform.{stack_id}.tfstate"


def configure_backend(stack: TerraformStack, env: EnvironmentConfig, stack_id: str) -> None:
    """S3 state (one key per stack, SSE-KMS, S3-native lock file) or, for a dev sandbox, a local file; and
    the Terraform version the stack needs."""
    require_terraform(stack)
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

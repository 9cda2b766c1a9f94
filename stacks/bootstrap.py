"""<env>-bootstrap: the encrypted state bucket, its KMS key and its access-log bucket, and the CI identities
(GitHub's OIDC provider once per account, the environment's plan and deploy roles), for environments whose
state lives in S3."""

from __future__ import annotations

from cdktf import LocalBackend, TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_kms_alias import DataAwsKmsAlias
from cdktf_cdktf_provider_aws.iam_policy import IamPolicy
from cdktf_cdktf_provider_aws.provider import AwsProvider
from constructs import Construct

from environments.base import EnvironmentConfig
from marketplace_constructs import KmsKey, KmsKeyProps, SecureBucket, SecureBucketProps
from marketplace_constructs.naming import PROJECT
from marketplace_constructs.security.audit import audit_bucket_name, audit_log_group, audit_trail_name
from marketplace_constructs.security.boundary import (
    WORKLOAD_BOUNDARY,
    Protected,
    workload_boundary_arn,
    workload_boundary_document,
)
from marketplace_constructs.security.ci_identity import (
    AccountGuard,
    CiIdentity,
    CiIdentityProps,
    StateRead,
    boundary_name,
    github_oidc_provider,
    provider_arn,
)
from stacks.backend import aws_provider, local_state_path, require_terraform
from stacks.ci import plan_environment

STATE_VERSION_DAYS = 365  # a year of old state versions to roll back to
STATE_LOG_DAYS = 365  # a year of requests to the state, beside the trail's S3 data events


class BootstrapStack(TerraformStack):
    """Deployed once per account/region before anything else; its own small state stays local (see README)."""

    def __init__(
        self,
        scope: Construct,
        stack_id: str,
        *,
        env: EnvironmentConfig,
        repository: str,
        peers: tuple[EnvironmentConfig, ...],
        reads: tuple[EnvironmentConfig, ...] = (),
    ) -> None:
        """``repository``: the GitHub ``owner/name`` whose workflows may assume the CI roles; ``peers``: every
        environment of the account (``env`` among them; the one with ``owns_account`` makes the account's
        shared objects); ``reads``: the environments whose foundation state ``env``'s stacks read."""
        super().__init__(scope, stack_id)
        LocalBackend(self, path=local_state_path(stack_id))
        require_terraform(self)
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
                bucket_name=state_log_bucket(env.name, env.location.account_id),
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
        # One OIDC provider and one workload boundary per account, made by the environment that owns it; the
        # others of the account use them by name (deploy the owner's bootstrap first).
        owner = next(peer for peer in peers if peer.owns_account)
        account = env.location.account_id
        stateful = [peer for peer in peers if peer.backend.kind == "s3"]  # a local-state peer has no bucket
        buckets = tuple(b for p in stateful for b in (p.backend.bucket, state_log_bucket(p.name, account)))
        trail = audit_trail_name(owner.name)
        protected = Protected(
            account_id=account, trail_arn=owner.location.arn("cloudtrail", f"trail/{trail}"),
            audit_bucket=audit_bucket_name(owner.name, account), audit_alias=trail,
            audit_log_group=owner.location.arn("logs", f"log-group:{audit_log_group(trail)}"),
            state_buckets=buckets, state_aliases=tuple(peer.backend.key_alias for peer in stateful),
        )  # fmt: skip
        if owner.name == env.name:
            oidc = github_oidc_provider(self, "github_oidc_provider")
            document = workload_boundary_document(protected)
            boundary_arn = IamPolicy(
                self, "workload_boundary", name=WORKLOAD_BOUNDARY, policy=document,
                description="Ceiling of every role the stacks create: no IAM changes, trail and state kept",
            ).arn  # fmt: skip
        else:
            oidc, boundary_arn = provider_arn(env.location), workload_boundary_arn(account)
        identity = CiIdentity(
            self, "ci",
            props=CiIdentityProps(
                repository=repository, environment=env.name, plan_environment=plan_environment(env.name),
                plan_role_name=role_name(env.plan_role_arn), deploy_role_name=role_name(env.deploy_role_arn),
                state_bucket=env.backend.bucket,
                reads=tuple(self._state_read(other) for other in reads),
                guard=AccountGuard(
                    ci_roles=tuple(role_name(a) for p in peers for a in (p.plan_role_arn, p.deploy_role_arn)),
                    boundaries=tuple(boundary_name(role_name(p.deploy_role_arn)) for p in peers),
                    workload_boundary_arn=boundary_arn, protected=protected,
                ),
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

    def _state_read(self, other: EnvironmentConfig) -> StateRead:
        """``other``'s foundation state, with its key's ARN read from its alias in ``other``'s region (KMS
        is regional; the key belongs to ``other``'s bootstrap, deployed before this one)."""
        provider = AwsProvider(
            self, f"{other.name}_region", alias=other.name, region=other.location.region,
            allowed_account_ids=[other.location.account_id],
        )  # fmt: skip
        alias = DataAwsKmsAlias(
            self, f"{other.name}_state_key", name=f"alias/{other.backend.key_alias}", provider=provider
        )
        return StateRead(
            bucket=other.backend.bucket, key=f"{other.name}-foundation/terraform.tfstate",
            key_arn=alias.target_key_arn,
        )  # fmt: skip


def state_log_bucket(env: str, account_id: str) -> str:
    """The bucket receiving the state bucket's server access logs."""
    return f"{PROJECT}-{env}-state-logs-{account_id}"


def role_name(arn: str) -> str:
    """The role name of an IAM role ARN (the configuration names roles by ARN)."""
    return arn.split(":role/", 1)[1].rsplit("/", 1)[-1]

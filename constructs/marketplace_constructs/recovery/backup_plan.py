"""AWS Backup: KMS-encrypted, optionally locked vaults (``BackupVault``) and an hourly plan over listed
resources whose recovery points can be copied to a vault of another region (``BackupPlan``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cdktf_cdktf_provider_aws.backup_plan import BackupPlan as BackupPlanResource
from cdktf_cdktf_provider_aws.backup_plan import (
    BackupPlanRule,
    BackupPlanRuleCopyAction,
    BackupPlanRuleCopyActionLifecycle,
    BackupPlanRuleLifecycle,
)
from cdktf_cdktf_provider_aws.backup_selection import BackupSelection
from cdktf_cdktf_provider_aws.backup_vault import BackupVault as BackupVaultResource
from cdktf_cdktf_provider_aws.backup_vault_lock_configuration import BackupVaultLockConfiguration
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from marketplace_constructs.aws import AwsLocation
from marketplace_constructs.errors import ConfigError, is_known
from marketplace_constructs.protection import prevent_destroy
from marketplace_constructs.recovery._trust import assumed_by
from marketplace_constructs.recovery.props import BackupPlanProps, BackupVaultProps
from marketplace_constructs.security.boundary import bounded_role


def schedule(frequency_hours: int) -> str:
    """AWS Backup's cron for a recovery point every ``frequency_hours`` (on the hour, UTC)."""
    hours = "*" if frequency_hours == 1 else f"0/{frequency_hours}"
    return f"cron(0 {hours} ? * * *)"


START_WINDOW_MINUTES: Final = 60  # AWS Backup's minimum; a job not started by then is skipped
COMPLETION_WINDOW_MINUTES: Final = 120
# AWS's managed policies for a backup role: take and copy recovery points of every supported service, and
# restore them (service-role/ path).
BACKUP_ROLE_POLICIES: Final = (
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class BackupVaultRef:
    """Handle to a vault: name and ARN (tokens); the ARN is what a copy action in another region names."""

    name: str
    arn: str


@dataclass(frozen=True, slots=True, kw_only=True)
class BackupPlanRef:
    """Handle to a plan: its ARN, its vault and the role that backs up and restores."""

    plan_arn: str
    vault: BackupVaultRef
    role_arn: str


class BackupVault(Construct):
    """A vault encrypted with ``key_arn`` (a key of the stack's region), never force-destroyed, with the Vault
    Lock of ``props.lock``. On its own it is the target of another region's copy actions (dr's vault for
    production's copies); ``BackupPlan`` creates one for its own recovery points."""

    def __init__(self, scope: Construct, construct_id: str, *, props: BackupVaultProps, key_arn: str) -> None:
        super().__init__(scope, construct_id)
        vault = BackupVaultResource(self, "vault", name=props.name, kms_key_arn=key_arn, force_destroy=False)
        prevent_destroy(vault, props.deletion_protection)
        if props.lock is not None:
            BackupVaultLockConfiguration(
                self,
                "lock",
                backup_vault_name=vault.name,
                min_retention_days=props.lock.min_retention_days,
                max_retention_days=props.lock.max_retention_days,
                changeable_for_days=props.lock.compliance_grace_days,
            )
        self.ref = BackupVaultRef(name=vault.name, arn=vault.arn)


class BackupPlan(Construct):
    """Hourly backups of ``props.resource_arns`` into a new ``BackupVault`` (construct id ``vault``), kept
    ``props.retention_days`` days, each recovery point optionally copied, with the same retention, to
    ``props.copy_to_vault_arn`` in another region. A role trusted by ``backup.amazonaws.com`` with
    AWSBackupServiceRolePolicyForBackup and AWSBackupServiceRolePolicyForRestores takes the backups.

    The rule fires on every hour (UTC); a job must start within 60 minutes (AWS Backup's minimum start
    window) and finish within 120. The plan, its selection and its role (``<vault name>-backup``) are named
    after the vault."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: BackupPlanProps,
        location: AwsLocation,
        key_arn: str,
    ) -> None:
        """``location``: this stack's account and region; ``key_arn``: a key of that region for the vault."""
        super().__init__(scope, construct_id)
        copy_arn = props.copy_to_vault_arn
        if copy_arn is not None and is_known(copy_arn) and copy_arn.split(":")[3] == location.region:
            raise ConfigError(
                f"BackupPlanProps.copy_to_vault_arn must name a vault of another region than the stack's "
                f"({location.region}), got {copy_arn!r}"
            )
        name = props.vault.name
        vault = BackupVault(self, "vault", props=props.vault, key_arn=key_arn)
        role = bounded_role(
            self, "role", name=f"{name}-backup", assume_role_policy=assumed_by("backup.amazonaws.com")
        )
        for index, policy_arn in enumerate(BACKUP_ROLE_POLICIES):
            IamRolePolicyAttachment(self, f"role_policy_{index}", role=role.name, policy_arn=policy_arn)
        copy_actions = (
            [
                BackupPlanRuleCopyAction(
                    destination_vault_arn=copy_arn,
                    lifecycle=BackupPlanRuleCopyActionLifecycle(delete_after=props.retention_days),
                )
            ]
            if copy_arn is not None
            else None
        )
        plan = BackupPlanResource(
            self,
            "plan",
            name=name,
            rule=[
                BackupPlanRule(
                    rule_name="hourly" if props.frequency_hours == 1 else f"every-{props.frequency_hours}h",
                    target_vault_name=vault.ref.name,
                    schedule=schedule(props.frequency_hours),
                    start_window=START_WINDOW_MINUTES,
                    completion_window=COMPLETION_WINDOW_MINUTES,
                    lifecycle=BackupPlanRuleLifecycle(delete_after=props.retention_days),
                    copy_action=copy_actions,
                )
            ],
        )
        BackupSelection(
            self,
            "selection",
            name=name,
            plan_id=plan.id,
            iam_role_arn=role.arn,
            resources=list(props.resource_arns),
        )
        self.ref = BackupPlanRef(plan_arn=plan.arn, vault=vault.ref, role_arn=role.arn)

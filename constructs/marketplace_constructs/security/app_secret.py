"""AppSecret: a Secrets Manager secret whose value never passes through Terraform."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.secretsmanager_secret import SecretsmanagerSecret
from constructs import Construct

from marketplace_constructs.errors import check_pattern, check_range
from marketplace_constructs.protection import prevent_destroy


class AppSecret(Construct):
    """An empty secret, encrypted with ``key_arn``; its owner puts the value in out of band (see README), so
    no value appears in the repository, the synthesized JSON or Terraform state.

    ``recovery_days`` (7-30): how long a deleted secret can be restored. ``deletion_protection``: refuse
    ``terraform destroy``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        description: str,
        key_arn: str,
        recovery_days: int = 30,
        deletion_protection: bool = True,
    ) -> None:
        super().__init__(scope, construct_id)
        check_pattern("AppSecret", "name", name, r"[\w/+=.@-]{1,512}", "a Secrets Manager name")
        check_range("AppSecret", "recovery_days", recovery_days, 7, 30, " days")
        secret = SecretsmanagerSecret(
            self, "secret", name=name, description=description, kms_key_id=key_arn,
            recovery_window_in_days=recovery_days,
        )  # fmt: skip
        prevent_destroy(secret, deletion_protection)
        self.arn: str = secret.arn

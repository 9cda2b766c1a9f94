"""A customer-managed KMS key with rotation, a deletion window, an alias and a least-privilege key policy."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey as KmsKeyResource
from constructs import Construct

from marketplace_constructs.aws import KMS_KEY_USE, AwsLocation, policy_document
from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_pattern, check_range
from marketplace_constructs.protection import prevent_destroy


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class KmsKeyProps:
    """One key for one purpose (logs, cluster secrets, state...).

    Attributes:
        alias: Alias name without the ``alias/`` prefix. Required.
        description: What the key protects. Required.
        deletion_window_days: Days a scheduled deletion can still be cancelled, 7-30. Default: 30.
        cloudwatch_logs: Let CloudWatch Logs use the key, only for log groups of this account and region
            (condition on the log-group ARN in the encryption context). Default: False.
        deletion_protection: Refuse ``terraform destroy`` (its data dies with the key). Default: True.
        autoscaling_role_arn: ARN of the account's ``AWSServiceRoleForAutoScaling``, to let it use the key for
            the EBS volumes of instances it launches (managed node groups); IAM policies cannot grant that
            role. Pass the token of the role's resource or data source, so the key is created after it: KMS
            refuses a policy naming a principal that does not exist. Default: None.
        publishers: AWS service principals (``cloudwatch.amazonaws.com``...) that may encrypt messages they
            publish to an SNS topic under this key, for this account only. Default: ().
    """

    alias: str
    description: str
    deletion_window_days: int = 30
    cloudwatch_logs: bool = False
    deletion_protection: bool = True
    autoscaling_role_arn: str | None = None
    publishers: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for service in self.publishers:
            check_pattern(
                "KmsKeyProps", "publishers", service, r"[a-z0-9-]+\.amazonaws\.com", "service principals"
            )
        check_pattern(
            "KmsKeyProps", "alias", self.alias, r"[a-zA-Z0-9/_-]+", "letters, digits, '/', '_' or '-'"
        )
        if self.alias.startswith("aws/"):
            raise ConfigError(
                f"KmsKeyProps.alias must not start with the reserved 'aws/', got {self.alias!r}"
            )
        check_range("KmsKeyProps", "deletion_window_days", self.deletion_window_days, 7, 30, " days")


@dataclass(frozen=True, slots=True, kw_only=True)
class KmsKeyRef:
    """Handle to a key: its ARN and alias ARN (tokens)."""

    arn: str
    alias_arn: str


class KmsKey(Construct):
    """Symmetric key with yearly rotation; its policy admits only the account (via IAM) and named services.
    ``location`` is where the key lives: the stack's region, or ``provider``'s."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: KmsKeyProps,
        location: AwsLocation,
        provider: TerraformProvider | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        statements: list[dict[str, object]] = [
            {
                "Sid": "AccountAdministersAndGrantsThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": location.root_arn},
                "Action": "kms:*",
                "Resource": "*",
            }
        ]
        if props.cloudwatch_logs:
            statements.append(
                {
                    "Sid": "CloudWatchLogsForOwnLogGroups",
                    "Effect": "Allow",
                    "Principal": {"Service": f"logs.{location.region}.amazonaws.com"},
                    "Action": [
                        "kms:Encrypt*",
                        "kms:Decrypt*",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:Describe*",
                    ],
                    "Resource": "*",
                    "Condition": {
                        "ArnLike": {"kms:EncryptionContext:aws:logs:arn": location.arn("logs", "log-group:*")}
                    },
                }
            )
        if props.autoscaling_role_arn is not None:
            autoscaling = props.autoscaling_role_arn
            statements += [
                {
                    "Sid": "AutoScalingEncryptsNodeVolumes",
                    "Effect": "Allow",
                    "Principal": {"AWS": autoscaling},
                    "Action": list(KMS_KEY_USE),
                    "Resource": "*",
                },
                {
                    "Sid": "AutoScalingGrantsForNodeVolumes",
                    "Effect": "Allow",
                    "Principal": {"AWS": autoscaling},
                    "Action": "kms:CreateGrant",
                    "Resource": "*",
                    "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
                },
            ]
        if props.publishers:
            statements.append(
                {
                    "Sid": "ServicesPublishToEncryptedTopics",
                    "Effect": "Allow",
                    "Principal": {"Service": list(props.publishers)},
                    "Action": ["kms:GenerateDataKey*", "kms:Decrypt"],
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:SourceAccount": location.account_id}},
                }
            )
        key = KmsKeyResource(
            self,
            "key",
            description=props.description,
            enable_key_rotation=True,
            deletion_window_in_days=props.deletion_window_days,
            policy=policy_document(statements),
            provider=provider,
        )
        prevent_destroy(key, props.deletion_protection)
        alias = KmsAlias(
            self, "alias", name=f"alias/{props.alias}", target_key_id=key.key_id, provider=provider
        )
        self.ref = KmsKeyRef(arn=key.arn, alias_arn=alias.arn)

    @property
    def arn(self) -> str:
        """The key's ARN (a token), for a policy or a resource's ``kms_key_id``."""
        return self.ref.arn

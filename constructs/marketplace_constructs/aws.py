"""Where resources live (account and region) and the ARNs built from it, known at synth time."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import check_pattern
from marketplace_constructs.regions import check_region


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class AwsLocation:
    """The AWS account and region a stack deploys to.

    Attributes:
        account_id: 12-digit AWS account id. Required.
        region: AWS region, e.g. "us-east-1". Required.
    """

    account_id: str
    region: str

    def __post_init__(self) -> None:
        check_pattern("AwsLocation", "account_id", self.account_id, r"\d{12}", "a 12-digit AWS account id")
        check_region("AwsLocation", "region", self.region)

    @property
    def root_arn(self) -> str:
        """The account's root principal, which key policies name so IAM policies can grant key use."""
        return f"arn:aws:iam::{self.account_id}:root"

    def arn(self, service: str, resource: str) -> str:
        """A regional ARN in this account, e.g. ``arn(\"logs\", \"log-group:dev-*\")``."""
        return f"arn:aws:{service}:{self.region}:{self.account_id}:{resource}"


# What a principal needs to encrypt and decrypt with a KMS key (grants are listed separately where needed).
KMS_KEY_USE: Final = (
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
    "kms:DescribeKey",
)


def policy_document(statements: Sequence[Mapping[str, object]]) -> str:
    """Render an IAM policy document as stable JSON (tokens inside strings pass through unchanged)."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def service_trust_policy(service: str, account_id: str) -> str:
    """Trust policy letting one AWS service assume a role, only for ``account_id`` (confused deputy)."""
    return policy_document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": service},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ]
    )

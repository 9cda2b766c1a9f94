"""Trust policy of a role an AWS service assumes to act on this account's own resources."""

from __future__ import annotations

from marketplace_constructs.aws import policy_document


def assumed_by(service: str) -> str:
    """Let ``service`` (``s3.amazonaws.com``, ``backup.amazonaws.com``) assume the role, as AWS documents
    for S3 replication and AWS Backup roles: without the ``aws:SourceAccount`` condition of
    ``service_trust_policy``, because neither service documents sending that key when it assumes the role,
    and an absent key fails the condition, so replication or backups would silently stop. The confused
    deputy stays closed: pointing a replication rule or backup selection at a role needs ``iam:PassRole``
    on it, which only principals of this account can hold."""
    return policy_document(
        [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]
    )

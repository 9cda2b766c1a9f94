"""KmsKey and SecureBucket: validation and the policies they write."""

from __future__ import annotations

import json

import pytest

from marketplace_constructs import (
    AwsLocation,
    ConfigError,
    KmsKey,
    KmsKeyProps,
    SecureBucket,
    SecureBucketProps,
)
from tests.constructs.synth import LOCATION, synth_construct


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"alias": "aws/ebs"}, r"KmsKeyProps.alias must not start with the reserved 'aws/', got 'aws/ebs'"),
        ({"alias": "has space"}, r"KmsKeyProps.alias must be letters, digits"),
        (
            {"deletion_window_days": 3},
            r"KmsKeyProps.deletion_window_days must be between 7 and 30 days, got 3",
        ),
        ({"publishers": ("cloudwatch",)}, r"KmsKeyProps.publishers must be service principals"),
    ],
)
def test_key_props_reject_bad_values(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        KmsKeyProps(**{"alias": "ok", "description": "d", **overrides})  # type: ignore[arg-type]


@pytest.mark.parametrize("cloudwatch_logs", [False, True])
def test_key_policy_admits_cloudwatch_logs_only_when_asked_and_only_for_own_log_groups(
    cloudwatch_logs: bool,
) -> None:
    props = KmsKeyProps(alias="t-logs", description="d", cloudwatch_logs=cloudwatch_logs)
    resources = synth_construct(lambda scope: KmsKey(scope, "key", props=props, location=LOCATION))
    (key,) = resources["aws_kms_key"].values()
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 30
    statements = json.loads(key["policy"])["Statement"]
    services = [s for s in statements if "Service" in s["Principal"]]
    assert len(services) == int(cloudwatch_logs)
    if cloudwatch_logs:
        condition = services[0]["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
        assert condition == "arn:aws:logs:us-east-1:123456789012:log-group:*"


def test_key_policy_lets_named_services_publish_to_topics_of_this_account_only() -> None:
    props = KmsKeyProps(alias="t-alerts", description="d", publishers=("cloudwatch.amazonaws.com",))
    resources = synth_construct(lambda scope: KmsKey(scope, "key", props=props, location=LOCATION))
    (key,) = resources["aws_kms_key"].values()
    (publish,) = [s for s in json.loads(key["policy"])["Statement"] if "Service" in s["Principal"]]
    assert publish["Principal"] == {"Service": ["cloudwatch.amazonaws.com"]}
    assert publish["Action"] == ["kms:GenerateDataKey*", "kms:Decrypt"]
    assert publish["Condition"] == {"StringEquals": {"aws:SourceAccount": LOCATION.account_id}}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"bucket_name": "Upper_Case"}, r"SecureBucketProps.bucket_name must be 3-63 lower-case letters"),
        (
            {"noncurrent_version_days": 0},
            r"SecureBucketProps.noncurrent_version_days must be between 1 and 3650 days",
        ),
    ],
)
def test_bucket_props_reject_bad_values(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SecureBucketProps(**{"bucket_name": "ok-bucket", **overrides})  # type: ignore[arg-type]


def test_bucket_enforces_owner_and_expires_old_versions_and_stale_uploads() -> None:
    props = SecureBucketProps(bucket_name="t-bucket", noncurrent_version_days=30)
    resources = synth_construct(
        lambda scope: SecureBucket(scope, "b", props=props, location=LOCATION, key_arn="arn:key")
    )
    (ownership,) = resources["aws_s3_bucket_ownership_controls"].values()
    assert ownership["rule"]["object_ownership"] == "BucketOwnerEnforced"
    (lifecycle,) = resources["aws_s3_bucket_lifecycle_configuration"].values()
    rule = lifecycle["rule"][0]
    assert rule["noncurrent_version_expiration"][0]["noncurrent_days"] == 30
    assert rule["abort_incomplete_multipart_upload"][0]["days_after_initiation"] == 7


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"account_id": "12345"}, r"AwsLocation.account_id must be a 12-digit AWS account id, got '12345'"),
        ({"region": "us-east"}, r"AwsLocation.region must be one of 'af-south-1'"),
    ],
)
def test_location_rejects_bad_values(overrides: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        AwsLocation(**{"account_id": "123456789012", "region": "us-east-1", **overrides})

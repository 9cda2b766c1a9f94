"""AuditTrail and ThreatDetection: validation, and the trail, key, bucket, log copy and detector written."""

from __future__ import annotations

import json
from typing import Any

import cdktf
import pytest
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket

from marketplace_constructs import ConfigError
from marketplace_constructs.aws_models import enumeration
from marketplace_constructs.security.audit import (
    DETECTOR_FEATURES,
    AuditTrail,
    AuditTrailProps,
    ThreatDetection,
    ThreatDetectionProps,
)
from tests.constructs.synth import LOCATION, synth_construct

LOG_KEY = "arn:aws:kms:us-east-1:123456789012:key/logs"
TRAIL_ARN = "arn:aws:cloudtrail:us-east-1:123456789012:trail/production-audit"
STATE = "arn:aws:s3:::llm-marketplace-production-state"
BACKUPS = "arn:aws:s3:::llm-marketplace-production-backups-123456789012"
REQUIRED: dict[str, Any] = {
    "trail_name": "production-audit",
    "bucket_name": "llm-marketplace-audit-123456789012",
    "access_log_bucket": "llm-marketplace-production-access-logs-123456789012",
}


def audit_resources(**overrides: Any) -> dict[str, Any]:
    props = AuditTrailProps(**{**REQUIRED, "data_event_bucket_arns": (STATE, BACKUPS), **overrides})
    return synth_construct(
        lambda scope: AuditTrail(scope, "audit", props=props, location=LOCATION, log_key_arn=LOG_KEY)
    )


def only(resources: dict[str, Any], resource_type: str) -> tuple[str, dict[str, Any]]:
    """The one resource of ``resource_type``: its Terraform name and body."""
    ((name, body),) = resources[resource_type].items()
    return name, body


def statements(policy: str) -> dict[str, dict[str, Any]]:
    """A policy document's statements by Sid."""
    return {statement["Sid"]: statement for statement in json.loads(policy)["Statement"]}


@pytest.fixture(scope="module")
def audit() -> dict[str, Any]:
    return audit_resources()


def test_trail_records_every_region_and_global_services_with_validation(audit: dict[str, Any]) -> None:
    _, trail = only(audit, "aws_cloudtrail")
    assert trail["name"] == "production-audit"
    assert trail["is_multi_region_trail"] is True
    assert trail["include_global_service_events"] is True
    assert trail["enable_log_file_validation"] is True
    assert trail["enable_logging"] is True
    assert trail["lifecycle"] == {"prevent_destroy": True}


def test_trail_encrypts_with_its_own_rotating_key(audit: dict[str, Any]) -> None:
    key_name, key = only(audit, "aws_kms_key")
    _, trail = only(audit, "aws_cloudtrail")
    assert trail["kms_key_id"] == f"${{aws_kms_key.{key_name}.arn}}"
    assert key["enable_key_rotation"] is True and key["deletion_window_in_days"] == 30
    assert key["lifecycle"] == {"prevent_destroy": True}
    _, alias = only(audit, "aws_kms_alias")
    assert alias["name"] == "alias/production-audit"


def test_key_policy_admits_cloudtrail_only_for_this_trail(audit: dict[str, Any]) -> None:
    _, key = only(audit, "aws_kms_key")
    policy = statements(key["policy"])
    assert set(policy) == {
        "AccountAdministersAndGrantsThroughIam",
        "CloudTrailEncryptsLogFiles",
        "CloudTrailDescribesKey",
        "CloudTrailDecryptsForBucketKey",
    }
    account = policy.pop("AccountAdministersAndGrantsThroughIam")
    assert account["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}  # readers need an IAM grant
    encrypt = policy["CloudTrailEncryptsLogFiles"]
    assert encrypt["Action"] == "kms:GenerateDataKey*"
    assert encrypt["Condition"]["StringLike"] == {
        "kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:123456789012:trail/*"
    }
    assert policy["CloudTrailDecryptsForBucketKey"]["Action"] == "kms:Decrypt"
    for statement in policy.values():
        assert statement["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
        assert statement["Condition"]["StringEquals"] == {"aws:SourceArn": TRAIL_ARN}


def test_bucket_locks_versions_encrypts_and_logs_access(audit: dict[str, Any]) -> None:
    bucket_name, bucket = only(audit, "aws_s3_bucket")
    key_name, _ = only(audit, "aws_kms_key")
    _, trail = only(audit, "aws_cloudtrail")
    assert bucket["bucket"] == "llm-marketplace-audit-123456789012"
    assert bucket["object_lock_enabled"] is True and bucket["lifecycle"] == {"prevent_destroy": True}
    assert trail["s3_bucket_name"] == f"${{aws_s3_bucket.{bucket_name}.bucket}}"
    _, lock = only(audit, "aws_s3_bucket_object_lock_configuration")
    assert lock["rule"]["default_retention"] == {"mode": "GOVERNANCE", "days": 365}
    _, versioning = only(audit, "aws_s3_bucket_versioning")
    assert versioning["versioning_configuration"]["status"] == "Enabled"
    _, logging = only(audit, "aws_s3_bucket_logging")
    assert logging["target_bucket"] == "llm-marketplace-production-access-logs-123456789012"
    _, encryption = only(audit, "aws_s3_bucket_server_side_encryption_configuration")
    default = encryption["rule"][0]["apply_server_side_encryption_by_default"]
    assert default == {"sse_algorithm": "aws:kms", "kms_master_key_id": f"${{aws_kms_key.{key_name}.arn}}"}


def test_bucket_policy_keeps_tls_only_and_lets_only_this_trail_write(audit: dict[str, Any]) -> None:
    bucket_name, _ = only(audit, "aws_s3_bucket")
    _, bucket_policy = only(audit, "aws_s3_bucket_policy")  # one policy: a second would replace the first
    policy = statements(bucket_policy["policy"])
    arn = f"${{aws_s3_bucket.{bucket_name}.arn}}"
    assert set(policy) == {"DenyInsecureTransport", "CloudTrailChecksBucketAcl", "CloudTrailWritesLogFiles"}
    assert policy["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    acl = policy["CloudTrailChecksBucketAcl"]
    assert (acl["Action"], acl["Resource"]) == ("s3:GetBucketAcl", arn)
    assert acl["Condition"] == {"StringEquals": {"aws:SourceArn": TRAIL_ARN}}
    write = policy["CloudTrailWritesLogFiles"]
    assert (write["Action"], write["Resource"]) == ("s3:PutObject", f"{arn}/AWSLogs/123456789012/*")
    assert write["Condition"] == {
        "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL_ARN}
    }
    for statement in (acl, write):
        assert statement["Principal"] == {"Service": "cloudtrail.amazonaws.com"}


def test_cloudwatch_copy_is_encrypted_kept_a_year_and_written_by_a_role_scoped_to_the_group(
    audit: dict[str, Any],
) -> None:
    group_name, group = only(audit, "aws_cloudwatch_log_group")
    assert group["name"] == "/aws/cloudtrail/production-audit"
    assert group["kms_key_id"] == LOG_KEY and group["retention_in_days"] == 365
    role_name, role = only(audit, "aws_iam_role")
    (trust,) = json.loads(role["assume_role_policy"])["Statement"]
    assert trust["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    _, role_policy = only(audit, "aws_iam_role_policy")
    assert role_policy["role"] == f"${{aws_iam_role.{role_name}.id}}"
    (grant,) = json.loads(role_policy["policy"])["Statement"]
    assert grant["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert grant["Resource"] == f"${{aws_cloudwatch_log_group.{group_name}.arn}}:log-stream:*"
    _, trail = only(audit, "aws_cloudtrail")
    assert trail["cloud_watch_logs_group_arn"] == f"${{aws_cloudwatch_log_group.{group_name}.arn}}:*"
    assert trail["cloud_watch_logs_role_arn"] == f"${{aws_iam_role.{role_name}.arn}}"


def test_trail_is_created_after_its_bucket_policy_and_role_policy(audit: dict[str, Any]) -> None:
    _, trail = only(audit, "aws_cloudtrail")
    bucket_policy, _ = only(audit, "aws_s3_bucket_policy")
    role_policy, _ = only(audit, "aws_iam_role_policy")
    assert trail["depends_on"] == [
        f"aws_s3_bucket_policy.{bucket_policy}",
        f"aws_iam_role_policy.{role_policy}",
    ]


def test_data_events_record_reads_and_writes_of_exactly_the_given_buckets(audit: dict[str, Any]) -> None:
    _, trail = only(audit, "aws_cloudtrail")
    management, data = trail["advanced_event_selector"]
    assert management["field_selector"] == [{"field": "eventCategory", "equals": ["Management"]}]
    fields = {selector["field"]: selector for selector in data["field_selector"]}
    assert set(fields) == {"eventCategory", "resources.type", "resources.ARN"}  # no readOnly: both
    assert fields["eventCategory"]["equals"] == ["Data"]
    assert fields["resources.type"]["equals"] == ["AWS::S3::Object"]
    assert fields["resources.ARN"]["starts_with"] == [f"{STATE}/", f"{BACKUPS}/"]


def test_without_data_event_buckets_the_trail_records_management_events_only() -> None:
    _, trail = only(audit_resources(data_event_bucket_arns=()), "aws_cloudtrail")
    (management,) = trail["advanced_event_selector"]
    assert management["field_selector"] == [{"field": "eventCategory", "equals": ["Management"]}]


def test_retention_and_lock_follow_props() -> None:
    resources = audit_resources(log_retention_days=30, object_lock_days=90)
    assert only(resources, "aws_cloudwatch_log_group")[1]["retention_in_days"] == 30
    lock = only(resources, "aws_s3_bucket_object_lock_configuration")[1]
    assert lock["rule"]["default_retention"]["days"] == 90
    lifecycle = only(resources, "aws_s3_bucket_lifecycle_configuration")[1]
    assert lifecycle["rule"][0]["noncurrent_version_expiration"][0]["noncurrent_days"] == 90


def test_without_deletion_protection_trail_key_and_bucket_can_be_destroyed() -> None:
    resources = audit_resources(deletion_protection=False)
    for resource_type in ("aws_cloudtrail", "aws_kms_key", "aws_s3_bucket"):
        assert "lifecycle" not in only(resources, resource_type)[1], resource_type


def test_data_event_bucket_arns_may_be_tokens() -> None:
    def build(scope: Any) -> None:
        other = S3Bucket(scope, "other", bucket="other-bucket")
        props = AuditTrailProps(**REQUIRED, data_event_bucket_arns=(other.arn,))
        AuditTrail(scope, "audit", props=props, location=LOCATION, log_key_arn=LOG_KEY)

    _, trail = only(synth_construct(build), "aws_cloudtrail")
    arns = trail["advanced_event_selector"][1]["field_selector"][2]["starts_with"]
    assert arns == ["${aws_s3_bucket.other.arn}/"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"trail_name": "Production_Audit"},
            r"AuditTrailProps.trail_name must be 3-40 lower-case letters or digits in words joined by "
            r"single '-', got 'Production_Audit'",
        ),
        ({"trail_name": "a--b"}, r"AuditTrailProps.trail_name must be 3-40 .*, got 'a--b'"),
        ({"trail_name": "x" * 41}, r"AuditTrailProps.trail_name must be 3-40 "),
        ({"bucket_name": "Audit"}, r"AuditTrailProps.bucket_name must be 3-63 lower-case letters"),
        ({"access_log_bucket": "arn:aws:s3:::logs"}, r"AuditTrailProps.access_log_bucket must be 3-63 "),
        (
            {"data_event_bucket_arns": ("arn:aws:s3:::state/*",)},
            r"AuditTrailProps.data_event_bucket_arns must be bucket ARNs such as 'arn:aws:s3:::my-bucket' "
            r"\(no key, no wildcard\), got 'arn:aws:s3:::state/\*'",
        ),
        (
            {"data_event_bucket_arns": (STATE, STATE)},
            rf"AuditTrailProps.data_event_bucket_arns must name each bucket once, got '{STATE}' twice",
        ),
        (
            {"data_event_bucket_arns": [STATE]},
            r"AuditTrailProps.data_event_bucket_arns must be a tuple of str, got list .*; write a tuple",
        ),
        (
            {"log_retention_days": 100},
            r"AuditTrailProps.log_retention_days must be one of 1, 3, .*, 3653, got 100",
        ),
        (
            {"object_lock_days": 0},
            r"AuditTrailProps.object_lock_days must be between 1 and 3650 days, got 0",
        ),
        ({"log_retention": 365}, r"AuditTrailProps has no field 'log_retention'; did you mean"),
    ],
)
def test_audit_trail_props_reject_bad_values(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        AuditTrailProps(**{**REQUIRED, **overrides})


def test_audit_trail_props_need_names() -> None:
    with pytest.raises(ConfigError, match=r"AuditTrailProps needs 'bucket_name', 'access_log_bucket'"):
        AuditTrailProps(trail_name="production-audit")  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def threat_detection() -> dict[str, Any]:
    return synth_construct(
        lambda scope: ThreatDetection(scope, "threat_detection", props=ThreatDetectionProps())
    )


def test_detector_is_enabled_and_publishes_every_15_minutes(threat_detection: dict[str, Any]) -> None:
    _, detector = only(threat_detection, "aws_guardduty_detector")
    assert detector["enable"] is True
    assert detector["finding_publishing_frequency"] == "FIFTEEN_MINUTES"
    assert detector["lifecycle"] == {"prevent_destroy": True}
    assert "datasources" not in detector  # deprecated by the provider in favour of detector features


def test_detector_turns_on_s3_eks_audit_and_runtime_monitoring_with_managed_eks_agent(
    threat_detection: dict[str, Any],
) -> None:
    detector_name, _ = only(threat_detection, "aws_guardduty_detector")
    features = {body["name"]: body for body in threat_detection["aws_guardduty_detector_feature"].values()}
    assert set(features) == {"S3_DATA_EVENTS", "EKS_AUDIT_LOGS", "RUNTIME_MONITORING"}
    for feature in features.values():
        assert feature["status"] == "ENABLED"
        assert feature["detector_id"] == f"${{aws_guardduty_detector.{detector_name}.id}}"
    assert features["RUNTIME_MONITORING"]["additional_configuration"] == [
        {"name": "EKS_ADDON_MANAGEMENT", "status": "ENABLED"}
    ]
    assert "additional_configuration" not in features["S3_DATA_EVENTS"]


def test_detector_features_are_guardduty_values() -> None:
    assert set(DETECTOR_FEATURES) <= enumeration("guardduty", "DetectorFeature")
    extras = {extra for values in DETECTOR_FEATURES.values() for extra in values}
    assert extras <= enumeration("guardduty", "FeatureAdditionalConfiguration")
    # Runtime Monitoring superseded EKS Runtime Monitoring; GuardDuty refuses both on one detector.
    assert "EKS_RUNTIME_MONITORING" not in DETECTOR_FEATURES


def test_detector_without_deletion_protection_can_be_destroyed() -> None:
    resources = synth_construct(
        lambda scope: ThreatDetection(
            scope, "threat_detection", props=ThreatDetectionProps(deletion_protection=False)
        )
    )
    assert "lifecycle" not in only(resources, "aws_guardduty_detector")[1]


def test_threat_detection_props_reject_wrong_types() -> None:
    with pytest.raises(ConfigError, match=r"ThreatDetectionProps.deletion_protection must be a bool"):
        ThreatDetectionProps(deletion_protection="yes")  # type: ignore[arg-type]


def test_a_detector_an_organization_manages_is_read_not_created() -> None:
    """Creating a second detector fails ("a detector already exists for the current account") where an
    AWS Organizations delegated administrator enabled GuardDuty: "existing" only reads it, so a plan fails
    where none exists."""
    stack = cdktf.TerraformStack(cdktf.Testing.app(), "test")
    AwsProvider(stack, "aws", region=LOCATION.region)
    ThreatDetection(stack, "guard", props=ThreatDetectionProps(detector="existing"))
    doc = json.loads(cdktf.Testing.synth(stack))
    assert "aws_guardduty_detector" not in doc.get("resource", {})
    assert "aws_guardduty_detector_feature" not in doc.get("resource", {})
    assert len(doc["data"]["aws_guardduty_detector"]) == 1
    with pytest.raises(
        ConfigError, match=r"ThreatDetectionProps.detector must be one of 'create', 'existing'"
    ):
        ThreatDetectionProps(detector="imported")  # type: ignore[arg-type]

"""AuditTrail (one per account: a multi-region CloudTrail trail, its Object Lock bucket, KMS key and
CloudWatch Logs copy) and ThreatDetection (one per account and region: a GuardDuty detector)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, get_args

from cdktf_cdktf_provider_aws.cloudtrail import (
    Cloudtrail,
    CloudtrailAdvancedEventSelector,
    CloudtrailAdvancedEventSelectorFieldSelector,
)
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.data_aws_guardduty_detector import DataAwsGuarddutyDetector
from cdktf_cdktf_provider_aws.guardduty_detector import GuarddutyDetector
from cdktf_cdktf_provider_aws.guardduty_detector_feature import (
    GuarddutyDetectorFeature,
    GuarddutyDetectorFeatureAdditionalConfiguration,
)
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey as KmsKeyResource
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from constructs import Construct

from marketplace_constructs.aws import AwsLocation, policy_document, service_trust_policy
from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_one_of, check_pattern, check_range, is_known
from marketplace_constructs.naming import PROJECT, resource_name
from marketplace_constructs.network.props import LOG_RETENTION_DAYS
from marketplace_constructs.protection import prevent_destroy
from marketplace_constructs.security.boundary import bounded_role
from marketplace_constructs.security.detector import DetectorMode
from marketplace_constructs.storage.props import SecureBucketProps
from marketplace_constructs.storage.secure_bucket import SecureBucket

CLOUDTRAIL: Final = "cloudtrail.amazonaws.com"
BUCKET_NAME: Final = r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]"  # the rule SecureBucketProps.bucket_name applies
KEY_DELETION_WINDOW_DAYS: Final = 30  # the longest KMS allows: the key dies with every log it encrypted

# GuardDuty features (botocore's DetectorFeature) and the additional configurations each turns on.
# EKS_ADDON_MANAGEMENT lets GuardDuty install and update its runtime agent add-on (aws-guardduty-agent)
# on every EKS cluster of the region, with the VPC endpoint the agent reports through.
DETECTOR_FEATURES: Final[Mapping[str, tuple[str, ...]]] = {
    "S3_DATA_EVENTS": (),
    "EKS_AUDIT_LOGS": (),
    "RUNTIME_MONITORING": ("EKS_ADDON_MANAGEMENT",),
}


def audit_trail_name(env: str) -> str:
    """The trail of the account ``env`` owns (also its key's alias, log group and CloudWatch role prefix)."""
    return resource_name(env, "audit")


def audit_log_group(trail_name: str) -> str:
    """The CloudWatch Logs copy of the trail ``trail_name``."""
    return f"/aws/cloudtrail/{trail_name}"


def audit_bucket_name(env: str, account_id: str) -> str:
    """The trail's bucket of the account ``env`` owns."""
    return f"{PROJECT}-{env}-audit-{account_id}"


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class AuditTrailProps:
    """The account's trail: what it is called, where it writes, how long its records are kept.

    Attributes:
        trail_name: 3-40 lower-case letters or digits in words joined by single '-'; also names the key
            alias, the log group and the CloudWatch role. Changing it replaces the trail. Required.
        bucket_name: Globally unique name of the trail's own bucket (SecureBucketProps.bucket_name's rule).
            Object Lock exists only from creation: changing it replaces the bucket. Required.
        access_log_bucket: Name of the bucket receiving the trail bucket's server access logs. Required.
        data_event_bucket_arns: Buckets whose object reads and writes are recorded as S3 data events
            (``arn:aws:s3:::<name>``; tokens pass). Default: () = management events only.
        log_retention_days: Days the CloudWatch Logs copy keeps events, one of CloudWatch's values.
            Default: 365.
        object_lock_days: Governance-mode retention of each log file, 1-3650; a deleted log file also stays
            recoverable (as a noncurrent version) that long. Default: 365.
        deletion_protection: Refuse ``terraform destroy`` of the trail, its key and its bucket. Default: True.
    """

    trail_name: str
    bucket_name: str
    access_log_bucket: str
    data_event_bucket_arns: tuple[str, ...] = ()
    log_retention_days: int = 365
    object_lock_days: int = 365
    deletion_protection: bool = True

    def __post_init__(self) -> None:
        owner = "AuditTrailProps"
        check_pattern(
            owner, "trail_name", self.trail_name, r"(?=.{3,40}$)[a-z0-9]+(-[a-z0-9]+)*",
            "3-40 lower-case letters or digits in words joined by single '-'",
        )  # fmt: skip
        for field in ("bucket_name", "access_log_bucket"):
            check_pattern(
                owner, field, getattr(self, field), BUCKET_NAME, "3-63 lower-case letters, digits or '-'"
            )
        for arn in self.data_event_bucket_arns:
            check_pattern(
                owner, "data_event_bucket_arns", arn, rf"arn:aws:s3:::{BUCKET_NAME}",
                "bucket ARNs such as 'arn:aws:s3:::my-bucket' (no key, no wildcard)",
            )  # fmt: skip
            if is_known(arn) and self.data_event_bucket_arns.count(arn) > 1:
                raise ConfigError(
                    f"{owner}.data_event_bucket_arns must name each bucket once, got {arn!r} twice"
                )
        check_one_of(owner, "log_retention_days", self.log_retention_days, LOG_RETENTION_DAYS)
        check_range(owner, "object_lock_days", self.object_lock_days, 1, 3650, " days")


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditTrailRef:
    """Handle to the trail (tokens): its ARN, bucket, KMS key (readers need kms:Decrypt) and log group (for
    metric filters and alarms)."""

    trail_arn: str
    bucket_name: str
    key_arn: str
    log_group_name: str


class AuditTrail(Construct):
    """A multi-region trail with global service events and log file validation, SSE-KMS with a key of its
    own, into a SecureBucket with Object Lock and access logging, copied to a CloudWatch log group encrypted
    with ``log_key_arn`` (a key whose policy admits CloudWatch Logs of this account and region).

    Create one per AWS account, in the stack of the trail's home region: production and dr share an account,
    and one trail records every region. ``location`` is that account and home region.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: AuditTrailProps,
        location: AwsLocation,
        log_key_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        # Spelt out, not read from the trail: the key and bucket policies must exist before the trail.
        trail_arn = location.arn("cloudtrail", f"trail/{props.trail_name}")
        key = self._key(props, location, trail_arn)
        bucket = SecureBucket(
            self,
            "bucket",
            props=SecureBucketProps(
                bucket_name=props.bucket_name, noncurrent_version_days=props.object_lock_days,
                object_lock_days=props.object_lock_days, access_log_bucket=props.access_log_bucket,
                deletion_protection=props.deletion_protection,
            ),
            location=location,
            key_arn=key.arn,
        )  # fmt: skip
        bucket_policy = _add_bucket_statements(
            bucket,
            [
                {
                    "Sid": "CloudTrailChecksBucketAcl",
                    "Effect": "Allow",
                    "Principal": {"Service": CLOUDTRAIL},
                    "Action": "s3:GetBucketAcl",
                    "Resource": bucket.ref.arn,
                    "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
                },
                {
                    "Sid": "CloudTrailWritesLogFiles",
                    "Effect": "Allow",
                    "Principal": {"Service": CLOUDTRAIL},
                    "Action": "s3:PutObject",
                    "Resource": f"{bucket.ref.arn}/AWSLogs/{location.account_id}/*",
                    "Condition": {
                        "StringEquals": {
                            "s3:x-amz-acl": "bucket-owner-full-control",
                            "aws:SourceArn": trail_arn,
                        }
                    },
                },
            ],
        )
        group = CloudwatchLogGroup(
            self, "log_group", name=audit_log_group(props.trail_name),
            retention_in_days=props.log_retention_days, kms_key_id=log_key_arn,
        )  # fmt: skip
        role = bounded_role(
            self, "cloudwatch_role", name=f"{props.trail_name}-cloudwatch-logs",
            assume_role_policy=service_trust_policy(CLOUDTRAIL, location.account_id),
        )  # fmt: skip
        delivery = IamRolePolicy(
            self,
            "cloudwatch_delivery",
            name="deliver-trail-events",
            role=role.id,
            policy=policy_document(
                [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": f"{group.arn}:log-stream:*",
                    }
                ]
            ),
        )
        trail = Cloudtrail(
            self,
            "trail",
            name=props.trail_name,
            s3_bucket_name=bucket.ref.name,
            kms_key_id=key.arn,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            cloud_watch_logs_group_arn=f"{group.arn}:*",  # CloudTrail wants the log-stream wildcard
            cloud_watch_logs_role_arn=role.arn,
            advanced_event_selector=_event_selectors(props.data_event_bucket_arns),
            # CloudTrail checks its bucket and role when the trail is created; nothing else orders them.
            depends_on=[bucket_policy, delivery],
        )
        prevent_destroy(trail, props.deletion_protection)
        self.ref = AuditTrailRef(
            trail_arn=trail.arn, bucket_name=bucket.ref.name, key_arn=key.arn, log_group_name=group.name
        )

    def _key(self, props: AuditTrailProps, location: AwsLocation, trail_arn: str) -> KmsKeyResource:
        """The trail's key. Written here rather than with KmsKey, whose props have no way to admit CloudTrail.

        The account administers and uses the key through IAM, like every KmsKey: readers of the logs need an
        IAM grant of kms:Decrypt (the CloudTrail console's alternative, any principal of the account, would
        skip that grant). CloudTrail may use it only for this trail (aws:SourceArn): to encrypt log and
        digest files of this account's trails, to describe it, and to decrypt, which the S3 Bucket Key of
        the bucket needs (CloudTrail user guide, "Configure AWS KMS key policies for CloudTrail").
        """
        from_this_trail = {"aws:SourceArn": trail_arn}
        statements: list[dict[str, object]] = [
            {
                "Sid": "AccountAdministersAndGrantsThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": location.root_arn},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudTrailEncryptsLogFiles",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDTRAIL},
                "Action": "kms:GenerateDataKey*",
                "Resource": "*",
                "Condition": {
                    "StringEquals": from_this_trail,
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": (
                            f"arn:aws:cloudtrail:*:{location.account_id}:trail/*"
                        )
                    },
                },
            },
            {
                "Sid": "CloudTrailDescribesKey",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDTRAIL},
                "Action": "kms:DescribeKey",
                "Resource": "*",
                "Condition": {"StringEquals": from_this_trail},
            },
            {
                "Sid": "CloudTrailDecryptsForBucketKey",
                "Effect": "Allow",
                "Principal": {"Service": CLOUDTRAIL},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"StringEquals": from_this_trail},
            },
        ]
        key = KmsKeyResource(
            self,
            "key",
            description=f"CloudTrail trail {props.trail_name}: log and digest files",
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=policy_document(statements),
        )
        prevent_destroy(key, props.deletion_protection)
        KmsAlias(self, "key_alias", name=f"alias/{props.trail_name}", target_key_id=key.key_id)
        return key


def _event_selectors(bucket_arns: Sequence[str]) -> list[CloudtrailAdvancedEventSelector]:
    """Every management event, plus reads and writes of the objects in ``bucket_arns``. Advanced selectors
    replace the default one, so management events must be asked for explicitly."""
    selectors = [
        CloudtrailAdvancedEventSelector(
            name="Management events",
            field_selector=[
                CloudtrailAdvancedEventSelectorFieldSelector(field="eventCategory", equal_to=["Management"])
            ],
        )
    ]
    if bucket_arns:
        selectors.append(
            CloudtrailAdvancedEventSelector(
                name="S3 object reads and writes of audited buckets",
                field_selector=[
                    CloudtrailAdvancedEventSelectorFieldSelector(field="eventCategory", equal_to=["Data"]),
                    CloudtrailAdvancedEventSelectorFieldSelector(
                        field="resources.type", equal_to=["AWS::S3::Object"]
                    ),
                    CloudtrailAdvancedEventSelectorFieldSelector(
                        field="resources.ARN", starts_with=[f"{arn}/" for arn in bucket_arns]
                    ),
                ],
            )
        )
    return selectors


def _add_bucket_statements(
    bucket: SecureBucket, statements: Sequence[Mapping[str, object]]
) -> S3BucketPolicy:
    """Append ``statements`` to the SecureBucket's policy (a bucket has one policy: a second
    aws_s3_bucket_policy would overwrite the first), keeping its own (TLS only); return that policy."""
    policy = bucket.node.find_child("policy")
    if not isinstance(policy, S3BucketPolicy) or policy.policy_input is None:
        raise TypeError("SecureBucket no longer holds its aws_s3_bucket_policy as child 'policy'")
    own = json.loads(policy.policy_input)["Statement"]
    policy.policy = policy_document([*own, *statements])
    return policy


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class ThreatDetectionProps:
    """GuardDuty in one account and region.

    Attributes:
        detector: "create" makes the region's detector and its protections; "existing" leaves them to whoever
            already manages them (an AWS Organizations delegated administrator, which enables GuardDuty in
            member accounts: creating a second detector there fails) and only reads the detector, so a plan
            fails where none exists. Default: "create".
        deletion_protection: Refuse ``terraform destroy`` (deleting a detector deletes its findings).
            Default: True.
    """

    detector: DetectorMode = "create"
    deletion_protection: bool = True

    def __post_init__(self) -> None:
        check_one_of("ThreatDetectionProps", "detector", self.detector, get_args(DetectorMode))


@dataclass(frozen=True, slots=True, kw_only=True)
class ThreatDetectionRef:
    """Handle to the detector: its id (token), e.g. for a publishing destination or filters."""

    detector_id: str


class ThreatDetection(Construct):
    """A GuardDuty detector publishing findings every 15 minutes, with S3 data-event, EKS audit-log and
    runtime monitoring (agent managed by GuardDuty on the EKS clusters) protection.

    GuardDuty is regional: create one in every region's stack of an account (dr in us-west-2 too). An
    account and region holds one detector only; one enabled by hand must be imported, not created again, and
    one an organization manages is read instead (``props.detector``).
    """

    def __init__(self, scope: Construct, construct_id: str, *, props: ThreatDetectionProps) -> None:
        super().__init__(scope, construct_id)
        if props.detector == "existing":
            self.ref = ThreatDetectionRef(detector_id=DataAwsGuarddutyDetector(self, "detector").id)
            return
        detector = GuarddutyDetector(
            self, "detector", enable=True, finding_publishing_frequency="FIFTEEN_MINUTES"
        )
        prevent_destroy(detector, props.deletion_protection)
        for feature, extras in DETECTOR_FEATURES.items():
            GuarddutyDetectorFeature(
                self,
                feature.lower(),
                detector_id=detector.id,
                name=feature,
                status="ENABLED",
                additional_configuration=[
                    GuarddutyDetectorFeatureAdditionalConfiguration(name=extra, status="ENABLED")
                    for extra in extras
                ]
                or None,
            )
        self.ref = ThreatDetectionRef(detector_id=detector.id)

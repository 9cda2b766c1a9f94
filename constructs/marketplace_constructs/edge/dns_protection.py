"""DnsProtection: DNSSEC signing and query logging of a public hosted zone, made where Route 53 requires both
(us-east-1), whatever the zone's stack region."""

from __future__ import annotations

import re
from typing import Final

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.cloudwatch_log_resource_policy import CloudwatchLogResourcePolicy
from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey as KmsKeyResource
from cdktf_cdktf_provider_aws.route53_hosted_zone_dnssec import Route53HostedZoneDnssec
from cdktf_cdktf_provider_aws.route53_key_signing_key import Route53KeySigningKey
from cdktf_cdktf_provider_aws.route53_query_log import Route53QueryLog
from constructs import Construct

from marketplace_constructs.aws import AwsLocation, policy_document
from marketplace_constructs.protection import prevent_destroy
from marketplace_constructs.security.kms_key import KmsKey, KmsKeyProps

ROUTE53_HOME: Final = "us-east-1"  # DNSSEC keys and query-log groups must live here (Route 53's rule)
LOG_RETENTION_DAYS: Final = 365
# Route 53's DNSSEC health, published in us-east-1 per hosted zone: either one non-zero means signing is
# failing or the key needs attention (once the parent holds the DS record, a broken chain is an outage).
DNSSEC_ALARMS: Final = {
    "dnssec-internal-failure": "DNSSECInternalFailure",
    "dnssec-ksk-needs-action": "DNSSECKeySigningKeysNeedingAction",
}


class DnsProtection(Construct):
    """For the public zone ``zone_id`` (``zone_name``), in us-east-1 through ``provider`` (None where the
    stack's own region is us-east-1):

    - DNSSEC: an ECC P-256 signing key in KMS (``alias/<name>-dnssec``; asymmetric keys do not rotate) that
      only Route 53's DNSSEC service of this account may use, the zone's key-signing key ``<name>_ksk`` and
      signing turned on. The chain of trust starts when the parent zone holds the DS record (output
      ``ds_record``; README). Two alarms on Route 53's DNSSEC metrics notify ``alarm_topic_arn`` (a topic in
      us-east-1; None: no alarms, where the environment's topic lives in another region).
    - Query logging: every query Route 53 answers for the zone goes to ``/aws/route53/<zone name>``, kept 365
      days and encrypted with a key of its own there, which a resource policy lets only Route 53 write.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        location: AwsLocation,
        zone_id: str,
        zone_name: str,
        provider: TerraformProvider | None,
        alarm_topic_arn: str | None,
        deletion_protection: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        home = AwsLocation(account_id=location.account_id, region=ROUTE53_HOME)
        # Asymmetric, so not the KmsKey construct: KMS cannot rotate it (a new key-signing key would).
        signing_key = KmsKeyResource(
            self, "signing_key", description=f"{name}: DNSSEC key-signing key of {zone_name}",
            customer_master_key_spec="ECC_NIST_P256", key_usage="SIGN_VERIFY", deletion_window_in_days=30,
            policy=_signing_key_policy(home), provider=provider,
        )  # fmt: skip
        prevent_destroy(signing_key, deletion_protection)
        KmsAlias(
            self, "signing_key_alias", name=f"alias/{name}-dnssec", target_key_id=signing_key.key_id,
            provider=provider,
        )  # fmt: skip
        ksk = Route53KeySigningKey(
            self, "key_signing_key", hosted_zone_id=zone_id, key_management_service_arn=signing_key.arn,
            name=f"{re.sub(r'[^A-Za-z0-9_]', '_', name)}_ksk", status="ACTIVE", provider=provider,
        )  # fmt: skip
        Route53HostedZoneDnssec(
            self, "dnssec", hosted_zone_id=ksk.hosted_zone_id, signing_status="SIGNING", provider=provider
        )
        for alarm, metric in DNSSEC_ALARMS.items() if alarm_topic_arn else ():
            CloudwatchMetricAlarm(
                self, alarm.replace("-", "_"), alarm_name=f"{name}-{alarm}",
                alarm_description=f"{name}: Route 53 reports {metric} for {zone_name}",
                namespace="AWS/Route53", metric_name=metric, dimensions={"HostedZoneId": zone_id},
                statistic="Maximum", period=3600, evaluation_periods=1, threshold=0,
                comparison_operator="GreaterThanThreshold", treat_missing_data="notBreaching",
                alarm_actions=[alarm_topic_arn], ok_actions=[alarm_topic_arn], provider=provider,
            )  # fmt: skip
        log_key = KmsKey(
            self, "query_log_key",
            props=KmsKeyProps(
                alias=f"{name}-dns-logs", description=f"{name}: DNS query logs of {zone_name}",
                cloudwatch_logs=True, deletion_protection=deletion_protection,
            ),
            location=home, provider=provider,
        )  # fmt: skip
        logs = CloudwatchLogGroup(
            self, "query_log_group", name=f"/aws/route53/{zone_name}", retention_in_days=LOG_RETENTION_DAYS,
            kms_key_id=log_key.ref.arn, provider=provider,
        )  # fmt: skip
        writer = CloudwatchLogResourcePolicy(
            self, "query_log_policy", policy_name=f"{name}-route53-query-logs", provider=provider,
            policy_document=policy_document([{
                "Effect": "Allow",
                "Principal": {"Service": "route53.amazonaws.com"},
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": f"{logs.arn}:*",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": location.account_id},
                    "ArnLike": {"aws:SourceArn": "arn:aws:route53:::hostedzone/*"},
                },
            }]),
        )  # fmt: skip
        Route53QueryLog(
            self, "query_log", zone_id=zone_id, cloudwatch_log_group_arn=logs.arn, depends_on=[writer],
            provider=provider,
        )  # fmt: skip
        self.ds_record: str = ksk.ds_record


def _signing_key_policy(home: AwsLocation) -> str:
    """Route 53's DNSSEC service may read and sign with the key, and grant itself that, for this account's
    hosted zones only (AWS's documented key policy for DNSSEC signing)."""
    route53 = {"Service": "dnssec-route53.amazonaws.com"}
    return policy_document([
        {
            "Sid": "AccountAdministersAndGrantsThroughIam", "Effect": "Allow",
            "Principal": {"AWS": home.root_arn}, "Action": "kms:*", "Resource": "*",
        },
        {
            "Sid": "Route53DnssecSigns", "Effect": "Allow", "Principal": route53,
            "Action": ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"], "Resource": "*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": home.account_id},
                "ArnLike": {"aws:SourceArn": "arn:aws:route53:::hostedzone/*"},
            },
        },
        {
            "Sid": "Route53DnssecGrants", "Effect": "Allow", "Principal": route53,
            "Action": "kms:CreateGrant", "Resource": "*",
            "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
        },
    ])  # fmt: skip

"""The resource types the cost estimate counts as free, each with the reason (tools/cost_rules.py prices the
rest; a type in neither is reported as not priced)."""

from __future__ import annotations

from typing import Final

# Types that cost nothing by themselves: configuration of priced things, identities, or free of charge.
FREE: Final = {
    "aws_acm_certificate": "public certificates are free",
    "aws_acm_certificate_validation": "a wait, not a resource",
    "aws_appautoscaling_policy": "configuration", "aws_appautoscaling_target": "configuration",
    "aws_backup_selection": "configuration", "aws_backup_vault_lock_configuration": "configuration",
    "aws_backup_vault": "storage priced on the backup plan's line",
    "aws_cloudwatch_log_resource_policy": "configuration", "aws_db_parameter_group": "configuration",
    "aws_db_subnet_group": "configuration", "aws_default_security_group": "configuration",
    "aws_ecr_lifecycle_policy": "configuration", "aws_eks_access_entry": "configuration",
    "aws_eks_access_policy_association": "configuration", "aws_eks_addon": "runs on the node groups",
    "aws_elasticache_subnet_group": "configuration", "aws_elasticache_user": "configuration",
    "aws_elasticache_user_group": "configuration", "aws_flow_log": "delivery priced on its log group",
    "aws_guardduty_detector_feature": "priced on the detector's line",
    "aws_iam_openid_connect_provider": "IAM",
    "aws_iam_policy": "IAM", "aws_iam_role": "IAM", "aws_iam_role_policy": "IAM",
    "aws_iam_role_policy_attachment": "IAM", "aws_iam_service_linked_role": "IAM",
    "aws_internet_gateway": "free (traffic priced as data transfer)", "aws_kms_alias": "free",
    "aws_launch_template": "its volumes are priced on the node group's line",
    "aws_lb_listener": "priced with the load balancer",
    "aws_lb_target_group": "priced with the load balancer",
    "aws_msk_cluster_policy": "configuration", "aws_msk_configuration": "configuration",
    "aws_route": "configuration", "aws_route53_hosted_zone_dnssec": "free",
    "aws_route53_key_signing_key": "its KMS key is priced",
    "aws_route53_query_log": "priced on its log group",
    "aws_route53_record": "priced with the zone's queries", "aws_route_table": "configuration",
    "aws_route_table_association": "configuration",
    "aws_s3_bucket_lifecycle_configuration": "configuration", "aws_s3_bucket_logging": "configuration",
    "aws_s3_bucket_notification": "EventBridge delivery of S3 events is free",
    "aws_s3_bucket_object_lock_configuration": "configuration",
    "aws_s3_bucket_ownership_controls": "configuration", "aws_s3_bucket_policy": "configuration",
    "aws_s3_bucket_public_access_block": "configuration",
    "aws_s3_bucket_server_side_encryption_configuration": "configuration",
    "aws_s3_bucket_versioning": "configuration", "aws_security_group": "configuration",
    "aws_sns_topic": "alarm notifications stay in the free tier", "aws_sns_topic_policy": "configuration",
    "aws_subnet": "configuration",
    "aws_vpc_security_group_egress_rule": "configuration",
    "aws_vpc_security_group_ingress_rule": "configuration",
    "aws_wafv2_web_acl_association": "priced with the web ACL",
    "aws_wafv2_web_acl_logging_configuration": "priced on its log group",
    "aws_ce_anomaly_subscription": "priced with its monitor",
}  # fmt: skip
# Kubernetes and Helm objects run on the node groups (priced there); the volumes charts create are priced
# from the configuration (tools/cost.py), since they are not Terraform resources.
FREE_PREFIXES: Final = ("kubernetes_", "helm_")

"""PostgresDatabase: RDS PostgreSQL 15, TLS forced, IAM auth, RDS-managed master password, full telemetry."""

from __future__ import annotations

from typing import Final

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.db_instance import DbInstance
from cdktf_cdktf_provider_aws.db_parameter_group import DbParameterGroup, DbParameterGroupParameter
from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from marketplace_constructs.aws import AwsLocation, service_trust_policy
from marketplace_constructs.data.access import DataStorePlacement, DataStoreSecurityGroup
from marketplace_constructs.data.props import PostgresProps
from marketplace_constructs.protection import prevent_destroy

PORT: Final = 5432
# Reference design: 500 application connections; 100 more for migrations, admin sessions and RDS itself.
MAX_CONNECTIONS: Final = 600
LOG_EXPORTS: Final = ("postgresql", "upgrade")


class PostgresDatabase(Construct):
    """Instance in the database subnets, open to ``placement.client_security_group_id`` on 5432 only.

    The master password is generated and rotated by RDS in Secrets Manager (``master_secret_arn``), encrypted
    with ``placement.key_arn`` like the storage and Performance Insights; no secret passes through Terraform.
    The exported logs go to groups made first, encrypted with ``log_key_arn`` and expiring: left to RDS, they
    would be unencrypted and kept forever. (Enhanced Monitoring writes to ``RDSOSMetrics``, which RDS shares
    between every instance of the account and region and keeps 30 days; it is left to RDS.)
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: PostgresProps,
        name: str,
        location: AwsLocation,
        placement: DataStorePlacement,
        log_key_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        group = DataStoreSecurityGroup(
            self, "security_group", name=name, placement=placement, port=PORT, description="PostgreSQL",
        )  # fmt: skip
        subnets = DbSubnetGroup(
            self,
            "subnets",
            name=name,
            subnet_ids=list(placement.subnet_ids),
            description=f"{name} database tier",
        )
        major = props.engine_version.split(".")[0]
        parameters = DbParameterGroup(
            self,
            "parameters",
            name=f"{name}-postgres{major}",
            family=f"postgres{major}",
            description=f"{name}: TLS only, sized for the reference connection count, slow-query logging",
            parameter=[
                DbParameterGroupParameter(name="rds.force_ssl", value="1"),
                DbParameterGroupParameter(
                    name="max_connections", value=str(MAX_CONNECTIONS), apply_method="pending-reboot"
                ),
                DbParameterGroupParameter(name="log_min_duration_statement", value="1000"),
                DbParameterGroupParameter(name="log_statement", value="ddl"),
                DbParameterGroupParameter(name="log_connections", value="1"),
            ],
        )
        monitoring = IamRole(
            self,
            "monitoring_role",
            name=f"{name}-rds-monitoring",
            assume_role_policy=service_trust_policy("monitoring.rds.amazonaws.com", location.account_id),
        )
        IamRolePolicyAttachment(
            self,
            "monitoring_policy",
            role=monitoring.name,
            policy_arn="arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
        )
        log_groups = [
            CloudwatchLogGroup(
                self,
                f"{log_type}_logs",
                name=f"/aws/rds/instance/{name}/{log_type}",
                retention_in_days=props.log_retention_days,
                kms_key_id=log_key_arn,
            )
            for log_type in LOG_EXPORTS
        ]
        instance = DbInstance(
            self,
            "instance",
            identifier=name,
            engine="postgres",
            engine_version=props.engine_version,
            instance_class=props.instance_class,
            multi_az=props.multi_az,
            storage_type="gp3",
            allocated_storage=props.storage_gb,
            max_allocated_storage=props.max_storage_gb,
            storage_encrypted=True,
            kms_key_id=placement.key_arn,
            username="marketplace_admin",
            manage_master_user_password=True,
            master_user_secret_kms_key_id=placement.key_arn,
            iam_database_authentication_enabled=True,
            db_subnet_group_name=subnets.name,
            vpc_security_group_ids=[group.id],
            parameter_group_name=parameters.name,
            publicly_accessible=False,
            ca_cert_identifier="rds-ca-rsa2048-g1",
            backup_retention_period=props.backup_retention_days,
            backup_window=props.backup_window,
            maintenance_window=props.maintenance_window,
            copy_tags_to_snapshot=True,
            auto_minor_version_upgrade=True,
            deletion_protection=props.deletion_protection,
            skip_final_snapshot=not props.deletion_protection,
            final_snapshot_identifier=f"{name}-final" if props.deletion_protection else None,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=placement.key_arn,
            performance_insights_retention_period=7,
            monitoring_interval=60,
            monitoring_role_arn=monitoring.arn,
            enabled_cloudwatch_logs_exports=list(LOG_EXPORTS),
            depends_on=log_groups,
        )
        prevent_destroy(instance, props.deletion_protection)
        self.endpoint: str = instance.address
        self.resource_id: str = instance.resource_id  # names the instance in rds-db:connect ARNs
        self.master_secret_arn: str = instance.master_user_secret.get(0).secret_arn

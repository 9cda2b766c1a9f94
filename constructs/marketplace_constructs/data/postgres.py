"""PostgresDatabase: RDS PostgreSQL 15, TLS forced, IAM auth, RDS-managed master password, full telemetry,
or a cross-region read replica; AutomatedBackupsReplication: another region's backups copied here."""

from __future__ import annotations

from typing import Final

from cdktf import Fn, TerraformVariable, Token
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.db_instance import DbInstance
from cdktf_cdktf_provider_aws.db_instance_automated_backups_replication import (
    DbInstanceAutomatedBackupsReplication,
)
from cdktf_cdktf_provider_aws.db_parameter_group import DbParameterGroup, DbParameterGroupParameter
from cdktf_cdktf_provider_aws.db_subnet_group import DbSubnetGroup
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
from constructs import Construct

from marketplace_constructs.aws import AwsLocation, service_trust_policy
from marketplace_constructs.data.access import DataStorePlacement, DataStoreSecurityGroup
from marketplace_constructs.data.props import MASTER_PASSWORD_VARIABLE, PostgresProps
from marketplace_constructs.errors import ConfigError, check_pattern, check_range, is_known
from marketplace_constructs.protection import prevent_destroy
from marketplace_constructs.security.boundary import bounded_role

PORT: Final = 5432
# Reference design: 500 application connections; 100 more for migrations, admin sessions and RDS itself.
MAX_CONNECTIONS: Final = 600
LOG_EXPORTS: Final = ("postgresql", "upgrade")
MASTER_USERNAME: Final = "marketplace_admin"
# An RDS DB instance ARN; the fourth field is the region (a cross-region source must be named by its ARN).
_INSTANCE_ARN: Final = r"arn:aws[a-z-]*:rds:[a-z]{2}(-[a-z]+)+-\d:\d{12}:db:[a-z][a-z0-9-]*"


class PostgresDatabase(Construct):
    """Instance in the database subnets, open to ``placement.client_security_group_id`` on 5432 only.

    The master password is generated and rotated by RDS in Secrets Manager (``master_secret_arn``), encrypted
    with ``placement.key_arn`` like the storage and Performance Insights; no secret passes through Terraform.
    The exported logs go to groups made first, encrypted with ``log_key_arn`` and expiring: left to RDS, they
    would be unencrypted and kept forever. (Enhanced Monitoring writes to ``RDSOSMetrics``, which RDS shares
    between every instance of the account and region and keeps 30 days; it is left to RDS.)

    ``replica_of`` (the ARN of an instance in another region; None, the default, makes a standalone primary)
    makes the instance a cross-region read replica of it: storage encrypted with ``placement.key_arn``, a key
    of this region. The master user belongs to the source, so the replica sets no ``username`` (the provider
    rejects it with ``replicate_source_db``) and no RDS-managed password (RDS refuses Secrets Manager
    management on a read replica); ``master_secret_arn`` is then empty. Everything else stays: this region's
    parameter and subnet groups and security group, Multi-AZ, backups (RDS for PostgreSQL 14.1+ backs replicas
    up), monitoring, Performance Insights, log exports and deletion protection; engine, version and storage
    size are the source's at creation (the provider warns that it ignores ``allocated_storage``). RDS refuses
    to create a replica of a source whose master password RDS manages in Secrets Manager (every engine but
    SQL Server), so the source must manage its password otherwise.

    Promotion (failover): drop ``replica_of``. The identifier, key, engine and every argument above are the
    same in both roles, so the AWS provider promotes the replica in place (PromoteReadReplica) instead of
    replacing it; ``username`` comes back equal to the inherited master user, so it plans no change. In the
    same apply, after promotion, ``manage_master_user_password`` is added as an in-place ModifyDBInstance:
    RDS then generates a new master password and keeps it in a Secrets Manager secret of this region,
    encrypted with ``placement.key_arn``; the password inherited from the source stops working. Promotion is
    one-way: the old primary cannot follow the new one, build a new replica instead.

    ``props.master_password_source`` "write-only": no RDS-managed secret; the stack gets an ephemeral,
    sensitive input variable ``database_master_password`` whose value goes into the write-only ``password_wo``
    (never stored), applied again when ``master_password_version`` rises. A promoted replica takes it in the
    same apply as its promotion (an in-place change).
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
        replica_of: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        replica = replica_of is not None
        write_only = props.master_password_source == "write-only"
        if replica_of is not None:
            _check_source(replica_of, location)
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
        monitoring = bounded_role(
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
            replicate_source_db=replica_of,
            username=None if replica else MASTER_USERNAME,
            manage_master_user_password=None if replica or write_only else True,
            master_user_secret_kms_key_id=None if replica or write_only else placement.key_arn,
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
        if write_only and not replica:
            password = TerraformVariable(
                self, "master_password", type="string", sensitive=True, nullable=False,
                description=f"{name}'s master password, supplied at plan and apply (TF_VAR_"
                f"{MASTER_PASSWORD_VARIABLE}); ephemeral and write-only: never in a plan or the state",
            )  # fmt: skip
            password.override_logical_id(MASTER_PASSWORD_VARIABLE)
            password.add_override("ephemeral", True)
            instance.add_override("password_wo", password.string_value)
            instance.add_override("password_wo_version", props.master_password_version)
        prevent_destroy(instance, props.deletion_protection)
        self.endpoint: str = instance.address
        self.resource_id: str = instance.resource_id  # names the instance in rds-db:connect ARNs
        secret_arn = instance.master_user_secret.get(0).secret_arn
        # A replica, or a write-only password, has no RDS-managed secret: indexing the empty list would fail
        # every plan that reads it.
        no_secret = replica or write_only
        self.master_secret_arn: str = Token.as_string(Fn.try_([secret_arn, ""])) if no_secret else secret_arn
        self.arn: str = instance.arn


class AutomatedBackupsReplication(Construct):
    """The automated backups (snapshots and transaction logs) of a DB instance of another region, copied into
    this stack's region, so the instance can be restored to a point in time here even while its region is down
    (a DB instance's ``restore_to_point_in_time.source_db_instance_automated_backups_arn`` takes ``arn``).

    Create it with the provider of the destination region. ``key_arn`` is a KMS key of this region: the copies
    are encrypted with it. ``retention_days`` (1-35) is how long copies are kept here, apart from the source's
    own retention. The source must keep automated backups (a retention of 1 day or more).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        source_db_instance_arn: str,
        key_arn: str,
        retention_days: int,
    ) -> None:
        super().__init__(scope, construct_id)
        check_pattern(
            "AutomatedBackupsReplication", "source_db_instance_arn", source_db_instance_arn, _INSTANCE_ARN,
            "a DB instance ARN (arn:aws:rds:<region>:<account>:db:<identifier>)",
        )  # fmt: skip
        check_range("AutomatedBackupsReplication", "retention_days", retention_days, 1, 35, " days")
        replication = DbInstanceAutomatedBackupsReplication(
            self,
            "replication",
            source_db_instance_arn=source_db_instance_arn,
            kms_key_id=key_arn,
            retention_period=retention_days,
        )
        self.arn: str = replication.id  # the replicated automated backups' ARN


def _check_source(replica_of: str, location: AwsLocation) -> None:
    """Reject a source that is no DB instance ARN, or one in the replica's own region."""
    rule = "the source DB instance's ARN (arn:aws:rds:<region>:<account>:db:<identifier>)"
    check_pattern("PostgresDatabase", "replica_of", replica_of, _INSTANCE_ARN, rule)
    if is_known(replica_of) and replica_of.split(":")[3] == location.region:
        raise ConfigError(
            f"PostgresDatabase.replica_of must name an instance of another region than {location.region!r}, "
            f"got {replica_of!r}; this replica is for cross-region disaster recovery"
        )

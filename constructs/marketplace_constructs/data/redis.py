"""RedisCache: ElastiCache for Redis 7, encrypted at rest and in transit, IAM-authenticated, logged."""

from __future__ import annotations

from typing import Final

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.elasticache_replication_group import (
    ElasticacheReplicationGroup,
    ElasticacheReplicationGroupLogDeliveryConfiguration,
)
from cdktf_cdktf_provider_aws.elasticache_subnet_group import ElasticacheSubnetGroup
from cdktf_cdktf_provider_aws.elasticache_user import ElasticacheUser, ElasticacheUserAuthenticationMode
from cdktf_cdktf_provider_aws.elasticache_user_group import ElasticacheUserGroup
from constructs import Construct

from marketplace_constructs.data.access import DataStorePlacement, DataStoreSecurityGroup
from marketplace_constructs.data.props import RedisProps
from marketplace_constructs.protection import prevent_destroy

PORT: Final = 6379
LOG_TYPES: Final = ("slow-log", "engine-log")
# The exporter's user: INFO (memory, hits, misses, evictions, clients, replication) and PING, nothing else: no
# key, no channel, no write, no CONFIG. redis_exporter speaks no IAM, and a password user would put its
# password in Terraform's state, so this user needs none; only the workload tier reaches the port at all.
MONITOR_ACCESS: Final = "on -@all +ping +info"


class RedisCache(Construct):
    """Replication group in the database subnets, open to ``placement.client_security_group_id`` on 6379 only.

    Clients authenticate with IAM (RBAC user ``<name>-app``, Redis 7): no AUTH token exists to leak. The
    mandatory ``default`` user is switched off. ``<name>-monitor`` (``monitor_user``) may only run INFO and
    PING, for the Prometheus exporter.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: RedisProps,
        name: str,
        placement: DataStorePlacement,
        log_key_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        group = DataStoreSecurityGroup(
            self, "security_group", name=name, placement=placement, port=PORT, description="Redis",
        )  # fmt: skip
        subnets = ElasticacheSubnetGroup(
            self,
            "subnets",
            name=name,
            subnet_ids=list(placement.subnet_ids),
            description=f"{name} database tier",
        )
        default_user = ElasticacheUser(
            self,
            "default_user",
            user_id=f"{name}-default",
            user_name="default",
            engine="redis",
            access_string="off -@all",
            authentication_mode=ElasticacheUserAuthenticationMode(type="no-password-required"),
        )
        app_user = ElasticacheUser(
            self,
            "app_user",
            user_id=f"{name}-app",
            user_name=f"{name}-app",
            engine="redis",
            access_string="on ~* +@all -@dangerous",
            authentication_mode=ElasticacheUserAuthenticationMode(type="iam"),
        )
        monitor_user = ElasticacheUser(
            self,
            "monitor_user",
            user_id=f"{name}-monitor",
            user_name=f"{name}-monitor",
            engine="redis",
            access_string=MONITOR_ACCESS,
            authentication_mode=ElasticacheUserAuthenticationMode(type="no-password-required"),
        )
        users = ElasticacheUserGroup(
            self,
            "users",
            user_group_id=name,
            engine="redis",
            user_ids=[default_user.user_id, app_user.user_id, monitor_user.user_id],
        )
        self.monitor_user: str = monitor_user.user_name
        self.app_user_arn: str = app_user.arn
        logs = [
            CloudwatchLogGroup(
                self,
                f"{log_type.replace('-', '_')}_group",
                name=f"/elasticache/{name}/{log_type}",
                retention_in_days=props.log_retention_days,
                kms_key_id=log_key_arn,
            )
            for log_type in LOG_TYPES
        ]
        replication = ElasticacheReplicationGroup(
            self,
            "replication_group",
            replication_group_id=name,
            description=f"{name}: Redis {props.engine_version}",
            engine="redis",
            engine_version=props.engine_version,
            node_type=props.node_type,
            num_cache_clusters=props.node_count,
            port=PORT,
            automatic_failover_enabled=props.highly_available,
            multi_az_enabled=props.highly_available,
            subnet_group_name=subnets.name,
            security_group_ids=[group.id],
            at_rest_encryption_enabled="true",
            kms_key_id=placement.key_arn,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            user_group_ids=[users.user_group_id],
            snapshot_retention_limit=props.snapshot_retention_days,
            snapshot_window=props.snapshot_window,
            maintenance_window=props.maintenance_window,
            final_snapshot_identifier=f"{name}-final" if props.deletion_protection else None,
            auto_minor_version_upgrade="true",
            log_delivery_configuration=[
                ElasticacheReplicationGroupLogDeliveryConfiguration(
                    destination=log.name,
                    destination_type="cloudwatch-logs",
                    log_format="json",
                    log_type=log_type,
                )
                for log, log_type in zip(logs, LOG_TYPES, strict=True)
            ],
        )
        prevent_destroy(replication, props.deletion_protection)
        self.endpoint: str = replication.primary_endpoint_address
        self.arn: str = replication.arn

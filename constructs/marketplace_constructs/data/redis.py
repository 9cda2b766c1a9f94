"""RedisCache: ElastiCache for Redis 7, encrypted at rest and in transit, IAM-authenticated, logged, or a
Global Datastore secondary; RedisGlobalDatastore: the cross-region Global Datastore of a primary group."""

from __future__ import annotations

from typing import Final

from cdktf import TerraformProvider
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.elasticache_global_replication_group import ElasticacheGlobalReplicationGroup
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
from marketplace_constructs.errors import check_pattern
from marketplace_constructs.protection import prevent_destroy

PORT: Final = 6379
LOG_TYPES: Final = ("slow-log", "engine-log")
# The exporter's user: INFO (memory, hits, misses, evictions, clients, replication) and PING, nothing else: no
# key, no channel, no write, no CONFIG. redis_exporter speaks no IAM, and a password user would put its
# password in Terraform's state, so this user needs none; only the workload tier reaches the port at all.
MONITOR_ACCESS: Final = "on -@all +ping +info"
# Node types a Global Datastore accepts: these families, size large and up (ElastiCache's prerequisites).
GLOBAL_DATASTORE_NODE_TYPE: Final = r"cache\.(m5|m6g|m7g|r5|r6g|r6gd|r7g|c7gn)\.(large|\d*xlarge)"


def check_global_datastore_node_type(node_type: str) -> None:
    """Reject a node type that a Global Datastore does not run on (older or smaller than these families)."""
    check_pattern(
        "RedisProps",
        "node_type",
        node_type,
        GLOBAL_DATASTORE_NODE_TYPE,
        "a Global Datastore node type: cache. + m5, m6g, m7g, r5, r6g, r6gd, r7g or c7gn, large or larger",
    )


class RedisCache(Construct):
    """Replication group in the database subnets, open to ``placement.client_security_group_id`` on 6379 only.

    Clients authenticate with IAM (RBAC user ``<name>-app``, Redis 7): no AUTH token exists to leak. The
    mandatory ``default`` user is switched off. ``<name>-monitor`` (``monitor_user``) may only run INFO and
    PING, for the Prometheus exporter.

    ``global_group_id`` (a RedisGlobalDatastore's ``global_group_id``; None, the default, makes a standalone
    group) makes the group a read-only secondary of that Global Datastore. It inherits from the primary the
    engine and its version, the node type, the parameter group and the encryption settings (at rest, in
    transit, transit mode), and the AWS provider refuses those arguments next to
    ``global_replication_group_id``: the secondary omits exactly those. It keeps its own subnet and security
    groups, KMS key (a key of its region), snapshots, logs, node count (2 or more when the primary fails over
    automatically: the secondary inherits that setting) and users: RBAC users and user groups are per region,
    so the secondary has its own ``<name>-app`` and ``<name>-monitor``. Promotion to primary is a Global
    Datastore failover (outside Terraform); changing this argument would replace the group, so a secondary
    ignores it once created. ``after_failover`` renders a former secondary after its failover the same way
    without the id (the datastore it left is no longer this stack's): same addresses, no replacement.
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
        global_group_id: str | None = None,
        after_failover: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        secondary = global_group_id is not None or after_failover
        if secondary:
            check_global_datastore_node_type(props.node_type)
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
            global_replication_group_id=global_group_id,
            engine=None if secondary else "redis",
            engine_version=None if secondary else props.engine_version,
            node_type=None if secondary else props.node_type,
            num_cache_clusters=props.node_count,
            port=PORT,
            automatic_failover_enabled=props.highly_available,
            multi_az_enabled=props.highly_available,
            subnet_group_name=subnets.name,
            security_group_ids=[group.id],
            at_rest_encryption_enabled=None if secondary else "true",
            kms_key_id=placement.key_arn,
            transit_encryption_enabled=None if secondary else True,
            transit_encryption_mode=None if secondary else "required",
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
        if secondary:  # membership changes happen outside Terraform (failover, disassociation)
            replication.add_override("lifecycle.ignore_changes", ["global_replication_group_id"])
        self.endpoint: str = replication.primary_endpoint_address
        # Readers spread over the replicas; a secondary of a Global Datastore has one too (read-only).
        self.reader_endpoint: str = replication.reader_endpoint_address
        self.arn: str = replication.arn
        self.group_id: str = replication.replication_group_id


class RedisGlobalDatastore(Construct):
    """ElastiCache Global Datastore led by an existing replication group (production's RedisCache); RedisCache
    groups in up to two other regions join it as read-only secondaries through ``global_group_id``.

    AWS creates a Global Datastore in its primary's region, so its resource uses ``primary_provider`` (an aws
    provider aliased to that region) whichever stack holds the construct. ``props`` are the primary's: their
    node type must be one a Global Datastore runs on (checked here). The datastore inherits the primary's
    engine version, node type and encryption; once it exists, it manages its members' engine version (the
    provider's documentation), so upgrades go through it. Promoting a secondary
    (FailoverGlobalReplicationGroup) is an operation outside Terraform; it changes which member the provider
    reads as primary, and since a new primary forces replacement, that one argument is ignored after creation.
    ``deletion_protection`` refuses ``terraform destroy``.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: RedisProps,
        name_suffix: str,
        primary_replication_group_id: str,
        primary_provider: TerraformProvider,
    ) -> None:
        super().__init__(scope, construct_id)
        check_global_datastore_node_type(props.node_type)
        datastore = ElasticacheGlobalReplicationGroup(
            self,
            "datastore",
            provider=primary_provider,
            global_replication_group_id_suffix=name_suffix,
            primary_replication_group_id=primary_replication_group_id,
            global_replication_group_description=f"{name_suffix}: cross-region replication of Redis",
        )
        # After a failover the provider reads the promoted member as primary; this argument forces a
        # replacement, so following it would destroy the datastore that was just failed over.
        datastore.add_override("lifecycle.ignore_changes", ["primary_replication_group_id"])
        prevent_destroy(datastore, props.deletion_protection)
        # "<region prefix>-<name_suffix>", which secondaries join
        self.global_group_id: str = datastore.global_replication_group_id
        self.arn: str = datastore.arn

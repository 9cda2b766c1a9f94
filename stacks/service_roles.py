"""IAM roles (IRSA) of the marketplace services, one per service and pinned to its service account. They live
in the foundation stack; the apps stack receives only the role ARNs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs import Construct

from marketplace_constructs import AwsLocation, ClusterRef, policy_document
from marketplace_constructs.eks.irsa import ServiceAccountRole
from marketplace_constructs.workload.service_props import MicroserviceProps


@dataclass(frozen=True, slots=True, kw_only=True)
class DataStoreArns:
    """What the services' policies name (tokens of the foundation's data stores)."""

    database_resource_id: str
    cache_arn: str
    cache_user_arn: str
    kafka_arn: str
    kafka_topic_arn_prefix: str
    kafka_group_arn_prefix: str


def service_policy(
    spec: MicroserviceProps, *, env: str, location: AwsLocation, data_key_arn: str, stores: DataStoreArns
) -> str:
    """Read its own ``<env>/<service>/*`` secrets; and per declared store only: connect to PostgreSQL as the
    database user named after the service (IAM auth), to Redis as the IAM user, to Kafka with topics and
    consumer groups under its own ``<service>.`` prefix."""
    name = spec.name
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            "Resource": [location.arn("secretsmanager", f"secret:{env}/{name}/*")],
        },
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt"],
            "Resource": [data_key_arn],
            "Condition": {
                "StringEquals": {"kms:ViaService": f"secretsmanager.{location.region}.amazonaws.com"}
            },
        },
    ]
    if "postgres" in spec.data_stores:
        user = location.arn("rds-db", f"dbuser:{stores.database_resource_id}/{name}")
        statements.append({"Effect": "Allow", "Action": ["rds-db:connect"], "Resource": [user]})
    if "redis" in spec.data_stores:
        statements.append(
            {
                "Effect": "Allow",
                "Action": ["elasticache:Connect"],
                "Resource": [stores.cache_arn, stores.cache_user_arn],
            }
        )
    if "kafka" in spec.data_stores:
        topics, groups = stores.kafka_topic_arn_prefix, stores.kafka_group_arn_prefix
        statements += [
            {
                "Effect": "Allow",
                "Action": ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"],
                "Resource": [stores.kafka_arn],
            },
            {
                "Effect": "Allow",
                "Action": [
                    "kafka-cluster:DescribeTopic",
                    "kafka-cluster:ReadData",
                    "kafka-cluster:WriteData",
                ],
                "Resource": [f"{topics}/{name}.*"],
            },
            {
                "Effect": "Allow",
                "Action": ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"],
                "Resource": [f"{groups}/{name}.*"],
            },
        ]
    return policy_document(statements)


def service_roles(
    scope: Construct,
    cluster: ClusterRef,
    cluster_name: str,
    *,
    env: str,
    location: AwsLocation,
    data_key_arn: str,
    specs: tuple[MicroserviceProps, ...],
    stores: DataStoreArns,
) -> dict[str, str]:
    """Role ``<cluster>-svc-<service>`` for service account ``<service>/<service>`` of each spec."""
    roles = {}
    for spec in specs:
        policy = service_policy(spec, env=env, location=location, data_key_arn=data_key_arn, stores=stores)
        roles[spec.name] = ServiceAccountRole(
            scope, f"{spec.name}_service_role", name=f"{cluster_name}-svc-{spec.name}",
            oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer_url=cluster.oidc_issuer_url,
            namespace=spec.name, service_account=spec.name, inline_policy=policy,
        ).arn  # fmt: skip
    return roles

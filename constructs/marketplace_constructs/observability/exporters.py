"""Exporters for the AWS data stores: PostgreSQL and Redis through the community charts (each with a
ServiceMonitor), and Prometheus scrape jobs for MSK's open monitoring on every broker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from constructs import Construct

from marketplace_constructs.data.kafka import JMX_EXPORTER_PORT, NODE_EXPORTER_PORT
from marketplace_constructs.helm import HelmChart, helm_release
from marketplace_constructs.manifests import custom_resource
from marketplace_constructs.manifests.secrets import external_secret
from marketplace_constructs.observability.secret_paths import POSTGRES_MONITORING_PATH
from marketplace_constructs.security.contexts import RESTRICTED_CONTAINER, restricted_pod

POSTGRES_SECRET: Final = "postgres-exporter"
# redis_exporter sends AUTH only with a non-empty password. The monitor user is ElastiCache's
# "no-password-required" kind (Redis ``nopass``: any password is accepted), so this word is not a secret.
REDIS_NOPASS: Final = "nopass"
EXPORTER_RESOURCES: Final = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}}


@dataclass(frozen=True, slots=True, kw_only=True)
class MonitoredStores:
    """The data stores the exporters watch (tokens from the foundation's outputs, except the broker count).

    Attributes:
        database_host: RDS PostgreSQL endpoint host.
        cache_host: ElastiCache primary endpoint host.
        cache_user: ElastiCache user the Redis exporter connects as (INFO and PING only).
        kafka_broker_domain: DNS suffix of the MSK brokers: broker n is ``b-<n>.<kafka_broker_domain>``.
        kafka_broker_count: Brokers in the MSK cluster (numbered 1..count).
    """

    database_host: str
    cache_host: str
    cache_user: str
    kafka_broker_domain: str
    kafka_broker_count: int


REDIS_EXPORTER_UID: Final = 59000  # oliver006/redis_exporter's image user


def postgres_exporter_values(host: str) -> dict[str, Any]:
    """postgres_exporter against ``host`` as the monitoring role (user and password from Secret
    ``postgres-exporter``), over TLS (``require``: the image carries no RDS CA bundle to verify against;
    the connection stays inside the VPC, to a security group that admits the workload tier only)."""
    return {
        "config": {
            "datasource": {
                "host": host,
                "port": "5432",
                "database": "postgres",
                "sslmode": "require",
                "userSecret": {"name": POSTGRES_SECRET, "key": "username"},
                "passwordSecret": {"name": POSTGRES_SECRET, "key": "password"},
            },
        },
        "serviceMonitor": {"enabled": True},
        "resources": EXPORTER_RESOURCES,
    }


def redis_exporter_values(host: str, user: str) -> dict[str, Any]:
    """redis_exporter against ``host`` over TLS (``rediss://``; ElastiCache's certificate chains to Amazon's
    public roots, which the image trusts) as ``user``."""
    return {
        "redisAddress": f"rediss://{host}:6379",
        "auth": {"enabled": True, "redisUser": user, "redisPassword": REDIS_NOPASS},
        # CLIENT SETNAME is outside the user's INFO-and-PING rights: do not try it on every scrape
        "extraArgs": {"set-client-name": False},
        "serviceMonitor": {"enabled": True},
        "resources": EXPORTER_RESOURCES,
        # the chart sets no security context; the image runs as its own user (Dockerfile: USER 59000:59000)
        "podSecurityContext": restricted_pod(REDIS_EXPORTER_UID),
        "securityContext": RESTRICTED_CONTAINER,
    }


def msk_scrape_configs(stores: MonitoredStores) -> list[dict[str, Any]]:
    """Prometheus scrape jobs for every broker's JMX exporter (``msk-jmx``) and node exporter (``msk-node``),
    with the broker id as the ``broker`` label. MSK serves both over plain HTTP inside the VPC."""
    brokers = [f"b-{n}.{stores.kafka_broker_domain}" for n in range(1, stores.kafka_broker_count + 1)]
    return [
        {
            "job_name": job,
            "scrape_interval": "60s",  # MSK's guidance: its exporters are expensive to scrape more often
            "static_configs": [{"targets": [f"{broker}:{port}" for broker in brokers]}],
            "relabel_configs": [
                {"source_labels": ["__address__"], "regex": r"b-(\d+)\..*", "target_label": "broker"}
            ],
        }
        for job, port in (("msk-jmx", JMX_EXPORTER_PORT), ("msk-node", NODE_EXPORTER_PORT))
    ]


class DataStoreExporters(Construct):
    """In ``namespace``: the ExternalSecret ``postgres-exporter`` and the PostgreSQL and Redis exporters, each
    scraped through its chart's ServiceMonitor. MSK is scraped by Prometheus itself (msk_scrape_configs)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        env: str,
        charts: tuple[HelmChart, HelmChart],
        namespace: str,
        store: str,
        stores: MonitoredStores,
    ) -> None:
        super().__init__(scope, construct_id)
        postgres_chart, redis_chart = charts
        remote = f"{env}/{POSTGRES_MONITORING_PATH}"  # made by the database owner (README)
        credentials = custom_resource(
            self,
            "postgres_credentials",
            external_secret(
                POSTGRES_SECRET, namespace, store=store,
                keys={"username": (remote, "username"), "password": (remote, "password")},
            ),
        )  # fmt: skip
        helm_release(
            self, "postgres", chart=postgres_chart, namespace=namespace,
            values=postgres_exporter_values(stores.database_host), depends_on=[credentials],
        )  # fmt: skip
        helm_release(
            self, "redis", chart=redis_chart, namespace=namespace,
            values=redis_exporter_values(stores.cache_host, stores.cache_user),
        )  # fmt: skip

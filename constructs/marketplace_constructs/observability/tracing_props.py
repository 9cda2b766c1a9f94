"""TracingProps, and the Elasticsearch users of tracing with their Secrets Manager secrets (no provider
imports, so the AWS layer can read TRACING_SECRETS without loading the Kubernetes side)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_range

ELASTICSEARCH_HA_NODES = 3  # three master-eligible nodes keep a quorum through the loss of one
TRACING_HA_REPLICAS = 2


# Each Elasticsearch node's CPU request (its memory is ``elasticsearch_memory_gb``): the capacity model counts
# them on the memory nodes they are pinned to.
ELASTICSEARCH_CPU_M: Final = 1000


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class TracingProps:
    """Trace storage (Elasticsearch run by ECK) and trace pipeline (OpenTelemetry Collector, Jaeger) of one
    environment.

    Attributes:
        elasticsearch_nodes: Elasticsearch nodes (each master and data), one per ``memory`` host, spread over
            zones; 1 (with allow_single_node) or 3-15. Default: 3.
        elasticsearch_volume_gb: Each node's gp3 volume, 10-16384. Default: 200.
        elasticsearch_memory_gb: Each node's memory request and limit, 2-64; Elasticsearch sizes its heap to
            half of it. Default: 8.
        retention_days: Days of traces kept (the newest daily indices), 1-90. Default: 7.
        collector_replicas: OpenTelemetry Collector pods, 2-20 (1 with allow_single_node). Default: 2.
        jaeger_replicas: Jaeger pods (they write spans and serve the UI), 2-10 (1 with allow_single_node).
            Default: 2.
        allow_single_node: Accept one Elasticsearch node (then indices have no replica) and one collector
            and Jaeger pod. Risk: a node drain or a zone outage stops trace ingestion and a lost volume
            loses every trace; only dev may set it. Default: False.
    """

    elasticsearch_nodes: int = ELASTICSEARCH_HA_NODES
    elasticsearch_volume_gb: int = 200
    elasticsearch_memory_gb: int = 8
    retention_days: int = 7
    collector_replicas: int = TRACING_HA_REPLICAS
    jaeger_replicas: int = TRACING_HA_REPLICAS
    allow_single_node: bool = False

    def __post_init__(self) -> None:
        owner = "TracingProps"
        check_range(owner, "elasticsearch_volume_gb", self.elasticsearch_volume_gb, 10, 16384, " GB")
        check_range(owner, "elasticsearch_memory_gb", self.elasticsearch_memory_gb, 2, 64, " GB")
        check_range(owner, "retention_days", self.retention_days, 1, 90, " days")
        check_range(owner, "elasticsearch_nodes", self.elasticsearch_nodes, 1, 15)
        check_range(owner, "collector_replicas", self.collector_replicas, 1, 20)
        check_range(owner, "jaeger_replicas", self.jaeger_replicas, 1, 10)
        nodes = self.elasticsearch_nodes
        if nodes < ELASTICSEARCH_HA_NODES and not self.allow_single_node:
            raise ConfigError(
                f"{owner}.elasticsearch_nodes must be at least {ELASTICSEARCH_HA_NODES} (a quorum of "
                f"master-eligible nodes survives one loss), got {nodes}; set allow_single_node=True to run "
                "one node (dev only)"
            )
        if nodes == 2:
            raise ConfigError(
                f"{owner}.elasticsearch_nodes must be 1 or at least {ELASTICSEARCH_HA_NODES} (two "
                "master-eligible nodes lose their quorum when either stops), got 2"
            )
        for name in ("collector_replicas", "jaeger_replicas"):
            replicas = getattr(self, name)
            if replicas < TRACING_HA_REPLICAS and not self.allow_single_node:
                raise ConfigError(
                    f"{owner}.{name} must be at least {TRACING_HA_REPLICAS} for high availability, got "
                    f"{replicas}; set allow_single_node=True to accept one (dev only)"
                )

    @property
    def index_replicas(self) -> int:
        """Replica copies of each index: one, except on a single node (where a replica could never be
        allocated and would leave the cluster yellow)."""
        return 0 if self.elasticsearch_nodes == 1 else 1


@dataclass(frozen=True, slots=True)
class ElasticsearchUser:
    """A file-realm user of the tracing Elasticsearch: its login lives in Secrets Manager at
    ``<env>/tracing/<name>`` (JSON ``{"username", "password"}``; the password 6 characters or more) and
    reaches the cluster as the basic-auth Secret ``elasticsearch-user-<name>``, which also grants ``role``."""

    name: str
    role: str
    purpose: str

    @property
    def secret_name(self) -> str:
        return f"elasticsearch-user-{self.name}"

    @property
    def remote_path(self) -> str:
        """Path below ``<env>/`` in Secrets Manager."""
        return f"tracing/{self.name}"


JAEGER_USER: Final = ElasticsearchUser("jaeger", "jaeger_writer", "Jaeger's login to Elasticsearch")
INDEX_CLEANER_USER: Final = ElasticsearchUser(
    "index-cleaner", "jaeger_index_cleaner", "login of Jaeger's index cleaner to Elasticsearch"
)
EXPORTER_USER: Final = ElasticsearchUser(
    "exporter", "metrics_reader", "login of the Elasticsearch metrics exporter"
)
TRACING_USERS: Final = (JAEGER_USER, INDEX_CLEANER_USER, EXPORTER_USER)

# path below <env>/: what the secret holds (the AWS description); created empty by the AWS layer and filled
# out of band, like OBSERVABILITY_SECRETS
TRACING_SECRETS: Final = {user.remote_path: user.purpose for user in TRACING_USERS}

"""LogsProps: how long Loki keeps logs, where it stores them and how many replicas serve them (no provider
imports, so environment configs validate without loading the bindings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_range, is_known

# Loki replicates each stream to three ingesters and needs two of them to accept a write: three replicas
# keep ingesting through the loss of one pod or zone.
LOKI_HA_REPLICAS: Final = 3


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class LogsProps:
    """Logs of one environment: Loki (single binary) and the node-level shipper feeding it.

    Attributes:
        retention_days: Days Loki keeps a log line, 1-400; its compactor deletes older data, and the bucket's
            lifecycle expires objects one day later as a backstop. Default: 30.
        storage: "s3" (the LogStorage bucket, reached through IRSA) or "filesystem" (the replica's volume).
            Default: "s3".
        allow_filesystem_storage: Accept storage="filesystem". Risk: every log lives on one EBS volume of one
            replica; losing it loses the logs, and no second replica can run. Dev only. Default: False.
        replicas: Loki replicas, each running every component; spread over zones when several. Default: 3.
        allow_single_replicas: Accept fewer than 3 replicas. Risk: no replication, so a restart pauses
            ingestion (the shipper retries) and a lost volume loses the unflushed logs. Dev only.
            Default: False.
        volume_gb: Each replica's gp3 volume: write-ahead log and index cache, or every log with filesystem
            storage. Default: 50.
    """

    retention_days: int = 30
    storage: Literal["s3", "filesystem"] = "s3"
    allow_filesystem_storage: bool = False
    replicas: int = LOKI_HA_REPLICAS
    allow_single_replicas: bool = False
    volume_gb: int = 50

    def __post_init__(self) -> None:
        owner = "LogsProps"
        check_range(owner, "retention_days", self.retention_days, 1, 400, " days")
        check_range(owner, "replicas", self.replicas, 1, 10)
        check_range(owner, "volume_gb", self.volume_gb, 5, 16384, " GB")
        if self.storage == "filesystem" and not self.allow_filesystem_storage:
            raise ConfigError(
                f"{owner}.storage must be 's3' unless allow_filesystem_storage=True, got 'filesystem'; "
                "filesystem keeps every log on one replica's volume (dev only)"
            )
        if self.storage == "filesystem" and is_known(self.replicas) and self.replicas != 1:
            raise ConfigError(
                f"{owner}.replicas must be 1 with storage='filesystem' (replicas cannot share a volume), "
                f"got {self.replicas}"
            )
        if is_known(self.replicas) and self.replicas < LOKI_HA_REPLICAS and not self.allow_single_replicas:
            raise ConfigError(
                f"{owner}.replicas must be at least {LOKI_HA_REPLICAS} for high availability, got "
                f"{self.replicas}; set allow_single_replicas=True to accept fewer (dev only)"
            )

    @property
    def replication_factor(self) -> int:
        """Copies of each stream: three with HA replicas, else one (a factor of two would need both)."""
        return LOKI_HA_REPLICAS if self.replicas >= LOKI_HA_REPLICAS else 1

"""MonitoringProps: Prometheus and Alertmanager sizing and the alert thresholds (no provider imports)."""

from __future__ import annotations

from dataclasses import dataclass, field

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_range
from marketplace_constructs.observability.thresholds import AlertThresholds

PROMETHEUS_HA_REPLICAS = 2
ALERTMANAGER_HA_REPLICAS = 3  # a gossip cluster keeps deduplicating notifications through one loss


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class MonitoringProps:
    """Metrics and alerting of one environment.

    Attributes:
        prometheus_replicas: Prometheus servers scraping the same targets (HA). Default: 2.
        alertmanager_replicas: Clustered Alertmanagers. Default: 3.
        allow_single_replicas: Accept fewer replicas than that. Risk: a node drain or a zone outage loses
            metrics and alerts; only dev may set it. Default: False.
        retention_days: How long Prometheus keeps samples, 1-400. Default: 30.
        volume_gb: Each Prometheus server's gp3 volume. Default: 100.
        retention_size_gb: Size guard: Prometheus drops the oldest blocks beyond this, so a full volume never
            stops ingestion; must be below volume_gb. Default: 90.
        alertmanager_volume_gb: Each Alertmanager's volume (silences, notification log). Default: 10.
        thresholds: When the reference alerts fire. Default: AlertThresholds().
    """

    prometheus_replicas: int = PROMETHEUS_HA_REPLICAS
    alertmanager_replicas: int = ALERTMANAGER_HA_REPLICAS
    allow_single_replicas: bool = False
    retention_days: int = 30
    volume_gb: int = 100
    retention_size_gb: int = 90
    alertmanager_volume_gb: int = 10
    thresholds: AlertThresholds = field(default_factory=AlertThresholds)

    def __post_init__(self) -> None:
        owner = "MonitoringProps"
        check_range(owner, "retention_days", self.retention_days, 1, 400, " days")
        check_range(owner, "volume_gb", self.volume_gb, 10, 16384, " GB")
        check_range(owner, "alertmanager_volume_gb", self.alertmanager_volume_gb, 1, 1000, " GB")
        if not 0 < self.retention_size_gb < self.volume_gb:
            raise ConfigError(
                f"{owner}.retention_size_gb must be above 0 and below volume_gb ({self.volume_gb} GB), "
                f"so the guard acts before the volume fills, got {self.retention_size_gb}"
            )
        wanted = {
            "prometheus_replicas": PROMETHEUS_HA_REPLICAS,
            "alertmanager_replicas": ALERTMANAGER_HA_REPLICAS,
        }
        for name, minimum in wanted.items():
            replicas = getattr(self, name)
            check_range(owner, name, replicas, 1, 10)
            if replicas < minimum and not self.allow_single_replicas:
                raise ConfigError(
                    f"{owner}.{name} must be at least {minimum} for high availability, got {replicas}; "
                    "set allow_single_replicas=True to accept fewer (dev only)"
                )

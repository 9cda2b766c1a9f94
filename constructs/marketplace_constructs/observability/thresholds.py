"""AlertThresholds and ServiceObjective: the reference design's alerting numbers, validated (no provider
imports)."""

from __future__ import annotations

from dataclasses import dataclass

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_dns_label, check_range


def _check_percent(owner: str, field: str, value: float) -> None:
    if not 0 < value < 100:
        raise ConfigError(f"{owner}.{field} must be a percentage strictly between 0 and 100, got {value}")


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class AlertThresholds:
    """When an alert fires. Defaults are the reference design's.

    Attributes:
        service_down_minutes: A service with no available replica this long is critical. Default: 2.
        critical_error_rate_percent, warning_error_rate_percent: Share of 5xx responses. Default: 1.0, 0.5.
        critical_p95_ms, warning_p95_ms: p95 request latency. Default: 1000, 500.
        connection_pool_percent: PostgreSQL connections in use, of max_connections, at which the pool counts
            as exhausted (critical). Default: 95.0.
        disk_usage_percent, memory_usage_percent: Node filesystem and memory use (warning). Default: 80.0,
            85.0.
        availability_percent: The availability objective the burn-rate alerts defend. Default: 99.95.
    """

    service_down_minutes: int = 2
    critical_error_rate_percent: float = 1.0
    warning_error_rate_percent: float = 0.5
    critical_p95_ms: int = 1000
    warning_p95_ms: int = 500
    connection_pool_percent: float = 95.0
    disk_usage_percent: float = 80.0
    memory_usage_percent: float = 85.0
    availability_percent: float = 99.95

    def __post_init__(self) -> None:
        owner = "AlertThresholds"
        check_range(owner, "service_down_minutes", self.service_down_minutes, 1, 60, " minutes")
        for field in (
            "critical_error_rate_percent", "warning_error_rate_percent", "connection_pool_percent",
            "disk_usage_percent", "memory_usage_percent",
        ):  # fmt: skip
            _check_percent(owner, field, getattr(self, field))
        for field in ("critical_p95_ms", "warning_p95_ms"):
            if getattr(self, field) <= 0:
                raise ConfigError(
                    f"{owner}.{field} must be a positive latency in ms, got {getattr(self, field)}"
                )
        if self.warning_error_rate_percent >= self.critical_error_rate_percent:
            raise ConfigError(
                f"{owner}.warning_error_rate_percent ({self.warning_error_rate_percent}) must be below "
                f"critical_error_rate_percent ({self.critical_error_rate_percent})"
            )
        if self.warning_p95_ms >= self.critical_p95_ms:
            raise ConfigError(
                f"{owner}.warning_p95_ms ({self.warning_p95_ms}) must be below critical_p95_ms "
                f"({self.critical_p95_ms})"
            )
        if not 90 <= self.availability_percent < 100:
            raise ConfigError(
                f"{owner}.availability_percent must be at least 90 and below 100, "
                f"got {self.availability_percent}"
            )

    @property
    def error_budget(self) -> float:
        """The share of requests allowed to fail (0.0005 for 99.95 %)."""
        return round(1 - self.availability_percent / 100, 10)


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceObjective:
    """One service's own latency objective (the services issue sets each from its spec).

    Attributes:
        namespace: The service's namespace (Istio's destination_service_namespace). Required.
        p95_ms: Its p95 objective; above it for 5 minutes is a warning. Required.
    """

    namespace: str
    p95_ms: int

    def __post_init__(self) -> None:
        check_dns_label("ServiceObjective", "namespace", self.namespace)
        if self.p95_ms <= 0:
            raise ConfigError(f"ServiceObjective.p95_ms must be a positive latency in ms, got {self.p95_ms}")

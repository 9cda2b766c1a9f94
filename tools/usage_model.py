"""The usage model of one environment (``pricing/usage.yaml``): a few traffic inputs, and every traffic-driven
volume the estimate prices derived from them, so that the figures cannot contradict each other.

Inputs (per environment): average and peak requests per second, hours a day at the peak, bytes per response,
the share of requests the WAF blocks or counts (the only ones it logs), and application log bytes per request.
Derived: requests and egress a month (requests x bytes per response), the off-peak rate that keeps the
average, the ALB's load balancer capacity units hour by hour, and the log volumes. ``SERVING_CAPACITY_RPS`` is
the reference design's capacity claim (every service at its HPA maximum serves 50,000 requests/s), which is
how a request rate becomes replicas (``replicas_at``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from tools.pricing import Usage

SECONDS_PER_HOUR: Final = 3600
GB: Final = 1e9  # AWS bills data in GB of 10^9 bytes
# Reference design: p95 under 200 ms at 50,000 requests/s, the services at their HPA maxima.
SERVING_CAPACITY_RPS: Final = 50_000
# An Application Load Balancer capacity unit (https://aws.amazon.com/elasticloadbalancing/pricing/): per hour,
# 25 new connections/s, 3,000 active connections/min, 1 GB processed or 1,000 rule evaluations/s; the hour
# bills the largest dimension. Connections are kept alive, so bytes processed is the dimension that grows.
LCU_GB_PER_HOUR: Final = 1.0
LCU_NEW_CONNECTIONS_PER_SECOND: Final = 25.0


class UsageError(ValueError):
    """The usage model of an environment contradicts itself (one line naming the environment and figure)."""


@dataclass(frozen=True, slots=True)
class Traffic:
    """An environment's traffic over one month of ``hours`` hours."""

    average_rps: float
    peak_rps: float
    peak_hours_per_day: float
    bytes_per_response: float
    requests_per_connection: float
    waf_logged_share: float
    waf_log_record_bytes: float
    log_bytes_per_request: float
    hours: float
    env: str = "?"

    def __post_init__(self) -> None:
        if not 0 <= self.peak_hours_per_day < 24:
            raise UsageError(
                f"pricing/usage.yaml environments.{self.env}.peak_hours_per_day must be at least 0 and "
                f"below 24, got {self.peak_hours_per_day}"
            )
        if self.peak_rps < self.average_rps or self.off_peak_rps < 0:
            raise UsageError(
                f"pricing/usage.yaml environments.{self.env}: peak_rps {self.peak_rps} for "
                f"{self.peak_hours_per_day} h a day cannot average {self.average_rps}: the peak must be at "
                "least the average and at most "
                f"{self.average_rps * 24 / max(self.peak_hours_per_day, 1e-9):.0f} requests/s"
            )

    @property
    def off_peak_rps(self) -> float:
        """The rate outside the peak hours that keeps the day's average."""
        if self.peak_hours_per_day == 0:
            return self.average_rps
        rest = 24 - self.peak_hours_per_day
        return (self.average_rps * 24 - self.peak_rps * self.peak_hours_per_day) / rest

    @property
    def peak_share(self) -> float:
        """The share of the month's hours at the peak."""
        return self.peak_hours_per_day / 24

    @property
    def requests(self) -> float:
        """Requests a month."""
        return self.average_rps * SECONDS_PER_HOUR * self.hours

    @property
    def requests_million(self) -> float:
        return self.requests / 1e6

    @property
    def egress_gb(self) -> float:
        """Data transfer out to the internet: every response's bytes."""
        return self.requests * self.bytes_per_response / GB

    def lcu_at(self, rps: float) -> float:
        """Load balancer capacity units in an hour at ``rps``: the larger of bytes processed and new
        connections."""
        processed_gb = rps * SECONDS_PER_HOUR * self.bytes_per_response / GB
        new_connections = rps / self.requests_per_connection
        return max(processed_gb / LCU_GB_PER_HOUR, new_connections / LCU_NEW_CONNECTIONS_PER_SECOND)

    @property
    def lcu(self) -> float:
        """Capacity units averaged over the month's hours (peak hours and the rest)."""
        return self.peak_share * self.lcu_at(self.peak_rps) + (1 - self.peak_share) * self.lcu_at(
            self.off_peak_rps
        )

    @property
    def waf_log_gb(self) -> float:
        """The WAF's log: only the requests a rule blocked or counted (its logging filter)."""
        return self.requests * self.waf_logged_share * self.waf_log_record_bytes / GB

    @property
    def application_log_gb(self) -> float:
        """What the services log a month (shipped to Loki, stored in S3)."""
        return self.requests * self.log_bytes_per_request / GB


def traffic(usage: Usage, hours: float) -> Traffic:
    """The environment's traffic inputs from its usage entry."""
    return Traffic(
        average_rps=usage["average_rps"],
        peak_rps=usage["peak_rps"],
        peak_hours_per_day=usage["peak_hours_per_day"],
        bytes_per_response=usage["bytes_per_response"],
        requests_per_connection=usage["requests_per_connection"],
        waf_logged_share=usage["waf_logged_share"],
        waf_log_record_bytes=usage["waf_log_record_bytes"],
        log_bytes_per_request=usage["log_bytes_per_request"],
        hours=hours,
        env=usage.env,
    )


def replicas_at(rps: float, min_replicas: int, max_replicas: int) -> int:
    """Replicas a public service needs at ``rps``: its maximum serves SERVING_CAPACITY_RPS, so a share of
    that rate takes the same share of the maximum, never below the minimum."""
    needed = math.ceil(round(max_replicas * rps / SERVING_CAPACITY_RPS, 6))
    return min(max(needed, min_replicas), max_replicas)

"""The dated price table (``pricing/prices.yaml``) and the reviewed usage assumptions (``pricing/usage.yaml``)
the cost estimate reads, with the lookups that fail loudly: an instance type without a price is an error
naming it, never a silent zero."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import yaml

PRICING_DIR: Final = Path(__file__).resolve().parents[1] / "pricing"


class MissingPrice(LookupError):
    """A resource needs a price the table does not have: add it (with its source) to pricing/prices.yaml."""


@dataclass(frozen=True, slots=True)
class Prices:
    """The price table: ``table[service][key]``, plus its date and the hours in a month."""

    table: dict[str, Any]

    @property
    def date(self) -> str:
        return str(self.table["date"])

    @property
    def hours(self) -> float:
        return float(self.table["hours_per_month"])

    def get(self, service: str, key: str) -> float:
        """A flat price (``prices.yaml`` ``service.key``)."""
        try:
            return float(self.table[service][key])
        except KeyError:
            raise MissingPrice(f"pricing/prices.yaml has no {service}.{key}") from None

    def hourly(self, service: str, table: str, size: str) -> float:
        """The hourly price of ``size`` in ``service.table`` (an instance class, node or broker type)."""
        try:
            return float(self.table[service][table][size])
        except KeyError:
            raise MissingPrice(f"pricing/prices.yaml has no {service}.{table} price for {size!r}") from None

    def monthly(self, hourly: float) -> float:
        return hourly * self.hours

    def graviton(self, instance_type: str) -> str | None:
        """The Graviton instance type of the same size, or None."""
        mapped: str | None = self.table["ec2"]["graviton"].get(instance_type)
        return mapped


@dataclass(frozen=True, slots=True)
class Usage:
    """One environment's monthly usage assumptions (``usage.yaml`` ``environments.<env>``, or its tier's
    defaults with ``note`` saying so)."""

    env: str
    values: dict[str, Any]  # figures, and ``log_gb``: a figure per log source
    note: str | None = None

    def __getitem__(self, key: str) -> float:
        try:
            return float(self.values[key])
        except KeyError:
            raise MissingPrice(f"pricing/usage.yaml has no environments.{self.env}.{key}") from None

    def log_gb(self, kind: str) -> float:
        """GB a month ingested by a log group that does not follow requests (``log_gb.<kind>``)."""
        try:
            return float(self.values["log_gb"][kind])
        except KeyError:
            raise MissingPrice(f"pricing/usage.yaml has no environments.{self.env}.log_gb.{kind}") from None


# Prices older than this are a warning: AWS changes list prices, and the table is written down by hand.
STALE_AFTER_DAYS: Final = 180


def staleness(prices_date: str, today: datetime.date) -> str | None:
    """A one-line warning when the table was written more than STALE_AFTER_DAYS before ``today``."""
    age = (today - datetime.date.fromisoformat(prices_date)).days
    if age <= STALE_AFTER_DAYS:
        return None
    return (
        f"warning: pricing/prices.yaml is dated {prices_date}, {age} days ago (more than {STALE_AFTER_DAYS}):"
        " check its prices against the AWS pages each section names, then change its date"
    )


def load_prices(directory: Path = PRICING_DIR) -> Prices:
    return Prices(yaml.safe_load((directory / "prices.yaml").read_text(encoding="utf-8")))


def tier_stand_in(tier: str, directory: Path = PRICING_DIR) -> str:
    """The environment whose figures stand in for a new environment of ``tier`` (``tier_defaults``)."""
    stand_in: str = yaml.safe_load((directory / "usage.yaml").read_text(encoding="utf-8"))["tier_defaults"][
        tier
    ]
    return stand_in


def load_usage(env: str, tier: str, directory: Path = PRICING_DIR) -> Usage:
    """``env``'s usage; an environment without its own entry is priced with its tier's defaults (the
    ``tier_defaults`` entry names whose usage stands in) and a note saying so, never refused."""
    document = yaml.safe_load((directory / "usage.yaml").read_text(encoding="utf-8"))
    if env in document["environments"]:
        return Usage(env, dict(document["environments"][env]))
    stand_in = tier_stand_in(tier, directory)
    note = (
        f"pricing/usage.yaml has no environments.{env}; priced with the {tier} tier's defaults "
        f"(environments.{stand_in}): add an entry with its own figures"
    )
    return Usage(env, dict(document["environments"][stand_in]), note)


def reference_figures(directory: Path = PRICING_DIR) -> dict[str, Any]:
    """The reference design's monthly figures per environment (a number, or [low, high])."""
    figures: dict[str, Any] = yaml.safe_load((directory / "usage.yaml").read_text(encoding="utf-8"))[
        "reference_design"
    ]
    return figures

"""Backup and maintenance windows (UTC) as AWS writes them, and the check that they do not overlap."""

from __future__ import annotations

import re
from typing import Final

from marketplace_constructs.errors import ConfigError

DAYS: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAILY: Final = re.compile(r"([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)")
_WEEKLY: Final = re.compile(
    r"(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)"
)
WEEK: Final = 7 * 24 * 60


def daily_window(owner: str, field: str, value: str) -> tuple[int, int]:
    """``"03:00-04:00"`` as minutes of the day (start, end)."""
    match = _DAILY.fullmatch(value)
    if not match:
        raise ConfigError(f"{owner}.{field} must be a UTC window like '03:00-04:00', got {value!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    return h1 * 60 + m1, h2 * 60 + m2


def weekly_window(owner: str, field: str, value: str) -> tuple[int, int]:
    """``"sun:05:00-sun:06:00"`` as minutes of the week (start, end)."""
    match = _WEEKLY.fullmatch(value)
    if not match:
        raise ConfigError(f"{owner}.{field} must be a UTC window like 'sun:05:00-sun:06:00', got {value!r}")
    d1, h1, m1, d2, h2, m2 = match.groups()
    start = DAYS.index(d1) * 1440 + int(h1) * 60 + int(m1)
    return start, DAYS.index(d2) * 1440 + int(h2) * 60 + int(m2)


def _minutes(window: tuple[int, int], period: int) -> set[int]:
    start, end = window
    return {(start + step) % period for step in range(((end - start) % period) or period)}


def check_windows_apart(owner: str, daily_field: str, daily: str, weekly_field: str, weekly: str) -> None:
    """Reject a daily window (e.g. backups) that overlaps a weekly one (maintenance) on any day."""
    every_day = _minutes(daily_window(owner, daily_field, daily), 1440)
    weekly_minutes = _minutes(weekly_window(owner, weekly_field, weekly), WEEK)
    if any(minute % 1440 in every_day for minute in weekly_minutes):
        raise ConfigError(f"{owner}.{daily_field} ({daily}) must not overlap {weekly_field} ({weekly})")

"""AWS regions and availability-zone naming, so a typo in a region or zone stops synthesis."""

from __future__ import annotations

from typing import Final

from marketplace_constructs.errors import ConfigError, check_one_of

# Commercial-partition regions; the ARNs this library writes use the "aws" partition.
AWS_REGIONS: Final = (
    "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
    "ap-southeast-5", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
    "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1",
    "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1",
    "us-west-2",
)  # fmt: skip


def check_region(owner: str, field: str, region: str) -> None:
    """Reject a region that is not an AWS commercial region."""
    check_one_of(owner, field, region, AWS_REGIONS)


def check_zones(owner: str, field: str, region: str, zones: tuple[str, ...]) -> None:
    """Reject zones that repeat or do not belong to ``region`` (``us-east-1a`` belongs to ``us-east-1``)."""
    for zone in zones:
        if len(zone) != len(region) + 1 or not zone.startswith(region) or not zone[-1].isalpha():
            raise ConfigError(
                f"{owner}.{field} must hold zones of region {region!r} such as {region + 'a'!r}, got {zone!r}"
            )
    if len(set(zones)) != len(zones):
        raise ConfigError(f"{owner}.{field} must not repeat a zone, got {zones!r}")

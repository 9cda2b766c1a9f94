"""RegistryProps: image retention of the service repositories (no provider imports)."""

from __future__ import annotations

from dataclasses import dataclass

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import check_range


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class RegistryProps:
    """Retention shared by all service repositories.

    Attributes:
        keep_tagged_images: Newest tagged images kept per repository, 1-1000. Default: 50.
        untagged_expiry_days: Days an untagged image (a failed or superseded push) is kept. Default: 7.
        deletion_protection: Refuse ``terraform destroy``. Default: True.
    """

    keep_tagged_images: int = 50
    untagged_expiry_days: int = 7
    deletion_protection: bool = True

    def __post_init__(self) -> None:
        check_range("RegistryProps", "keep_tagged_images", self.keep_tagged_images, 1, 1000)
        check_range("RegistryProps", "untagged_expiry_days", self.untagged_expiry_days, 1, 365, " days")

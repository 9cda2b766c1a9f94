"""DetectorMode: who makes an account's GuardDuty detector in a region (no provider imports: the
environment configs name it)."""

from typing import Literal

# "create": this project; "existing": already managed (an AWS Organizations delegated administrator).
DetectorMode = Literal["create", "existing"]

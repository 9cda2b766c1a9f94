"""VeleroProps (what, when and how long Velero backs up) and BackupLocation (where backups live), free of
provider imports so environment configs validate without loading the bindings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from marketplace_constructs.checked import checked
from marketplace_constructs.errors import ConfigError, check_dns_label, check_pattern, check_range, is_known
from marketplace_constructs.regions import check_region
from marketplace_constructs.workload.service_props import ResourceProps

VELERO_NAMESPACE: Final = "velero"
# Platform namespaces holding state minted inside the cluster, which Terraform cannot recreate as it was:
# cert-manager keeps the private root CA's key pair (the edge certificate chains to it) and istio-system
# istiod's self-signed mesh root (istio-ca-secret). Left out on purpose: monitoring (metrics, traces and
# alert silences are short-lived telemetry, and Loki's logs are in S3 already; its volumes would make each
# backup hundreds of GiB of snapshots), and every namespace whose objects Terraform and the controllers
# rebuild as they were (istio-ingress, istio-cni, external-secrets, elastic-system).
PLATFORM_STATE_NAMESPACES: Final = ("cert-manager", "istio-system")
DEFAULT_RESOURCES: Final = ResourceProps(cpu_request="500m", memory_request="256Mi", memory_limit="1Gi")

# robfig/cron's standard parser, which Velero's Schedule controller uses: five fields or a descriptor.
CRON_DESCRIPTORS: Final = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_MONTHS: Final = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_DAYS: Final = {name: number for number, name in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
_CRON_FIELDS: Final[tuple[tuple[str, int, int, dict[str, int]], ...]] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day-of-month", 1, 31, {}),
    ("month", 1, 12, _MONTHS),
    ("day-of-week", 0, 6, _DAYS),
)
_NUMBER: Final = re.compile(r"[0-9]+")
# One prefix per environment: lower-case DNS labels joined by '/', no leading or trailing '/'.
_PREFIX: Final = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(/[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"


def _cron_value(text: str, names: dict[str, int]) -> int | None:
    if _NUMBER.fullmatch(text):
        return int(text)
    return names.get(text.lower())


def _cron_item_is_valid(item: str, low: int, high: int, names: dict[str, int]) -> bool:
    """``*``, ``?``, ``n`` or ``n-m``, each optionally ``/step``, with every number inside [low, high]."""
    span, slash, step = item.partition("/")
    if slash and not (_NUMBER.fullmatch(step) and int(step) > 0):
        return False
    if span in ("*", "?"):
        return True
    parts = span.split("-")
    values = [_cron_value(part, names) for part in parts]
    numbers = [value for value in values if value is not None and low <= value <= high]
    return len(parts) <= 2 and len(numbers) == len(parts) and numbers[0] <= numbers[-1]


def cron_problem(expression: str) -> str | None:
    """Why ``expression`` is no schedule Velero accepts, or None when it is one."""
    if expression in CRON_DESCRIPTORS:
        return None
    fields = expression.split()
    if len(fields) != len(_CRON_FIELDS):
        return f"it has {len(fields)} fields"
    for text, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=True):
        if not all(_cron_item_is_valid(item, low, high, names) for item in text.split(",")):
            return f"its {name} field {text!r} is not a list of values, ranges or steps within {low}-{high}"
    return None


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class VeleroProps:
    """Velero for one environment: a scheduled backup of the listed namespaces, kept retention_days.

    The server runs one replica: the chart fixes the Deployment at one (Recreate), since Velero has no
    leader election, so there is no replica count to set. A restart only delays the next backup; a backup
    it interrupts is marked failed and the next run takes a whole one again.

    Attributes:
        schedule: When the Schedule starts a backup, in the time zone of the server (UTC): five cron fields
            (minute hour day-of-month month day-of-week) or a descriptor such as "@daily". Default:
            "0 3 * * *" (daily at 03:00 UTC).
        retention_days: Days each backup is kept (its TTL; also the default of manual backups), 1-400; Velero
            deletes it afterwards, and the bucket's Object Lock and versioning keep the deleted objects as
            noncurrent versions for their own periods. Default: 30.
        namespaces: Namespaces the Schedule backs up beside the services' own (``velero_schedule`` adds
            those: none can be left out), objects and the volumes their claims hold, each a DNS-1123 label,
            never Velero's own. Default: the platform's two with state minted in the cluster (cert-manager's
            root CA, istiod's mesh root), PLATFORM_STATE_NAMESPACES.
        snapshot_volumes: Take an EBS snapshot of every persistent volume the backed-up namespaces claim,
            through the AWS plugin (no node agent); False backs up objects only. Default: True.
        resources: The server container's requests and limits. Default: 500m CPU and 256Mi requested, 1Gi
            memory limit, no CPU limit.
    """

    schedule: str = "0 3 * * *"
    retention_days: int = 30
    namespaces: tuple[str, ...] = PLATFORM_STATE_NAMESPACES
    snapshot_volumes: bool = True
    resources: ResourceProps = DEFAULT_RESOURCES

    def __post_init__(self) -> None:
        owner = "VeleroProps"
        problem = cron_problem(self.schedule) if is_known(self.schedule) else None
        if problem:
            raise ConfigError(
                f"{owner}.schedule must be five cron fields (minute hour day-of-month month day-of-week) "
                f"or one of {', '.join(CRON_DESCRIPTORS)}, got {self.schedule!r}; {problem}"
            )
        check_range(owner, "retention_days", self.retention_days, 1, 400, " days")
        if not self.namespaces:
            raise ConfigError(f"{owner}.namespaces must name at least one namespace, got ()")
        for namespace in self.namespaces:
            check_dns_label(owner, "namespaces", namespace)
        if len(set(self.namespaces)) != len(self.namespaces):
            raise ConfigError(f"{owner}.namespaces must not repeat a namespace, got {self.namespaces!r}")
        if VELERO_NAMESPACE in self.namespaces:
            raise ConfigError(
                f"{owner}.namespaces must not include {VELERO_NAMESPACE!r}, got {self.namespaces!r}; "
                "Velero's own objects come from its release; restoring them over a running server breaks it"
            )

    @property
    def ttl(self) -> str:
        """retention_days as the Go duration Velero stores (``720h0m0s`` for 30 days)."""
        return f"{self.retention_days * 24}h0m0s"


@checked
@dataclass(frozen=True, slots=True, kw_only=True)
class BackupLocation:
    """An S3 bucket and prefix holding one environment's Velero backups (tokens pass every check).

    Attributes:
        bucket: Bucket name, e.g. the foundation's ``backups_bucket``. Required.
        prefix: Folder of this environment's backups inside the bucket (Velero writes ``<prefix>/backups/``
            and so on), lower-case DNS labels joined by '/': the environment's name, so environments sharing
            a bucket (a replica) never mix. Required.
        region: The bucket's region. Required.
        kms_key_arn: The key the bucket encrypts its objects with (SSE-KMS): new backups are written with it,
            and reading one needs it. Required.
    """

    bucket: str
    prefix: str
    region: str
    kms_key_arn: str

    def __post_init__(self) -> None:
        owner = "BackupLocation"
        check_pattern(owner, "bucket", self.bucket, r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", "an S3 bucket name")
        check_pattern(owner, "prefix", self.prefix, _PREFIX, "lower-case DNS labels joined by '/'")
        check_region(owner, "region", self.region)
        check_pattern(
            owner, "kms_key_arn", self.kms_key_arn, r"arn:aws:kms:[a-z0-9-]+:\d{12}:key/.+", "a KMS key ARN"
        )

    @property
    def bucket_arn(self) -> str:
        return f"arn:aws:s3:::{self.bucket}"

    @property
    def objects_arn(self) -> str:
        """Every object under the prefix (Velero keeps nothing outside it)."""
        return f"{self.bucket_arn}/{self.prefix}/*"

"""Logs: the value trees of the ``loki`` chart (single binary, retention enforced by its compactor) and the
``alloy`` chart (a DaemonSet shipping every pod's log files to Loki), and the names others reach them by.

Both releases go to the ``monitoring`` namespace of the platform layer, after kube-prometheus-stack: each
creates a ServiceMonitor, a CRD which that release installs.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from marketplace_constructs.addons.external_secrets import ROLE_ANNOTATION
from marketplace_constructs.errors import ConfigError
from marketplace_constructs.mesh._render import zone_spread
from marketplace_constructs.observability.logs_props import LogsProps
from marketplace_constructs.observability.metrics import STORAGE_CLASS

NAMESPACE: Final = "monitoring"
LOKI_NAME: Final = "loki"  # fullnameOverride: the Service, the StatefulSet and the service account
LOKI_SERVICE_ACCOUNT: Final = (NAMESPACE, LOKI_NAME)  # namespace, name: LogStorage's role trusts only it
# Alloy and Grafana call the single binary's Service: it serves pushes and queries alike, so the chart's
# nginx gateway would only add a hop (it exists to route between split components and to check tenants).
LOKI_QUERY_URL: Final = f"http://{LOKI_NAME}.{NAMESPACE}.svc.cluster.local:3100"  # Grafana's data source
LOKI_PUSH_URL: Final = f"{LOKI_QUERY_URL}/loki/api/v1/push"
# First day of the one schema: fixed, because Loki reads each day with the schema in force that day. A
# schema change adds an entry starting on a future date; never edit this one.
SCHEMA_FROM: Final = "2026-01-01"

# The services' log contract: one JSON object per line on stdout with these fields.
LEVEL_FIELD: Final = "level"
TRACE_ID_FIELD: Final = "trace_id"  # also the structured metadata key Grafana links to the trace
LOG_LEVELS: Final = ("debug", "info", "warn", "error")
SERVICE_LOG_FIELDS: Final = {
    LEVEL_FIELD: "one of LOG_LEVELS, lower case; becomes the `level` label (other values stay in the line)",
    "msg": "the human-readable message; stays in the line",
    TRACE_ID_FIELD: "W3C trace id (32 hex digits) of the current span, if any; kept as structured metadata",
}
# Istio's proxies log each request as JSON from this container: Istio's default fields (response_code among
# them) plus trace_id (marketplace_constructs.mesh._render.ACCESS_LOG_FIELDS), so access logs link to traces.
ISTIO_PROXY_CONTAINER: Final = "istio-proxy"
# Every stream label Alloy sets; all bounded: status_class is "1xx"-"5xx" (or "0": no HTTP response).
STREAM_LABELS: Final = ("namespace", "pod", "container", "app", "stream", "level", "status_class")

LOKI_POD_LABELS: Final = {"app.kubernetes.io/name": "loki", "app.kubernetes.io/component": "single-binary"}
POD_LOG_DIR: Final = "/var/log/pods"  # the kubelet's: <namespace>_<pod>_<uid>/<container>/<restart>.log
ALLOY_DATA_DIR: Final = "/var/lib/alloy"  # positions file, on the node so a restart resumes where it was
POD_READER: Final = {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}


def loki_values(
    props: LogsProps, *, bucket: str | None, region: str, role_arn: str | None, kms_key_arn: str | None
) -> dict[str, Any]:
    """The ``loki`` chart's value tree: Monolithic mode, ``props.replicas`` single binaries on gp3 volumes.

    With storage "s3", ``bucket``, ``role_arn`` and ``kms_key_arn`` come from LogStorage (tokens): chunks,
    index and ruler share the bucket (Loki keeps them under separate prefixes), reached through IRSA and
    written SSE-KMS with that key. With "filesystem" all three are None and ``region`` is unused.

    Multi-tenancy is off (the tenant is "fake"): Loki does not authenticate a tenant header, so tenants
    behind no authenticating proxy would separate nothing; one cluster, one team, one tenant. The gateway,
    the memcached caches (sized for far larger installs), MinIO, the canary and test pods, the rules
    sidecar (it reads every Secret in the cluster) and usage reporting (it calls the internet) are off.
    """
    s3 = props.storage == "s3"
    objects = {"bucket": bucket, "role_arn": role_arn, "kms_key_arn": kms_key_arn}
    wrong = [name for name, value in objects.items() if (value is None) == s3]
    if wrong:
        rule = "needs" if s3 else "takes no"
        raise ConfigError(
            f"loki_values {rule} {', '.join(wrong)} with storage={props.storage!r}"
            + ("; pass LogStorage's bucket_name, role_arn and kms_key_arn" if s3 else "")
        )
    store = "s3" if s3 else "filesystem"
    storage: dict[str, Any] = {"type": "filesystem"}
    if s3:
        storage = {
            "type": "s3",
            "bucketNames": {"chunks": bucket, "ruler": bucket},
            "s3": {
                "region": region,
                "disable_dualstack": True,  # the regional endpoint, routed through the VPC's S3 endpoint
                "sse": {"type": "SSE-KMS", "kms_key_id": kms_key_arn},
            },
        }
    return {
        "deploymentMode": "Monolithic",  # SimpleScalable is deprecated and goes with Loki 4
        "fullnameOverride": LOKI_NAME,
        # Loki's pods call no Kubernetes API (its S3 access uses IRSA's own projected token)
        "defaults": {"automountServiceAccountToken": False},
        "loki": {
            "auth_enabled": False,
            "commonConfig": {"replication_factor": props.replication_factor},
            "schemaConfig": {
                "configs": [
                    {
                        "from": SCHEMA_FROM,
                        "store": "tsdb",
                        "object_store": store,
                        "schema": "v13",
                        "index": {"prefix": "index_", "period": "24h"},
                    }
                ]
            },
            "storage": storage,
            "limits_config": {
                "retention_period": f"{props.retention_days * 24}h",
                "allow_structured_metadata": True,  # trace_id
            },
            "compactor": {"retention_enabled": True, "delete_request_store": store},
            "analytics": {"reporting_enabled": False},
        },
        "serviceAccount": {
            "name": LOKI_NAME,
            "annotations": {ROLE_ANNOTATION: role_arn} if s3 else {},
        },
        "singleBinary": {
            "replicas": props.replicas,
            "resources": {"requests": {"cpu": "500m", "memory": "2Gi"}, "limits": {"memory": "4Gi"}},
            "persistence": {"size": f"{props.volume_gb}Gi", "storageClass": STORAGE_CLASS},
            "podDisruptionBudget": {"maxUnavailable": 1},  # rendered only with several replicas
            # The chart already keeps replicas on distinct nodes (hard anti-affinity).
            "topologySpreadConstraints": zone_spread(LOKI_POD_LABELS) if props.replicas > 1 else [],
        },
        # The other deployment modes' components default to 3 replicas; the chart refuses to mix modes.
        "write": {"replicas": 0},
        "read": {"replicas": 0},
        "backend": {"replicas": 0},
        "gateway": {"enabled": False},
        "chunksCache": {"enabled": False},
        "resultsCache": {"enabled": False},
        "minio": {"enabled": False},
        "test": {"enabled": False},
        "lokiCanary": {"enabled": False},
        "sidecar": {"rules": {"enabled": False}},
        # Prometheus selects every ServiceMonitor. The chart's rules and dashboards stay off: the project's
        # alerts come from observability.alerts, and the dashboards need those recording rules.
        "monitoring": {"serviceMonitor": {"enabled": True}},
    }


def alloy_values() -> dict[str, Any]:
    """The ``alloy`` chart's value tree: a DaemonSet tailing this node's pod log files (``alloy_config``).

    Alloy runs as root, because the kubelet's log files are root's (0640), but with no capability, no
    privilege escalation and a read-only root file system; it mounts only the pod log directory (read
    only) and its own data directory. Its ClusterRole lists and watches pods, nothing else: the chart
    writes ``rules`` and ``clusterRules`` into that one role and renders an empty list as invalid YAML, so
    both hold the same rule. It tolerates every taint, so no node's logs go unshipped.
    """
    return {
        "crds": {"create": False},  # PodLogs: unused
        "alloy": {
            "configMap": {"content": alloy_config()},
            "enableReporting": False,  # usage reports go to the internet
            "storagePath": ALLOY_DATA_DIR,
            "mounts": {
                "extra": [
                    {"name": "pod-logs", "mountPath": POD_LOG_DIR, "readOnly": True},
                    {"name": "data", "mountPath": ALLOY_DATA_DIR},
                ]
            },
            "securityContext": {
                "runAsUser": 0,
                "runAsGroup": 0,
                "runAsNonRoot": False,
                "readOnlyRootFilesystem": True,
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}},
        },
        "controller": {
            "type": "daemonset",
            "tolerations": [{"operator": "Exists"}],
            "volumes": {
                "extra": [
                    {"name": "pod-logs", "hostPath": {"path": POD_LOG_DIR, "type": "Directory"}},
                    {"name": "data", "hostPath": {"path": ALLOY_DATA_DIR, "type": "DirectoryOrCreate"}},
                ]
            },
        },
        "rbac": {"rules": [POD_READER], "clusterRules": [POD_READER]},
        "serviceMonitor": {"enabled": True},
    }


@dataclass(frozen=True, slots=True)
class Expr:
    """An Alloy expression written as is (a reference to an export, a function call), never quoted."""

    text: str


AlloyValue = str | bool | int | Expr | Sequence[Any] | Mapping[str, Any]


def _value(value: AlloyValue) -> str:
    """``value`` in Alloy syntax; strings quoted as JSON (Alloy's escapes are JSON's)."""
    if isinstance(value, Expr):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, str)):
        return json.dumps(value)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{key} = {_value(item)}" for key, item in value.items()) + " }"
    return "[" + ", ".join(_value(item) for item in value) + "]"


def _block(header: str, *body: str, **attributes: AlloyValue) -> str:
    """``header { attributes, then body }``: body items are nested blocks or ``//`` comments."""
    width = max((len(name) for name in attributes), default=0)
    lines = [f"{name.ljust(width)} = {_value(value)}" for name, value in attributes.items()]
    if lines and body:
        lines.append("")  # as alloy fmt writes it: attributes, a blank line, blocks
    lines += body
    if not lines:
        return f"{header} {{}}"
    inner = textwrap.indent("\n".join(lines), "  ")
    return f"{header} {{\n{inner}\n}}"


def _relabel(source: str | list[str], target: str, **options: str) -> str:
    sources = [source] if isinstance(source, str) else source
    return _block("rule", source_labels=sources, **options, target_label=target)


def alloy_config() -> str:
    """Alloy's configuration: this node's pods (an API watch filtered to the node) give the label set and a
    glob for each container's files under /var/log/pods, which Alloy tails itself.

    Files rather than the API's log stream (``loki.source.kubernetes``): reading locally puts no log
    traffic through the API server and kubelet, keeps working while the API server is away, and the
    positions file resumes each file where it stopped. Labels: namespace, pod, container, app and stream;
    ``level`` from the services' JSON (LOG_LEVELS only) and ``status_class`` from the proxies' access logs;
    ``trace_id`` goes to structured metadata, where it costs no stream.
    """
    levels = "|".join(LOG_LEVELS)
    components = [
        "// Generated by marketplace_constructs.observability.logs.alloy_config: edit the Python.",
        _block(
            'discovery.kubernetes "pods"',
            _block("selectors", role="pod", field=Expr('"spec.nodeName=" + sys.env("HOSTNAME")')),
            role="pod",
        ),
        _block(
            'discovery.relabel "pods"',
            _relabel("__meta_kubernetes_namespace", "namespace"),
            _relabel("__meta_kubernetes_pod_name", "pod"),
            _relabel("__meta_kubernetes_pod_container_name", "container"),
            _relabel(
                ["__meta_kubernetes_pod_label_app_kubernetes_io_name", "__meta_kubernetes_pod_label_app"],
                "app",
                regex="^;*([^;]+)(;.*)?$",  # the first of the two that is set
            ),
            _relabel(
                ["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"],
                "__path__",
                separator="/",
                replacement=f"{POD_LOG_DIR}/*$1/*.log",
            ),
            targets=Expr("discovery.kubernetes.pods.targets"),
        ),
        _block(
            'loki.source.file "pods"',
            _block("file_match", enabled=True),
            targets=Expr("discovery.relabel.pods.output"),
            forward_to=[Expr("loki.process.pods.receiver")],
        ),
        _block(
            'loki.process "pods"',
            "// containerd's lines: time, stream (a label), partial-line flag, message",
            _block("stage.cri"),
            "// the file's path repeats pod and container",
            _block("stage.label_drop", values=["filename"]),
            "// the services' JSON logs and the proxies' own",
            _block("stage.json", expressions={LEVEL_FIELD: LEVEL_FIELD, TRACE_ID_FIELD: TRACE_ID_FIELD}),
            _block("stage.regex", source=LEVEL_FIELD, expression=f"^(?P<log_level>{levels})$"),
            _block("stage.labels", values={"level": "log_level"}),
            "// the proxies' access logs: 503 -> 5xx",
            _block(
                "stage.match",
                _block("stage.json", expressions={"status_class": "response_code"}),
                _block("stage.replace", source="status_class", expression="^\\d(\\d\\d)$", replace="xx"),
                _block("stage.labels", values={"status_class": "status_class"}),
                selector=f'{{container="{ISTIO_PROXY_CONTAINER}"}}',
            ),
            _block("stage.structured_metadata", values={TRACE_ID_FIELD: TRACE_ID_FIELD}),
            forward_to=[Expr("loki.write.loki.receiver")],
        ),
        _block('loki.write "loki"', _block("endpoint", url=LOKI_PUSH_URL)),
    ]
    return "\n\n".join(components) + "\n"

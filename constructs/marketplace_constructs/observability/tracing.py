"""Helm values of tracing: the ECK operator, the OpenTelemetry Collector the mesh sends spans to, Jaeger v2
storing them in the ECK-run Elasticsearch (manifests.elasticsearch), and the Elasticsearch exporter.

Layers: ``<env>-platform`` installs eck-operator (namespace ``elastic-system``; it brings the ECK CRDs) and
the collector (``monitoring``). ``<env>-apps`` makes, in ``monitoring``, the users' ExternalSecrets, the roles
Secret and the Elasticsearch resource, then Jaeger and the exporter, whose pods need that cluster and its
Secrets. Spans: mesh and services -> collector (OTLP gRPC/HTTP, port 4317/4318) -> Jaeger (OTLP gRPC) ->
Elasticsearch (HTTPS, basic auth as a least-privilege file-realm user).
"""

from __future__ import annotations

from typing import Any, Final

from marketplace_constructs.manifests.elasticsearch import CA_KEY, ca_secret, http_service_url
from marketplace_constructs.manifests.monitoring import service_monitor
from marketplace_constructs.mesh._render import zone_spread
from marketplace_constructs.observability.tracing_props import (
    EXPORTER_USER,
    INDEX_CLEANER_USER,
    JAEGER_USER,
    ElasticsearchUser,
    TracingProps,
)
from marketplace_constructs.security.contexts import RESTRICTED_CONTAINER

# The newest 8.x release (8.19 is the last 8.x minor); ECK 3.5.0 runs 7.17 and later. Pinned exactly: a
# change is a rolling upgrade of the cluster.
ELASTICSEARCH_VERSION: Final = "8.19.26"
ELASTICSEARCH_NAME: Final = "tracing"
JAEGER_NAME: Final = "jaeger"
COLLECTOR_NAME: Final = "opentelemetry-collector"  # the Service MeshProps.tracing_collector names
# The OpenTelemetry project's Kubernetes distribution, at the chart's appVersion (0.158.0): it has every
# component used here (OTLP receiver and gRPC exporter, memory_limiter, batch, health_check) and a fraction of
# contrib's hundreds, so a smaller image and fewer CVEs to patch. The chart has no default image.
COLLECTOR_IMAGE: Final = "otel/opentelemetry-collector-k8s"
OTLP_GRPC_PORT: Final = 4317
QUERY_PORT: Final = 16686

JAEGER_LABELS: Final = {"app.kubernetes.io/name": JAEGER_NAME, "app.kubernetes.io/component": "all-in-one"}
COLLECTOR_LABELS: Final = {"app.kubernetes.io/name": COLLECTOR_NAME, "component": "standalone-collector"}
JAEGER_SECRETS_DIR: Final = "/etc/jaeger"
CLEANER_CA_FILE: Final = f"/es-ca/{CA_KEY}"


def config_env(variable: str) -> str:
    """``${env:VARIABLE}`` (how the collector and Jaeger read an environment variable in their config) as a
    helm_release value must carry it: Terraform reads ``${`` in a value as its own interpolation (where
    ``env:...`` fails to parse) and turns ``$${`` into a literal ``${``."""
    return f"$${{env:{variable}}}"


def jaeger_otlp_endpoint(namespace: str) -> str:
    """Where the collector sends spans: Jaeger's OTLP gRPC receiver (``collector_values``' argument)."""
    return f"{JAEGER_NAME}.{namespace}.svc.cluster.local:{OTLP_GRPC_PORT}"


def jaeger_query_url(namespace: str) -> str:
    """Jaeger's query API and UI inside the cluster (Grafana's Jaeger datasource)."""
    return f"http://{JAEGER_NAME}.{namespace}.svc:{QUERY_PORT}"


def eck_operator_values(managed_namespace: str) -> dict[str, Any]:
    """ECK operator watching only ``managed_namespace`` (where the Elasticsearch resource lives). The chart's
    default security context lacks a seccomp profile, which the restricted Pod Security Standard of its
    namespace requires."""
    return {
        "managedNamespaces": [managed_namespace],
        "podSecurityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    }


def collector_config(jaeger_endpoint: str) -> dict[str, Any]:
    """The collector's whole configuration: OTLP in (gRPC and HTTP), memory limit then batches, OTLP gRPC
    out to ``jaeger_endpoint``. No sampling: the mesh samples (its Telemetry resource); this forwards all.

    Plaintext to Jaeger: both sit in ``monitoring``, outside the mesh; the exporter retries and queues in
    memory while Jaeger restarts."""
    pod_ip = config_env("MY_POD_IP")  # the chart sets MY_POD_IP; the probes call the pod IP
    return {
        "extensions": {"health_check": {"endpoint": f"{pod_ip}:13133"}},
        "receivers": {
            "otlp": {
                "protocols": {"grpc": {"endpoint": f"{pod_ip}:4317"}, "http": {"endpoint": f"{pod_ip}:4318"}}
            }
        },
        "processors": {
            # of the container's memory limit: refuse data (clients retry) before the pod is OOM-killed
            "memory_limiter": {"check_interval": "1s", "limit_percentage": 80, "spike_limit_percentage": 25},
            # bounded batches stay well below Jaeger's gRPC message limit (jaeger_values raises it to 16 MiB)
            "batch": {"send_batch_size": 1024, "send_batch_max_size": 2048, "timeout": "1s"},
        },
        "exporters": {"otlp_grpc/jaeger": {"endpoint": jaeger_endpoint, "tls": {"insecure": True}}},
        "service": {
            "extensions": ["health_check"],
            "pipelines": {
                "traces": {
                    "receivers": ["otlp"],
                    "processors": ["memory_limiter", "batch"],
                    "exporters": ["otlp_grpc/jaeger"],
                }
            },
            "telemetry": {
                "metrics": {
                    "readers": [{"pull": {"exporter": {"prometheus": {"host": pod_ip, "port": 8888}}}}]
                }
            },
        },
    }


def collector_values(props: TracingProps, jaeger_endpoint: str) -> dict[str, Any]:
    """The collector as Deployment ``opentelemetry-collector`` (the Service MeshProps.tracing_collector
    names) with ``props.collector_replicas`` pods spread over zones, a PodDisruptionBudget and a
    ServiceMonitor on its own metrics (port 8888). ``alternateConfig`` replaces the chart's default pipelines
    (Jaeger, Zipkin, Prometheus receivers, debug exporter) with collector_config, instead of deleting them
    key by key."""
    return {
        "fullnameOverride": COLLECTOR_NAME,
        "mode": "deployment",
        "replicaCount": props.collector_replicas,
        "image": {"repository": COLLECTOR_IMAGE},
        "alternateConfig": collector_config(jaeger_endpoint),
        "ports": {
            **{
                name: {"enabled": False}
                for name in ("jaeger-compact", "jaeger-thrift", "jaeger-grpc", "zipkin")
            },
            "metrics": {"enabled": True},
        },
        "serviceMonitor": {"enabled": True},
        "podDisruptionBudget": {"enabled": True, "maxUnavailable": 1},
        "serviceAccount": {"automountServiceAccountToken": False},  # no Kubernetes API calls
        "securityContext": RESTRICTED_CONTAINER,
        "resources": {"requests": {"cpu": "200m", "memory": "512Mi"}, "limits": {"memory": "1Gi"}},
        "topologySpreadConstraints": zone_spread(COLLECTOR_LABELS),
    }


def _secret_env(variable: str, user: ElasticsearchUser, key: str) -> dict[str, Any]:
    return {"name": variable, "valueFrom": {"secretKeyRef": {"name": user.secret_name, "key": key}}}


def _secret_volume(name: str, secret: str, key: str) -> dict[str, Any]:
    return {"name": name, "secret": {"secretName": secret, "items": [{"key": key, "path": key}]}}


def jaeger_config(props: TracingProps, elasticsearch_url: str) -> dict[str, Any]:
    """Jaeger v2's configuration: OTLP gRPC in, Elasticsearch storage, the query UI/API on 16686, health on
    13133 (the chart's probes), metrics on 8888. Credentials: the user name from the environment, the password
    from a mounted file (re-read every 5 minutes: a rotated password needs no restart); the CA from ECK's
    public Secret, read at start (restart Jaeger after ECK renews its CA, yearly).

    Jaeger writes daily indices (``jaeger-span-YYYY-MM-DD``) and creates their index templates at start; the
    span index has a primary shard per node, one replica when there are several nodes. Queries look back
    ``retention_days``, as far as the index cleaner keeps data."""
    replicas = props.index_replicas
    return {
        "service": {
            "extensions": ["jaeger_storage", "jaeger_query", "healthcheckv2"],
            "pipelines": {"traces": {"receivers": ["otlp"], "exporters": ["jaeger_storage_exporter"]}},
            "telemetry": {
                "resource": {"service.name": JAEGER_NAME},
                "metrics": {
                    "readers": [{"pull": {"exporter": {"prometheus": {"host": "0.0.0.0", "port": 8888}}}}]
                },
            },
        },
        "extensions": {
            "healthcheckv2": {"use_v2": True, "http": {"endpoint": "0.0.0.0:13133"}},
            "jaeger_query": {"storage": {"traces": "primary"}},
            "jaeger_storage": {
                "backends": {
                    "primary": {
                        "elasticsearch": {
                            "server_urls": [elasticsearch_url],
                            "auth": {
                                "basic": {
                                    "username": config_env("ES_USERNAME"),
                                    "password_file": f"{JAEGER_SECRETS_DIR}/es-user/password",
                                    "reload_interval": "5m",
                                }
                            },
                            "tls": {"ca_file": f"{JAEGER_SECRETS_DIR}/es-ca/{CA_KEY}"},
                            "indices": {
                                "spans": {"shards": props.elasticsearch_nodes, "replicas": replicas},
                                "services": {"shards": 1, "replicas": replicas},
                                "dependencies": {"shards": 1, "replicas": replicas},
                            },
                            "max_span_age": f"{props.retention_days * 24}h",
                        }
                    }
                }
            },
        },
        "receivers": {
            "otlp": {"protocols": {"grpc": {"endpoint": "0.0.0.0:4317", "max_recv_msg_size_mib": 16}}}
        },
        "exporters": {"jaeger_storage_exporter": {"trace_storage": "primary"}},
    }


def _index_cleaner(props: TracingProps, elasticsearch_name: str) -> dict[str, Any]:
    """The chart's nightly es-index-cleaner CronJob (23:55 UTC, image jaeger-es-index-cleaner at the chart's
    appVersion): deletes the Jaeger indices created before the newest ``retention_days`` days, as its own
    user over verified TLS."""
    return {
        "enabled": True,
        "numberOfDays": props.retention_days,
        "cmdlineParams": {"es.tls.enabled": "true", "es.tls.ca": CLEANER_CA_FILE},
        "extraEnv": [
            _secret_env("ES_USERNAME", INDEX_CLEANER_USER, "username"),
            _secret_env("ES_PASSWORD", INDEX_CLEANER_USER, "password"),
        ],
        "extraSecretMounts": [
            {
                "name": "es-ca",
                "secretName": ca_secret(elasticsearch_name),
                "mountPath": CLEANER_CA_FILE,
                "subPath": CA_KEY,
                "readOnly": True,
            }
        ],
        "securityContext": RESTRICTED_CONTAINER,
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
    }


def jaeger_values(props: TracingProps, elasticsearch_name: str, namespace: str) -> dict[str, Any]:
    """Jaeger v2 (chart ``jaeger``, one Deployment ``jaeger`` that writes and queries) on Elasticsearch
    ``elasticsearch_name`` in ``namespace``: ``props.jaeger_replicas`` pods spread over zones, rolling updates
    (the chart's default, Recreate, would stop ingestion on every upgrade), a PodDisruptionBudget and a
    ServiceMonitor (chart extraObjects).

    Index lifecycle: daily indices and the chart's es-index-cleaner CronJob, not ILM. Jaeger 2.19's
    ``use_ilm`` needs ``use_aliases``, ``create_mappings: false`` and the index templates and aliases made by
    ``es-rollover init`` (the chart's pre-install hook), and that init only checks that the ILM policy exists:
    nothing creates it (ECK manages ILM policies only through StackConfigPolicy, an Enterprise feature), and
    the hook runs before the release's pods, in the apply that may still be creating the cluster. Daily
    indices need no policy or hook, Jaeger installs their templates itself, and the cleaner drops whole
    indices, the cheapest way to delete in Elasticsearch.
    """
    url = http_service_url(elasticsearch_name, namespace)
    return {
        "fullnameOverride": JAEGER_NAME,
        "userconfig": jaeger_config(props, url),
        "storage": {"elasticsearch": {"url": url}},  # read by the index cleaner only
        "jaeger": {
            "replicas": props.jaeger_replicas,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "serviceAccount": {"automountServiceAccountToken": False},  # no Kubernetes API calls
            "securityContext": RESTRICTED_CONTAINER,
            "resources": {"requests": {"cpu": "250m", "memory": "512Mi"}, "limits": {"memory": "1Gi"}},
            "topologySpreadConstraints": zone_spread(JAEGER_LABELS),
            "extraEnv": [_secret_env("ES_USERNAME", JAEGER_USER, "username")],
            "extraVolumes": [
                _secret_volume("es-user", JAEGER_USER.secret_name, "password"),
                _secret_volume("es-ca", ca_secret(elasticsearch_name), CA_KEY),
            ],
            "extraVolumeMounts": [
                {"name": name, "mountPath": f"{JAEGER_SECRETS_DIR}/{name}", "readOnly": True}
                for name in ("es-user", "es-ca")
            ],
        },
        "esIndexCleaner": _index_cleaner(props, elasticsearch_name),
        "extraObjects": [
            {
                "apiVersion": "policy/v1",
                "kind": "PodDisruptionBudget",
                "metadata": {"name": JAEGER_NAME},
                "spec": {"maxUnavailable": 1, "selector": {"matchLabels": JAEGER_LABELS}},
            },
            service_monitor(
                JAEGER_NAME,
                namespace,
                selector=JAEGER_LABELS,
                port="internal-metrics",
                namespaces=[namespace],
            ),
        ],
    }


def elasticsearch_exporter_values(elasticsearch_name: str, namespace: str) -> dict[str, Any]:
    """elasticsearch_exporter on Elasticsearch ``elasticsearch_name`` over HTTPS verified with ECK's CA, as
    the ``metrics_reader`` user (ES_USERNAME/ES_PASSWORD from its Secret): cluster health, node, index and
    shard stats, scraped through the chart's ServiceMonitor. Index mappings and snapshots are off (high
    cardinality, more privileges, and no snapshot repository)."""
    return {
        "es": {
            "uri": http_service_url(elasticsearch_name, namespace),
            "indices_mappings": False,
            "snapshots": False,
            "ssl": {
                "enabled": True,
                "useExistingSecrets": True,  # the CA comes from secretMounts, not from values
                "ca": {"path": f"/ssl/{CA_KEY}"},
                "client": {"enabled": False},
            },
        },
        "extraEnvSecrets": {
            variable: {"secret": EXPORTER_USER.secret_name, "key": key}
            for variable, key in (("ES_USERNAME", "username"), ("ES_PASSWORD", "password"))
        },
        "secretMounts": [{"name": "es-ca", "secretName": ca_secret(elasticsearch_name), "path": "/ssl"}],
        "serviceMonitor": {"enabled": True},
        "serviceAccount": {"create": True, "name": "", "automountServiceAccountToken": False},
        "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
    }

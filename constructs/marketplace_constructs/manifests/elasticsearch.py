"""ECK objects for the tracing Elasticsearch (elasticsearch.k8s.elastic.co/v1): the cluster, its roles and the
External Secrets of its file-realm users, and the names ECK gives the objects it makes."""

from __future__ import annotations

import json
from typing import Any, Final

from marketplace_constructs.manifests import metadata
from marketplace_constructs.manifests.secrets import external_secret
from marketplace_constructs.mesh._render import zone_spread
from marketplace_constructs.observability.tracing_props import (
    ELASTICSEARCH_CPU_M,
    EXPORTER_USER,
    INDEX_CLEANER_USER,
    JAEGER_USER,
    TRACING_USERS,
    ElasticsearchUser,
    TracingProps,
)

STORAGE_CLASS: Final = "gp3-encrypted"  # the platform layer's default, KMS-encrypted
NODE_CLASS: Final = {"workload-class": "memory"}  # the memory-optimised node group
DATA_CLAIM: Final = "elasticsearch-data"  # the claim ECK mounts as the data path (and then a read-only root)
NODE_SET: Final = "default"
HOSTNAME: Final = "kubernetes.io/hostname"
ZONE: Final = "topology.kubernetes.io/zone"
ROLES_SECRET: Final = "elasticsearch-roles"
ROLES_KEY: Final = "roles.yml"
HTTP_PORT: Final = 9200
CA_KEY: Final = "ca.crt"

# Least privilege per user (Elasticsearch security privileges; Jaeger's indices are jaeger-span-<date>,
# jaeger-service-<date>, jaeger-dependencies-<date>).
ROLES: Final[dict[str, dict[str, Any]]] = {
    # Jaeger pings the cluster (monitor), installs its index templates at start, then creates the daily
    # indices by writing to them and searches them.
    JAEGER_USER.role: {
        "cluster": ["monitor", "manage_index_templates"],
        "indices": [
            {"names": ["jaeger-*"], "privileges": ["create_index", "write", "read", "view_index_metadata"]}
        ],
    },
    # es-index-cleaner lists the Jaeger indices with their creation dates and deletes the old ones.
    INDEX_CLEANER_USER.role: {
        "indices": [{"names": ["jaeger-*"], "privileges": ["view_index_metadata", "delete_index"]}],
    },
    # elasticsearch_exporter: cluster health and node stats (monitor), index and shard stats.
    EXPORTER_USER.role: {
        "cluster": ["monitor"],
        "indices": [{"names": ["*"], "privileges": ["monitor"]}],
    },
}


def http_service_url(name: str, namespace: str) -> str:
    """HTTPS URL of the cluster's client Service (``<name>-es-http``), a name in ECK's certificate."""
    return f"https://{name}-es-http.{namespace}.svc:{HTTP_PORT}"


def ca_secret(name: str) -> str:
    """The Secret where ECK publishes the CA of the cluster's HTTP certificate (key ``ca.crt``), for clients
    to verify the server with; ECK renews that CA yearly (operator default ``caValidity: 8760h``)."""
    return f"{name}-es-http-certs-public"


def roles_yml() -> str:
    """``roles.yml`` of ROLES (JSON, which is YAML): not secret, so the apps layer stores it in Secret
    ``elasticsearch-roles`` (key ``roles.yml``) with a plain kubernetes_secret_v1; ECK reads roles only from
    Secrets."""
    return json.dumps(ROLES, indent=2, sort_keys=True)


def user_external_secret(user: ElasticsearchUser, namespace: str, *, store: str, env: str) -> dict[str, Any]:
    """ExternalSecret making the ``kubernetes.io/basic-auth`` Secret of ``user`` from Secrets Manager secret
    ``<env>/tracing/<user>``: ``username`` and ``password`` from it, plus ``roles`` (the user's role), the
    format ECK's file realm reads. The Secret is also the user's own credential (env or mounted file)."""
    remote = f"{env}/{user.remote_path}"
    body = external_secret(
        user.secret_name,
        namespace,
        store=store,
        keys={"username": (remote, "username"), "password": (remote, "password")},
    )
    body["spec"]["target"]["template"] = {
        "type": "kubernetes.io/basic-auth",
        "data": {"username": "{{ .username }}", "password": "{{ .password }}", "roles": user.role},
    }
    return body


def elasticsearch(name: str, namespace: str, *, props: TracingProps, version: str) -> dict[str, Any]:
    """The Elasticsearch cluster ``name``: ``props.elasticsearch_nodes`` master+data nodes on the memory node
    group, at most one per host (required) and spread over zones (ScheduleAnyway, as the mesh's spread, so
    the autoscaler can always place one); ECK's zone awareness tells Elasticsearch each node's zone, so a
    shard's copies sit in different zones. HTTPS with ECK's self-signed certificate. Users come only from the
    file realm (TRACING_USERS) with the roles in ROLES; the ``elastic`` superuser is not created.

    Volumes outlive the resource (deleted only on scale-down), so deleting it by mistake loses no traces;
    a changed ``version`` is a rolling upgrade, a smaller volume is refused by ECK.
    """
    labels = {"elasticsearch.k8s.elastic.co/cluster-name": name}
    gib = f"{props.elasticsearch_memory_gb}Gi"
    return {
        "apiVersion": "elasticsearch.k8s.elastic.co/v1",
        "kind": "Elasticsearch",
        "metadata": metadata(name, namespace),
        "spec": {
            "version": version,
            "volumeClaimDeletePolicy": "DeleteOnScaledownOnly",
            "auth": {
                "disableElasticUser": True,
                "fileRealm": [{"secretName": user.secret_name} for user in TRACING_USERS],
                "roles": [{"secretName": ROLES_SECRET}],
            },
            "nodeSets": [
                {
                    "name": NODE_SET,
                    "count": props.elasticsearch_nodes,
                    "config": {
                        "node.roles": ["master", "data", "ingest"],
                        # no GeoIP database downloads from the Internet: nothing here ingests IP addresses
                        "ingest.geoip.downloader.enabled": False,
                    },
                    "resources": {
                        "requests": {"cpu": f"{ELASTICSEARCH_CPU_M}m", "memory": gib},
                        "limits": {"memory": gib},
                    },
                    "zoneAwareness": {"topologyKey": ZONE},
                    "podTemplate": {
                        "spec": {
                            "nodeSelector": NODE_CLASS,
                            "affinity": {
                                "podAntiAffinity": {
                                    "requiredDuringSchedulingIgnoredDuringExecution": [
                                        {"labelSelector": {"matchLabels": labels}, "topologyKey": HOSTNAME}
                                    ]
                                }
                            },
                            "topologySpreadConstraints": zone_spread(labels),
                        }
                    },
                    "volumeClaimTemplates": [
                        {
                            "metadata": {"name": DATA_CLAIM},
                            "spec": {
                                "accessModes": ["ReadWriteOnce"],
                                "storageClassName": STORAGE_CLASS,
                                "resources": {"requests": {"storage": f"{props.elasticsearch_volume_gb}Gi"}},
                            },
                        }
                    ],
                }
            ],
        },
    }

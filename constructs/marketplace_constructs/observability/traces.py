"""Tracing in two layers: the operators (ECK and the OpenTelemetry Collector) with the platform's charts, and
the backend (the Elasticsearch cluster, its users, Jaeger and the Elasticsearch exporter) in the layer after,
where ECK's CRD exists and External Secrets makes the users' Secrets."""

from __future__ import annotations

from typing import Final

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_kubernetes.secret_v1 import SecretV1, SecretV1Metadata
from constructs import Construct

from marketplace_constructs.helm import HelmChart, helm_release
from marketplace_constructs.manifests import custom_resource
from marketplace_constructs.manifests.elasticsearch import (
    ROLES_KEY,
    ROLES_SECRET,
    elasticsearch,
    roles_yml,
    user_external_secret,
)
from marketplace_constructs.observability.tracing import (
    ELASTICSEARCH_NAME,
    ELASTICSEARCH_VERSION,
    collector_values,
    eck_operator_values,
    elasticsearch_exporter_values,
    jaeger_otlp_endpoint,
    jaeger_values,
)
from marketplace_constructs.observability.tracing_props import TRACING_USERS, TracingProps

ECK_NAMESPACE: Final = "elastic-system"


class TracingOperators(Construct):
    """The ECK operator in ``operator_namespace`` (managing ``namespace`` only) and the OpenTelemetry
    Collector in ``namespace``, exporting to Jaeger there (retrying until the next layer starts it),
    installed after ``after`` (the release that installs the ServiceMonitor CRD its chart uses)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: TracingProps,
        charts: tuple[HelmChart, HelmChart],
        namespace: str,
        operator_namespace: str,
        after: ITerraformDependable,
    ) -> None:
        super().__init__(scope, construct_id)
        eck_chart, collector_chart = charts
        helm_release(
            self, "eck_operator", chart=eck_chart, namespace=operator_namespace,
            values=eck_operator_values(namespace),
        )  # fmt: skip
        helm_release(
            self, "collector", chart=collector_chart, namespace=namespace,
            values=collector_values(props, jaeger_otlp_endpoint(namespace)), depends_on=[after],
        )  # fmt: skip


class TracingBackend(Construct):
    """In ``namespace``: one ExternalSecret per Elasticsearch user (``<env>/tracing/<user>`` through
    ClusterSecretStore ``store``), the roles Secret (role definitions, no credential), the Elasticsearch
    cluster, and the Jaeger and Elasticsearch exporter releases, installed after all of them."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        env: str,
        props: TracingProps,
        charts: tuple[HelmChart, HelmChart],
        namespace: str,
        store: str,
    ) -> None:
        super().__init__(scope, construct_id)
        jaeger_chart, exporter_chart = charts
        users = [
            custom_resource(
                self,
                f"user_{user.name.replace('-', '_')}",
                user_external_secret(user, namespace, store=store, env=env),
            )
            for user in TRACING_USERS
        ]
        roles = SecretV1(
            self,
            "roles",
            metadata=SecretV1Metadata(name=ROLES_SECRET, namespace=namespace),
            data={ROLES_KEY: roles_yml()},
        )
        # Jaeger and the exporter wait (Helm, 10 minutes) for Elasticsearch: the apply waits first, until ECK
        # reports the cluster serving (green, or yellow while replicas allocate), so fresh volumes and a
        # three-node start do not eat into Helm's time.
        cluster = custom_resource(
            self,
            "elasticsearch",
            elasticsearch(ELASTICSEARCH_NAME, namespace, props=props, version=ELASTICSEARCH_VERSION),
            wait_for={"status.health": "^(green|yellow)$"},
            timeout="20m",
        )
        ready = [*users, roles, cluster]
        helm_release(
            self, "jaeger", chart=jaeger_chart, namespace=namespace,
            values=jaeger_values(props, ELASTICSEARCH_NAME, namespace), depends_on=ready,
        )  # fmt: skip
        helm_release(
            self, "exporter", chart=exporter_chart, namespace=namespace,
            values=elasticsearch_exporter_values(ELASTICSEARCH_NAME, namespace), depends_on=ready,
        )  # fmt: skip

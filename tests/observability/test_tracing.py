"""Tracing: TracingProps' validation, the Elasticsearch and ExternalSecret objects against their real CRD
schemas, every chart's values against its pinned chart, and the security rules (verified TLS, least-privilege
users, no secret value anywhere)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from marketplace_constructs.errors import ConfigError
from marketplace_constructs.helm import HelmChart
from marketplace_constructs.manifests.elasticsearch import (
    ROLES,
    ROLES_SECRET,
    ca_secret,
    elasticsearch,
    roles_yml,
    user_external_secret,
)
from marketplace_constructs.mesh.props import MeshProps
from marketplace_constructs.observability.tracing import (
    ELASTICSEARCH_NAME,
    ELASTICSEARCH_VERSION,
    collector_values,
    eck_operator_values,
    elasticsearch_exporter_values,
    jaeger_otlp_endpoint,
    jaeger_values,
)
from marketplace_constructs.observability.tracing_props import (
    JAEGER_USER,
    TRACING_SECRETS,
    TRACING_USERS,
    ElasticsearchUser,
    TracingProps,
)
from policy.chart_values import release_problems
from stacks.charts import ECK_OPERATOR, ELASTICSEARCH_EXPORTER, JAEGER, OPENTELEMETRY_COLLECTOR
from tfoffline.crds import manifest_errors

NAMESPACE = "monitoring"
PRODUCTION = TracingProps()
DEV = TracingProps(
    elasticsearch_nodes=1,
    elasticsearch_volume_gb=20,
    elasticsearch_memory_gb=4,
    retention_days=3,
    collector_replicas=1,
    jaeger_replicas=1,
    allow_single_node=True,
)


def _releases(props: TracingProps) -> dict[str, tuple[HelmChart, dict[str, Any]]]:
    return {
        "eck-operator": (ECK_OPERATOR, eck_operator_values(NAMESPACE)),
        "collector": (OPENTELEMETRY_COLLECTOR, collector_values(props, jaeger_otlp_endpoint(NAMESPACE))),
        "jaeger": (JAEGER, jaeger_values(props, ELASTICSEARCH_NAME, NAMESPACE)),
        "exporter": (ELASTICSEARCH_EXPORTER, elasticsearch_exporter_values(ELASTICSEARCH_NAME, NAMESPACE)),
    }


def _helm_release(chart: HelmChart, values: dict[str, Any]) -> dict[str, Any]:
    """The synthesized helm_release the way marketplace_constructs.helm.helm_release writes it."""
    return {
        "name": chart.name,
        "chart": chart.name,
        "version": chart.version,
        "values": [json.dumps(values, sort_keys=True)],
    }


# --- props -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"elasticsearch_nodes": 1}, "elasticsearch_nodes must be at least 3 .*got 1; set allow_single_node"),
        ({"elasticsearch_nodes": 2, "allow_single_node": True}, "elasticsearch_nodes must be 1 or at least"),
        ({"elasticsearch_nodes": 16}, "elasticsearch_nodes must be between 1 and 15, got 16"),
        ({"collector_replicas": 1}, "collector_replicas must be at least 2 .*got 1; set allow_single_node"),
        ({"jaeger_replicas": 1}, "jaeger_replicas must be at least 2 .*got 1; set allow_single_node"),
        ({"collector_replicas": 0, "allow_single_node": True}, "collector_replicas must be between 1 and 20"),
        ({"retention_days": 0}, "retention_days must be between 1 and 90 days, got 0"),
        ({"retention_days": 91}, "retention_days must be between 1 and 90 days, got 91"),
        ({"elasticsearch_volume_gb": 5}, "elasticsearch_volume_gb must be between 10 and 16384 GB, got 5"),
        ({"elasticsearch_memory_gb": 1}, "elasticsearch_memory_gb must be between 2 and 64 GB, got 1"),
        ({"retention_days": "7"}, "retention_days must be an int, got str '7'"),
    ],
)  # fmt: skip
def test_bad_props_are_rejected_in_one_line(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=rf"TracingProps\.{message}") as raised:
        TracingProps(**overrides)
    assert "\n" not in str(raised.value)


def test_defaults_are_the_reference_production_sizing() -> None:
    assert (PRODUCTION.elasticsearch_nodes, PRODUCTION.elasticsearch_volume_gb) == (3, 200)
    assert (PRODUCTION.retention_days, PRODUCTION.collector_replicas, PRODUCTION.index_replicas) == (7, 2, 1)
    assert not PRODUCTION.allow_single_node


def test_allow_single_node_runs_one_of_each_without_index_replicas() -> None:
    jaeger = jaeger_values(DEV, ELASTICSEARCH_NAME, NAMESPACE)
    backend = jaeger["userconfig"]["extensions"]["jaeger_storage"]["backends"]["primary"]["elasticsearch"]
    assert {index["replicas"] for index in backend["indices"].values()} == {0}
    assert jaeger["jaeger"]["replicas"] == 1
    assert collector_values(DEV, "jaeger:4317")["replicaCount"] == 1


# --- custom resources ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("props", "count", "size"), [(PRODUCTION, 3, "200Gi"), (DEV, 1, "20Gi")])
def test_elasticsearch_matches_the_crd_schema(props: TracingProps, count: int, size: str) -> None:
    body = elasticsearch(ELASTICSEARCH_NAME, NAMESPACE, props=props, version=ELASTICSEARCH_VERSION)
    assert manifest_errors(body) == []
    (node_set,) = body["spec"]["nodeSets"]
    assert node_set["count"] == count
    (claim,) = node_set["volumeClaimTemplates"]
    assert claim["spec"]["resources"]["requests"]["storage"] == size
    assert claim["spec"]["storageClassName"] == "gp3-encrypted"


def test_elasticsearch_runs_one_node_per_memory_host_spread_over_zones() -> None:
    body = elasticsearch(ELASTICSEARCH_NAME, NAMESPACE, props=PRODUCTION, version=ELASTICSEARCH_VERSION)
    (node_set,) = body["spec"]["nodeSets"]
    pod = node_set["podTemplate"]["spec"]
    assert pod["nodeSelector"] == {"workload-class": "memory"}
    (anti,) = pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert anti["topologyKey"] == "kubernetes.io/hostname"
    assert "topology.kubernetes.io/zone" in {
        spread["topologyKey"] for spread in pod["topologySpreadConstraints"]
    }
    assert node_set["zoneAwareness"] == {"topologyKey": "topology.kubernetes.io/zone"}  # copies apart
    assert node_set["resources"]["limits"]["memory"] == "8Gi"  # Elasticsearch takes half as heap


def test_elasticsearch_version_is_an_exact_8x_release() -> None:
    assert re.fullmatch(r"8\.\d+\.\d+", ELASTICSEARCH_VERSION)


def test_elasticsearch_has_only_least_privilege_file_realm_users() -> None:
    spec = elasticsearch(ELASTICSEARCH_NAME, NAMESPACE, props=PRODUCTION, version=ELASTICSEARCH_VERSION)[
        "spec"
    ]
    assert spec["auth"]["disableElasticUser"] is True
    assert spec["auth"]["roles"] == [{"secretName": ROLES_SECRET}]
    assert [source["secretName"] for source in spec["auth"]["fileRealm"]] == [
        user.secret_name for user in TRACING_USERS
    ]
    assert json.loads(roles_yml()) == ROLES
    assert {user.role for user in TRACING_USERS} == set(ROLES)
    for role in ROLES.values():
        granted = set(role.get("cluster", [])) | {p for index in role["indices"] for p in index["privileges"]}
        assert not granted & {"all", "manage", "manage_security", "manage_ilm"}


@pytest.mark.parametrize("user", TRACING_USERS, ids=lambda user: user.name)
def test_user_secrets_come_from_secrets_manager_as_basic_auth(user: ElasticsearchUser) -> None:
    body = user_external_secret(user, NAMESPACE, store="aws-secrets-manager", env="production")
    assert manifest_errors(body) == []
    target = body["spec"]["target"]
    assert target["name"] == user.secret_name
    assert target["template"]["type"] == "kubernetes.io/basic-auth"
    assert target["template"]["data"]["roles"] == user.role
    assert {item["remoteRef"]["key"] for item in body["spec"]["data"]} == {f"production/tracing/{user.name}"}


def test_the_aws_layer_creates_one_secret_per_user() -> None:
    assert set(TRACING_SECRETS) == {"tracing/jaeger", "tracing/index-cleaner", "tracing/exporter"}


# --- chart values ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("props", [PRODUCTION, DEV], ids=["production", "dev"])
@pytest.mark.parametrize("release", ["eck-operator", "collector", "jaeger", "exporter"])
def test_values_pass_the_chart_values_check(release: str, props: TracingProps) -> None:
    chart, values = _releases(props)[release]
    assert release_problems("test", _helm_release(chart, values)) == []


@pytest.mark.parametrize(
    ("release", "misspelt", "path"),
    [
        ("eck-operator", {"managedNamespace": ["monitoring"]}, "managedNamespace"),
        ("collector", {"replicas": 2}, "replicas"),
        ("jaeger", {"esIndexCleaner": {"numberOfDay": 7}}, "esIndexCleaner.numberOfDay"),
        ("exporter", {"es": {"url": "https://tracing-es-http:9200"}}, "es.url"),
    ],
)
def test_a_misspelt_key_is_reported(release: str, misspelt: dict[str, Any], path: str) -> None:
    chart, values = _releases(PRODUCTION)[release]
    wrong = _helm_release(chart, values)
    wrong["values"].append(json.dumps(misspelt))
    problems = release_problems("test", wrong)
    assert any(f"values key {path!r} is not in the chart's values.yaml" in problem for problem in problems)


@pytest.mark.parametrize("release", ["eck-operator", "collector", "jaeger", "exporter"])
def test_values_survive_terraform_interpolation(release: str) -> None:
    """Terraform reads ``${`` in a helm_release value as its own interpolation: every one must be escaped
    (``$${``), and arrives as ``${env:...}`` for the collector or Jaeger to expand."""
    text = json.dumps(_releases(PRODUCTION)[release][1])
    assert not re.search(r"(?<!\$)\$\{", text)
    assert all(found.startswith("$${env:") for found in re.findall(r"\$\$\{[^}]*\}", text))


# --- wiring and security ---------------------------------------------------------------------------------


def test_collector_answers_at_the_mesh_default_address() -> None:
    values = collector_values(PRODUCTION, jaeger_otlp_endpoint(NAMESPACE))
    mesh = MeshProps()
    assert mesh.collector_host == f"{values['fullnameOverride']}.{NAMESPACE}.svc.cluster.local"
    receiver = values["alternateConfig"]["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"]
    assert receiver.endswith(f":{mesh.collector_port}")
    assert values["mode"] == "deployment" and values["podDisruptionBudget"]["enabled"]
    assert values["image"]["repository"] == "otel/opentelemetry-collector-k8s"


def test_collector_forwards_everything_to_jaeger() -> None:
    config = collector_values(PRODUCTION, jaeger_otlp_endpoint(NAMESPACE))["alternateConfig"]
    (pipeline,) = config["service"]["pipelines"].values()
    assert pipeline["processors"] == ["memory_limiter", "batch"]  # no sampler: the mesh samples
    (exporter,) = pipeline["exporters"]
    assert config["exporters"][exporter]["endpoint"] == "jaeger.monitoring.svc.cluster.local:4317"


def test_index_cleaner_and_queries_follow_the_retention() -> None:
    props = TracingProps(retention_days=14)
    values = jaeger_values(props, ELASTICSEARCH_NAME, NAMESPACE)
    assert values["esIndexCleaner"]["enabled"] and values["esIndexCleaner"]["numberOfDays"] == 14
    backend = values["userconfig"]["extensions"]["jaeger_storage"]["backends"]["primary"]["elasticsearch"]
    assert backend["max_span_age"] == "336h"
    assert "use_ilm" not in backend and "use_aliases" not in backend


def test_clients_verify_elasticsearch_with_the_eck_ca() -> None:
    jaeger = jaeger_values(PRODUCTION, ELASTICSEARCH_NAME, NAMESPACE)
    backend = jaeger["userconfig"]["extensions"]["jaeger_storage"]["backends"]["primary"]["elasticsearch"]
    assert backend["server_urls"] == ["https://tracing-es-http.monitoring.svc:9200"]
    assert backend["tls"] == {"ca_file": "/etc/jaeger/es-ca/ca.crt"}
    volumes = {volume["name"]: volume["secret"]["secretName"] for volume in jaeger["jaeger"]["extraVolumes"]}
    assert volumes["es-ca"] == ca_secret(ELASTICSEARCH_NAME) == "tracing-es-http-certs-public"
    cleaner = jaeger["esIndexCleaner"]
    assert cleaner["cmdlineParams"]["es.tls.enabled"] == "true"
    assert cleaner["extraSecretMounts"][0]["secretName"] == ca_secret(ELASTICSEARCH_NAME)
    exporter = elasticsearch_exporter_values(ELASTICSEARCH_NAME, NAMESPACE)
    assert exporter["es"]["uri"].startswith("https://") and exporter["es"]["ssl"]["enabled"]
    assert "sslSkipVerify" not in exporter["es"]


def test_jaeger_logs_in_as_its_own_user() -> None:
    jaeger = jaeger_values(PRODUCTION, ELASTICSEARCH_NAME, NAMESPACE)
    (env,) = jaeger["jaeger"]["extraEnv"]
    assert env["valueFrom"]["secretKeyRef"]["name"] == JAEGER_USER.secret_name
    volumes = {volume["name"]: volume["secret"]["secretName"] for volume in jaeger["jaeger"]["extraVolumes"]}
    assert volumes["es-user"] == JAEGER_USER.secret_name


def _outputs() -> Iterator[Any]:
    for props in (PRODUCTION, DEV):
        yield from (values for _, values in _releases(props).values())
        yield elasticsearch(ELASTICSEARCH_NAME, NAMESPACE, props=props, version=ELASTICSEARCH_VERSION)
    yield from (user_external_secret(user, NAMESPACE, store="s", env="dev") for user in TRACING_USERS)
    yield roles_yml()


def _pairs(node: Any) -> Iterator[tuple[str, Any, dict[str, Any]]]:
    """(key, value, parent) of every mapping entry, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield str(key), value, node
            yield from _pairs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _pairs(item)


def test_no_output_holds_a_secret_value() -> None:
    secretive = re.compile(r"password|passwd|secret_key|token|api_?key", re.IGNORECASE)
    reference = re.compile(r"/[\w/.-]+|\{\{ \.\w+ \}\}")  # a mounted file, or an External Secrets template
    for output in _outputs():
        assert not re.search(r"://[^/\s\"]*@", json.dumps(output)), "credentials in a URL"
        for key, value, parent in _pairs(output):
            if secretive.search(key) and isinstance(value, str):
                assert reference.fullmatch(value), f"{key}: {value!r}"
            if key == "name" and isinstance(value, str) and secretive.search(value):
                assert "value" not in parent, f"env {value} must come from a Secret"

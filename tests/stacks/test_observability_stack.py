"""Grafana and the data-store exporters in every apps stack; MSK's open monitoring scraped by Prometheus and
admitted by the brokers' security group; the secrets they read created empty in the foundation; no helm
value anywhere holds a credential."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import environments
import services
from environments.base import EnvironmentConfig
from marketplace_constructs.observability.dashboards import CONTRACT, dashboards
from marketplace_constructs.observability.exporters import REDIS_NOPASS
from marketplace_constructs.observability.secret_paths import OBSERVABILITY_SECRETS
from tests.conftest import ALL_STACK_IDS, StackDoc, resources

Reader = Callable[[str], StackDoc]
ALL = pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)


def release(stack_doc: Reader, stack_id: str, name: str) -> dict[str, Any]:
    found = [r for r in resources(stack_doc(stack_id), "helm_release").values() if r["name"] == name]
    assert len(found) == 1, f"{stack_id}: helm_release {name!r}"
    return found[0]


def values_of(stack_doc: Reader, stack_id: str, name: str) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(release(stack_doc, stack_id, name)["values"][0])
    return parsed


def manifest_address(stack_doc: Reader, stack_id: str, kind: str, name: str) -> str:
    for address, resource in resources(stack_doc(stack_id), "kubernetes_manifest").items():
        if resource["manifest"]["kind"] == kind and resource["manifest"]["metadata"]["name"] == name:
            return f"kubernetes_manifest.{address}"
    raise AssertionError(f"{stack_id}: no {kind}/{name}")


@ALL
def test_grafana_reads_its_admin_from_secrets_manager_and_lets_nobody_in_anonymously(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    apps = f"{env.name}-apps"
    grafana = release(stack_doc, apps, "grafana")
    assert (grafana["chart"], grafana["version"]) == ("grafana", "12.11.1")
    # installed after its ExternalSecret, so the pod finds the Secret when it starts
    assert manifest_address(stack_doc, apps, "ExternalSecret", "grafana-admin") in grafana["depends_on"]
    values = values_of(stack_doc, apps, "grafana")
    assert values["admin"]["existingSecret"] == "grafana-admin"
    ini = values["grafana.ini"]
    assert ini["auth.anonymous"] == {"enabled": False}
    assert ini["users"]["allow_sign_up"] is False
    secret = next(
        r["manifest"] for r in resources(stack_doc(apps), "kubernetes_manifest").values()
        if r["manifest"]["metadata"]["name"] == "grafana-admin"
    )  # fmt: skip
    assert {d["remoteRef"]["key"] for d in secret["spec"]["data"]} == {f"{env.name}/grafana/admin"}


@ALL
def test_grafana_datasources_link_traces_to_logs_and_logs_to_traces(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    values = values_of(stack_doc, f"{env.name}-apps", "grafana")
    sources = {s["uid"]: s for s in values["datasources"]["datasources.yaml"]["datasources"]}
    assert {uid: s["type"] for uid, s in sources.items()} == {
        "prometheus": "prometheus", "loki": "loki", "jaeger": "jaeger",
    }  # fmt: skip
    assert [s["uid"] for s in sources.values() if s.get("isDefault")] == ["prometheus"]
    assert sources["jaeger"]["jsonData"]["tracesToLogsV2"]["datasourceUid"] == "loki"
    assert sources["loki"]["jsonData"]["derivedFields"][0]["datasourceUid"] == "jaeger"
    for source in sources.values():
        assert source["url"].startswith("http://") and ".monitoring.svc" in source["url"]


@ALL
def test_the_six_dashboards_are_config_maps_the_sidecar_loads_one_folder_per_area(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    maps = [
        m for m in resources(stack_doc(f"{env.name}-apps"), "kubernetes_config_map_v1").values()
        if m["metadata"]["labels"] == {"grafana_dashboard": "1"}
    ]  # fmt: skip
    expected = {d.uid: d for d in dashboards([spec.name for spec in services.SPECS])}
    assert len(maps) == len(expected) == 6
    for config_map in maps:
        ((file_name, body),) = config_map["data"].items()
        dashboard = expected[file_name.removesuffix(".json")]
        assert config_map["metadata"]["namespace"] == "monitoring"
        assert config_map["metadata"]["annotations"] == {"grafana_folder": dashboard.folder}
        assert json.loads(body) == json.loads(json.dumps(dashboard.model))
    sidecar = values_of(stack_doc, f"{env.name}-apps", "grafana")["sidecar"]["dashboards"]
    assert (sidecar["enabled"], sidecar["label"], sidecar["folderAnnotation"]) == (
        True, "grafana_dashboard", "grafana_folder",
    )  # fmt: skip


@ALL
def test_postgres_exporter_logs_in_as_the_monitoring_role_from_secrets_manager_over_tls(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    apps = f"{env.name}-apps"
    exporter = release(stack_doc, apps, "prometheus-postgres-exporter")
    assert exporter["depends_on"] == [
        manifest_address(stack_doc, apps, "ExternalSecret", "postgres-exporter")
    ]
    values = values_of(stack_doc, apps, "prometheus-postgres-exporter")
    source = values["config"]["datasource"]
    assert source["host"].startswith("${data.terraform_remote_state.")
    assert source["sslmode"] == "require"
    assert source["userSecret"] == {"name": "postgres-exporter", "key": "username"}
    assert source["passwordSecret"] == {"name": "postgres-exporter", "key": "password"}
    assert values["serviceMonitor"]["enabled"] is True


@ALL
def test_redis_exporter_speaks_tls_as_a_user_that_may_only_read_server_statistics(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    values = values_of(stack_doc, f"{env.name}-apps", "prometheus-redis-exporter")
    assert re.fullmatch(r"rediss://\$\{data\.terraform_remote_state\.[^}]+\}:6379", values["redisAddress"])
    assert values["auth"]["redisUser"].startswith("${data.terraform_remote_state.")
    assert values["serviceMonitor"]["enabled"] is True
    users = resources(stack_doc(f"{env.name}-foundation"), "aws_elasticache_user").values()
    monitor = next(u for u in users if u["user_name"].endswith("-monitor"))
    assert monitor["access_string"] == "on -@all +ping +info"  # no key pattern: no data at all
    group = next(iter(resources(stack_doc(f"{env.name}-foundation"), "aws_elasticache_user_group").values()))
    assert len(group["user_ids"]) == 3


@ALL
def test_prometheus_scrapes_both_exporters_of_every_msk_broker_which_admit_the_workload_tier(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    spec = values_of(stack_doc, f"{env.name}-platform", "kube-prometheus-stack")["prometheus"][
        "prometheusSpec"
    ]
    jobs = {job["job_name"]: job for job in spec["additionalScrapeConfigs"]}
    assert set(jobs) == {"msk-jmx", "msk-node"}
    for name, port in (("msk-jmx", 11001), ("msk-node", 11002)):
        (targets,) = (c["targets"] for c in jobs[name]["static_configs"])
        assert len(targets) == env.kafka.broker_count
        for number, target in enumerate(targets, start=1):
            assert re.fullmatch(rf"b-{number}\.\$\{{data\.terraform_remote_state\.[^}}]+\}}:{port}", target)
    foundation = stack_doc(f"{env.name}-foundation")
    kafka_group = next(
        address for address, g in resources(foundation, "aws_security_group").items()
        if g["name"].endswith("-kafka")
    )  # fmt: skip
    rules = [
        r for r in resources(foundation, "aws_vpc_security_group_ingress_rule").values()
        if r["security_group_id"] == f"${{aws_security_group.{kafka_group}.id}}"
        and "kafka_replicator" not in r["referenced_security_group_id"]  # a standby's replicator writes too
    ]  # fmt: skip
    assert sorted((r["from_port"], r["to_port"]) for r in rules) == [(9098, 9098), (11001, 11002)]
    assert all("referenced_security_group_id" in r and "cidr_ipv4" not in r for r in rules)


@ALL
def test_observability_secrets_exist_empty_in_secrets_manager(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-foundation")
    names = {s["name"] for s in resources(doc, "aws_secretsmanager_secret").values()}
    assert {f"{env.name}/{path}" for path in OBSERVABILITY_SECRETS} <= names
    assert "aws_secretsmanager_secret_version" not in doc["resource"]


CREDENTIAL_KEY = re.compile(r"password|passwd|token|secret|apikey|api_key|credential", re.IGNORECASE)
# Credential-like keys that only point at a credential: a Secret's name or a key inside it, or a file.
SECRET_REFERENCE = re.compile(r"(Key|Secret|SecretName|secretName|Ref|^secret)$")
FILE_REFERENCE = re.compile(r"(file|path|dir)$", re.IGNORECASE)
KUBERNETES_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?")


def credential_leaves(tree: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, value) of every scalar whose own key looks like a credential."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(value, (dict, list)):
                yield from credential_leaves(value, here)
            elif CREDENTIAL_KEY.search(str(key)):
                yield here, value
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from credential_leaves(value, f"{path}[{index}]")


@pytest.mark.parametrize("stack_id", ALL_STACK_IDS)
def test_no_helm_value_holds_a_credential(stack_doc: Reader, stack_id: str) -> None:
    for release_ in resources(stack_doc(stack_id), "helm_release").values():
        for document in release_.get("values", []):
            for path, value in credential_leaves(json.loads(document)):
                key = path.rsplit(".", 1)[-1]
                assert (
                    value in (None, "", True, False)
                    or (SECRET_REFERENCE.search(key) and KUBERNETES_NAME.fullmatch(str(value)))
                    or (FILE_REFERENCE.search(key) and str(value).startswith("/"))
                    or (key == "redisPassword" and value == REDIS_NOPASS)  # any word works for a nopass user
                ), f"{stack_id}: {release_['name']}: {path} = {value!r}"


INTERPOLATION = re.compile(r"(?<!\$)\$\{(?!(data|local|[a-z][a-z0-9]*(_[a-z0-9]+)+)\.)")  # not a reference


@pytest.mark.parametrize("stack_id", ALL_STACK_IDS)
def test_helm_values_interpolate_only_references_and_escape_every_other_dollar_brace(
    stack_doc: Reader, stack_id: str
) -> None:
    """Terraform reads ``${`` in a values string as its own interpolation: a chart's ``${env:VAR}`` or
    Grafana's ``${__value.raw}`` must reach the chart as written, so it is escaped ``$${``."""
    for release_ in resources(stack_doc(stack_id), "helm_release").values():
        for document in release_.get("values", []):
            stray = INTERPOLATION.search(document)
            assert not stray, (
                f"{stack_id}: {release_['name']}: {document[stray.start() : stray.start() + 40]}"
            )


def test_the_readme_states_the_services_metric_contract_as_the_code_does() -> None:
    readme = (Path(__file__).parents[2] / "docs" / "observability.md").read_text()
    for metric in CONTRACT:
        row = f"| `{metric.name}` | {metric.kind} | {', '.join(metric.labels)} | {metric.unit} |"
        assert row in readme, row


@ALL
def test_grafana_may_read_configmaps_of_its_namespace_and_no_secret(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    apps = f"{env.name}-apps"
    values = values_of(stack_doc, apps, "grafana")
    assert values["rbac"] == {"namespaced": True, "useExistingRole": "grafana-dashboard-reader"}
    assert values["sidecar"]["dashboards"]["resource"] == "configmap"
    (role,) = resources(stack_doc(apps), "kubernetes_role_v1").values()
    assert role["metadata"] == {"name": "grafana-dashboard-reader", "namespace": "monitoring"}
    assert role["rule"] == [
        {"api_groups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "watch"]}
    ]


@ALL
def test_charts_with_service_monitors_install_after_the_chart_that_brings_the_crd(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    platform = f"{env.name}-platform"
    stack = next(
        address for address, r in resources(stack_doc(platform), "helm_release").items()
        if r["name"] == "kube-prometheus-stack"
    )  # fmt: skip
    for name in ("loki", "alloy", "opentelemetry-collector"):
        assert release(stack_doc, platform, name)["depends_on"] == [f"helm_release.{stack}"], name


@ALL
def test_jaeger_and_its_exporter_start_after_elasticsearch_reports_it_serves(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    apps = f"{env.name}-apps"
    cluster = manifest_address(stack_doc, apps, "Elasticsearch", "tracing")
    address = cluster.removeprefix("kubernetes_manifest.")
    manifest = resources(stack_doc(apps), "kubernetes_manifest")[address]
    assert manifest["wait"] == {"fields": {"status.health": "^(green|yellow)$"}}
    for name in ("jaeger", "prometheus-elasticsearch-exporter"):
        assert cluster in release(stack_doc, apps, name)["depends_on"], name

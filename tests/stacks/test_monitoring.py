"""kube-prometheus-stack in every platform stack, sized per environment and alerting through the generated
configuration; in every apps stack the generated alert rules, Istio's scrape configuration and the External
Secret of the receivers; the receivers' Secrets Manager secrets created empty in the foundation."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import environments
import services
from environments.base import EnvironmentConfig
from marketplace_constructs.observability.alertmanager import RECEIVER_DIR, alertmanager_config
from marketplace_constructs.observability.alerts import rule_groups
from marketplace_constructs.observability.thresholds import ServiceObjective
from tests.conftest import GUARDED, StackDoc, resources

Reader = Callable[[str], StackDoc]
ALL = pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
ENVS = {env.name: env for env in environments.ALL}
SERVICES = tuple(spec.name for spec in services.SPECS)


def stack_values(stack_doc: Reader, env: EnvironmentConfig) -> dict[str, Any]:
    release = next(
        r for r in resources(stack_doc(f"{env.name}-platform"), "helm_release").values()
        if r["name"] == "kube-prometheus-stack"
    )  # fmt: skip
    values: dict[str, Any] = json.loads(release["values"][0])
    return values


def monitoring_objects(stack_doc: Reader, env: EnvironmentConfig) -> dict[str, dict[str, Any]]:
    manifests = [
        m["manifest"] for m in resources(stack_doc(f"{env.name}-apps"), "kubernetes_manifest").values()
    ]
    return {
        f"{o['kind']}/{o['metadata']['name']}": o
        for o in manifests
        if o["metadata"].get("namespace") == "monitoring"
    }


@ALL
def test_prometheus_keeps_the_configured_days_with_a_size_guard_below_its_encrypted_volume(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    spec = stack_values(stack_doc, env)["prometheus"]["prometheusSpec"]
    props = env.monitoring
    assert spec["retention"] == f"{props.retention_days}d" == "30d"
    assert (
        spec["retentionSize"] == f"{props.retention_size_gb}GB" and props.retention_size_gb < props.volume_gb
    )
    claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["storageClassName"] == "gp3-encrypted"
    assert claim["resources"]["requests"]["storage"] == f"{props.volume_gb}Gi"
    for kind in ("serviceMonitor", "podMonitor", "probe", "rule"):
        assert spec[f"{kind}SelectorNilUsesHelmValues"] is False  # every namespace's monitors and rules


@pytest.mark.parametrize("name", GUARDED)
def test_prometheus_and_alertmanager_are_highly_available_outside_dev(stack_doc: Reader, name: str) -> None:
    values = stack_values(stack_doc, ENVS[name])
    prometheus, alertmanager = values["prometheus"], values["alertmanager"]
    assert prometheus["prometheusSpec"]["replicas"] >= 2 and alertmanager["alertmanagerSpec"]["replicas"] >= 3
    for component, spec in ((prometheus, "prometheusSpec"), (alertmanager, "alertmanagerSpec")):
        assert component["podDisruptionBudget"] == {"enabled": True}
        assert component[spec]["podAntiAffinity"] == "hard"
        assert component[spec]["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone"


def test_dev_runs_single_replicas_through_the_allow_switch(stack_doc: Reader) -> None:
    values = stack_values(stack_doc, ENVS["dev"])
    assert ENVS["dev"].monitoring.allow_single_replicas
    assert values["prometheus"]["prometheusSpec"]["replicas"] == 1
    assert values["alertmanager"]["alertmanagerSpec"]["replicas"] == 1


@ALL
def test_alertmanager_routes_through_the_generated_config_and_reads_keys_from_an_optional_secret(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    alertmanager = stack_values(stack_doc, env)["alertmanager"]
    assert alertmanager["config"] == json.loads(json.dumps(alertmanager_config()))
    spec = alertmanager["alertmanagerSpec"]
    assert spec["volumes"] == [
        {"name": "receivers", "secret": {"secretName": "alerting-receivers", "optional": True}}
    ]
    assert spec["volumeMounts"] == [{"name": "receivers", "mountPath": RECEIVER_DIR, "readOnly": True}]
    assert stack_values(stack_doc, env)["grafana"] == {"enabled": False}  # until its admin secret is wired


@ALL
def test_apps_layer_holds_the_generated_rules_istio_scraping_and_the_receivers_secret(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    objects = monitoring_objects(stack_doc, env)
    rules = objects["PrometheusRule/marketplace-alerts"]["spec"]["groups"]
    # the reference alerts for the four services, and each service's own p95 objective from its spec
    objectives = tuple(ServiceObjective(namespace=s.name, p95_ms=s.objectives.p95_ms) for s in services.SPECS)
    assert rules == json.loads(json.dumps(rule_groups(env.monitoring.thresholds, SERVICES, objectives)))
    assert objects["ServiceMonitor/istiod"]["spec"]["namespaceSelector"] == {"matchNames": ["istio-system"]}
    (proxies,) = objects["PodMonitor/istio-proxies"]["spec"]["podMetricsEndpoints"]
    assert proxies["path"] == "/stats/prometheus"  # the merged endpoint: Envoy's and the service's metrics
    assert proxies["relabelings"][0]["regex"] == "istio-proxy"
    secret = objects["ExternalSecret/alerting-receivers"]["spec"]
    assert secret["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "aws-secrets-manager"}
    assert {d["remoteRef"]["key"] for d in secret["data"]} == {
        f"{env.name}/alerting/pagerduty",
        f"{env.name}/alerting/slack",
    }


@ALL
def test_receiver_secrets_exist_empty_in_secrets_manager(stack_doc: Reader, env: EnvironmentConfig) -> None:
    doc = stack_doc(f"{env.name}-foundation")
    names = {s["name"] for s in resources(doc, "aws_secretsmanager_secret").values()}
    assert {f"{env.name}/alerting/pagerduty", f"{env.name}/alerting/slack"} <= names
    assert "aws_secretsmanager_secret_version" not in doc["resource"]

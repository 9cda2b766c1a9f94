"""Istio in every platform stack: official charts at the pinned release, CNI instead of privileged init
containers, an HA control plane and gateway outside dev, JSON access logs, OpenTelemetry tracing, apps that
wait for their proxy, and REGISTRY_ONLY wherever production-grade."""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest

import environments
import services
from environments.base import EnvironmentConfig
from marketplace_constructs.network.subnet_plan import plan_subnets
from marketplace_constructs.observability.logs import TRACE_ID_FIELD
from marketplace_constructs.workload.service_props import callees
from stacks.charts import ISTIO, ISTIO_VERSION
from tests.conftest import GUARDED, StackDoc, resources

Reader = Callable[[str], StackDoc]
ALL = pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
ENVS = {env.name: env for env in environments.ALL}


def releases(stack_doc: Reader, env: EnvironmentConfig) -> dict[str, tuple[str, dict[str, Any]]]:
    """Release name -> (Terraform name, release)."""
    found = resources(stack_doc(f"{env.name}-platform"), "helm_release")
    return {release["name"]: (name, release) for name, release in found.items()}


def values(release: dict[str, Any]) -> dict[str, Any]:
    (document,) = release["values"]
    parsed: dict[str, Any] = json.loads(document)
    return parsed


@ALL
def test_istio_installs_in_order_from_the_pinned_official_charts(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    found = releases(stack_doc, env)
    order = ["istio-base", "istiod", "istio-cni", "istio-ingressgateway"]
    charts = [ISTIO.base, ISTIO.istiod, ISTIO.cni, ISTIO.gateway]
    for name, chart in zip(order, charts, strict=True):
        release = found[name][1]
        assert (release["chart"], release["version"], release["repository"]) == (
            chart.name, ISTIO_VERSION, "https://istio-release.storage.googleapis.com/charts"
        )  # fmt: skip
    for earlier, later in pairwise(order):
        assert found[later][1]["depends_on"] == [f"helm_release.{found[earlier][0]}"]
    for name in ("istiod", "istio-cni"):  # the repository's copies default to test images
        image = values(found[name][1])["global"]
        assert (image["hub"], image["tag"]) == ("docker.io/istio", ISTIO_VERSION)


@ALL
def test_istio_cni_is_on_and_runs_in_its_own_privileged_namespace(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    found = releases(stack_doc, env)
    assert values(found["istiod"][1])["cni"] == {"enabled": True}
    namespaces = {
        n["metadata"]["name"]: n["metadata"]["labels"]
        for n in resources(stack_doc(f"{env.name}-platform"), "kubernetes_namespace_v1").values()
    }
    assert namespaces["istio-cni"]["pod-security.kubernetes.io/enforce"] == "privileged"
    assert found["istio-cni"][1]["namespace"].startswith("${kubernetes_namespace_v1.istio_cni_")
    assert namespaces["istio-system"]["pod-security.kubernetes.io/enforce"] == "baseline"


@ALL
def test_mesh_config_logs_json_traces_to_the_configured_collector_and_holds_apps_for_the_proxy(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    mesh = values(releases(stack_doc, env)["istiod"][1])["meshConfig"]
    assert (mesh["accessLogFile"], mesh["accessLogEncoding"]) == ("/dev/stdout", "JSON")
    # Istio's default JSON fields plus the trace id, under the name Alloy keeps and Grafana links on
    log_format = json.loads(mesh["accessLogFormat"])
    assert log_format[TRACE_ID_FIELD] == "%TRACE_ID%" and log_format["response_code"] == "%RESPONSE_CODE%"
    (provider,) = mesh["extensionProviders"]
    assert provider["opentelemetry"] == {"service": env.mesh.collector_host, "port": env.mesh.collector_port}
    assert mesh["defaultProviders"] == {"tracing": [provider["name"]]}
    assert mesh["defaultConfig"]["holdApplicationUntilProxyStarts"] is True


@pytest.mark.parametrize("name", ENVS)
def test_outbound_traffic_is_registry_only_unless_the_configuration_allows_any(
    stack_doc: Reader, name: str
) -> None:
    """The guarded tiers refuse allow_any_outbound (test_tiers); a sandbox may choose either."""
    env = ENVS[name]
    mesh = values(releases(stack_doc, env)["istiod"][1])["meshConfig"]
    mode = "ALLOW_ANY" if env.mesh.allow_any_outbound else "REGISTRY_ONLY"
    assert mesh["outboundTrafficPolicy"] == {"mode": mode}
    assert env.name not in GUARDED or mode == "REGISTRY_ONLY"


@pytest.mark.parametrize("name", GUARDED)
def test_control_plane_and_gateway_are_highly_available_outside_dev(stack_doc: Reader, name: str) -> None:
    env = ENVS[name]
    found = releases(stack_doc, env)
    istiod, gateway = values(found["istiod"][1]), values(found["istio-ingressgateway"][1])
    assert istiod["autoscaleEnabled"] and istiod["autoscaleMin"] >= 2
    assert istiod["global"]["defaultPodDisruptionBudget"] == {"enabled": True}
    zones = len(env.network.availability_zones)
    assert gateway["autoscaling"]["enabled"] and gateway["autoscaling"]["minReplicas"] >= zones
    assert gateway["podDisruptionBudget"] == {"maxUnavailable": 1}
    assert gateway["service"] == {"type": "ClusterIP"}  # the ALB targets the pods' IPs
    for chart_values in (istiod, gateway):
        zone = chart_values["topologySpreadConstraints"][0]
        assert (zone["topologyKey"], zone["maxSkew"]) == ("topology.kubernetes.io/zone", 1)
        assert set(chart_values["resources"]) == {"requests", "limits"}


def test_dev_runs_single_replicas_without_disruption_budgets(stack_doc: Reader) -> None:
    found = releases(stack_doc, ENVS["dev"])
    istiod, gateway = values(found["istiod"][1]), values(found["istio-ingressgateway"][1])
    assert (istiod["autoscaleMin"], gateway["autoscaling"]["minReplicas"]) == (1, 1)
    assert istiod["global"]["defaultPodDisruptionBudget"] == {"enabled": False}
    assert gateway["podDisruptionBudget"] == {}


ObjectKey = tuple[str, str, str]


def custom_resources(stack_doc: Reader, env: EnvironmentConfig) -> dict[ObjectKey, dict[str, Any]]:
    """(kind, namespace, name) -> object, for every kubernetes_manifest of the apps stack."""
    objects = [
        m["manifest"] for m in resources(stack_doc(f"{env.name}-apps"), "kubernetes_manifest").values()
    ]
    return {(o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o for o in objects}


@ALL
def test_mtls_is_strict_mesh_wide(stack_doc: Reader, env: EnvironmentConfig) -> None:
    policy = custom_resources(stack_doc, env)[("PeerAuthentication", "istio-system", "default")]
    assert policy["spec"] == {"mtls": {"mode": "STRICT"}}


@ALL
def test_every_service_namespace_denies_all_and_limits_egress(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    objects = custom_resources(stack_doc, env)
    namespaces = [  # the objects reference their namespace, so they wait for it
        f"${{kubernetes_namespace_v1.{name}.metadata[0].name}}"
        for name in resources(stack_doc(f"{env.name}-apps"), "kubernetes_namespace_v1")
    ]
    assert len(namespaces) == len(services.SPECS)
    reachable: list[list[str]] = []
    for namespace in namespaces:
        assert objects[("AuthorizationPolicy", namespace, "deny-all")]["spec"] == {}
        sidecar = objects[("Sidecar", namespace, "default")]["spec"]
        # own namespace, the root namespace's entries, the trace collector (spans leave the namespace), and
        # the namespaces of the services it may call (from the specs)
        collector = f"*/{env.mesh.collector_host}"
        assert sidecar["egress"][0]["hosts"][:3] == ["./*", "istio-system/*", collector]
        reachable.append(sorted(host.removesuffix("/*") for host in sidecar["egress"][0]["hosts"][3:]))
        mode = "ALLOW_ANY" if env.mesh.allow_any_outbound else "REGISTRY_ONLY"
        assert sidecar["outboundTrafficPolicy"] == {"mode": mode}
    assert sorted(reachable) == sorted(sorted(callees(spec.name, services.SPECS)) for spec in services.SPECS)


@ALL
def test_telemetry_samples_the_configured_share_and_logs_access(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    spec = custom_resources(stack_doc, env)[("Telemetry", "istio-system", "mesh-default")]["spec"]
    (tracing,) = spec["tracing"]
    assert tracing["randomSamplingPercentage"] == env.mesh.trace_sampling_percent
    assert spec["accessLogging"] == [{"providers": [{"name": "envoy"}]}]


@pytest.mark.parametrize("name", GUARDED)
def test_reference_design_traces_every_request_outside_dev(stack_doc: Reader, name: str) -> None:
    spec = custom_resources(stack_doc, ENVS[name])[("Telemetry", "istio-system", "mesh-default")]["spec"]
    assert spec["tracing"][0]["randomSamplingPercentage"] == 100.0


@ALL
def test_service_entries_open_exactly_the_data_stores_and_the_aws_apis(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    entries = {
        name: body["spec"] for (kind, namespace, name), body in custom_resources(stack_doc, env).items()
        if kind == "ServiceEntry" and namespace == "istio-system"
    }  # fmt: skip
    assert sorted(entries) == ["aws-apis", "kafka", "postgres", "redis"]
    region = env.location.region
    postgres, redis, kafka = entries["postgres"], entries["redis"], entries["kafka"]
    (postgres_host,) = postgres["hosts"]  # the foundation's outputs
    assert postgres_host.startswith("${data.terraform_remote_state.") and "database_instance" in postgres_host
    # resolution NONE on the database subnets: the proxy follows the application's own lookup after a
    # Multi-AZ failover instead of a DNS cache of its own
    assert (postgres["ports"][0]["number"], postgres["resolution"]) == (5432, "NONE")
    database_subnets = plan_subnets(env.network.cidr, len(env.network.availability_zones)).database
    assert postgres["addresses"] == list(database_subnets)
    primary, reader = redis["hosts"]  # writes and reads: a host missing here is black-holed
    assert primary.startswith("${data.terraform_remote_state.") and "primary_endpoint_address" in primary
    assert reader.startswith("${data.terraform_remote_state.") and "reader_endpoint_address" in reader
    assert redis["ports"] == [{"number": 6379, "name": "tls-6379", "protocol": "TLS"}]
    assert kafka["hosts"] == [f"*.kafka.{region}.amazonaws.com"] and kafka["ports"][0]["number"] == 9098
    assert entries["aws-apis"]["hosts"] == [
        f"sts.{region}.amazonaws.com", f"secretsmanager.{region}.amazonaws.com", f"s3.{region}.amazonaws.com",
        f"*.s3.{region}.amazonaws.com",
    ]  # fmt: skip
    assert all(
        entry["location"] == "MESH_EXTERNAL" and entry["exportTo"] == ["*"] for entry in entries.values()
    )


@ALL
def test_gateway_rollouts_wait_for_the_alb_and_outlast_its_deregistration_delay(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    """A new gateway pod is ready only once the ALB finds it healthy (the Load Balancer Controller's
    readiness gate, injected in labelled namespaces), and a stopping one keeps serving past the target
    group's deregistration delay, so a rollout drops no request in flight."""
    namespaces = {
        n["metadata"]["name"]: n["metadata"]["labels"]
        for n in resources(stack_doc(f"{env.name}-platform"), "kubernetes_namespace_v1").values()
    }
    assert namespaces["istio-ingress"]["elbv2.k8s.aws/pod-readiness-gate-inject"] == "enabled"
    gateway = values(releases(stack_doc, env)["istio-ingressgateway"][1])
    (group,) = resources(stack_doc(f"{env.name}-foundation"), "aws_lb_target_group").values()
    pre_stop = gateway["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert int(group["deregistration_delay"]) < pre_stop < gateway["terminationGracePeriodSeconds"]

"""The four services in every apps stack: production exactly as the reference design's table, the smaller
environments as their config says, and each namespace's allows derived from the specs (deny-all plus exactly
the callers, the gateway for public routes, the callees and the declared stores)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import environments
import services
from environments.base import EnvironmentConfig
from marketplace_constructs.workload.service_props import MicroserviceProps, callees
from tests.conftest import StackDoc, resources

Reader = Callable[[str], StackDoc]
ALL = pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
SPECS = {spec.name: spec for spec in services.SPECS}
# The reference design: replicas, CPU / memory target, scale up and down (percent, seconds; None = default),
# p50 / p95 / p99 in ms, the DestinationRule's request cap (None = not in the design).
REFERENCE = {
    "publishing": ((3, 50), (70, 80), None, None, (100, 300, 500), 1000),
    "discovery": ((5, 100), (60, 75), (100, 15), (10, 300), (50, 150, 200), None),  # reference: (100, 30)
    "consumption": ((10, 200), (50, 70), (100, 15), (10, 300), (100, 300, 500), 10000),
    "admin": ((2, 10), (70, 80), None, None, (150, 400, 600), None),
}
DATA_STORE_PORTS = {"postgres": 5432, "redis": 6379, "kafka": 9098}


def named(doc: StackDoc, resource_type: str, service: str) -> list[dict[str, Any]]:
    return [
        r for address, r in resources(doc, resource_type).items() if address.startswith(f"{service}_service_")
    ]


def manifest(doc: StackDoc, kind: str, name: str) -> dict[str, Any]:
    (found,) = [
        r["manifest"] for r in resources(doc, "kubernetes_manifest").values()
        if r["manifest"]["kind"] == kind and r["manifest"]["metadata"]["name"] == name
    ]  # fmt: skip
    return found


def policy(rules: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    (rule,) = rules or [None]
    return rule


@pytest.mark.parametrize("service", REFERENCE)
def test_production_runs_each_service_with_the_reference_designs_numbers(
    stack_doc: Reader, service: str
) -> None:
    replicas, targets, up, down, latency, cap = REFERENCE[service]
    doc = stack_doc("production-apps")
    (hpa,) = named(doc, "kubernetes_horizontal_pod_autoscaler_v2", service)
    spec = hpa["spec"]
    assert (spec["min_replicas"], spec["max_replicas"]) == replicas
    assert tuple(m["resource"]["target"]["average_utilization"] for m in spec["metric"]) == targets
    behavior = spec.get("behavior", {})
    for direction, expected in (("scale_up", up), ("scale_down", down)):
        rule = policy(behavior.get(direction))
        found = None if rule is None else (rule["policy"][0]["value"], rule["policy"][0]["period_seconds"])
        assert found == expected, direction
    objectives = SPECS[service].objectives
    assert (objectives.p50_ms, objectives.p95_ms, objectives.p99_ms) == latency
    canary = manifest(doc, "Canary", service)["spec"]
    p95 = next(m for m in canary["analysis"]["metrics"] if m["name"] == "latency-p95")
    assert p95["thresholdRange"] == {"max": latency[1]}
    traffic = canary["service"]["trafficPolicy"]
    assert traffic["loadBalancer"] == {"simple": "LEAST_REQUEST"}
    assert {k: traffic["outlierDetection"][k] for k in ("consecutive5xxErrors", "interval")} == {
        "consecutive5xxErrors": 5, "interval": "30s",
    }  # fmt: skip
    if cap is not None:
        assert traffic["connectionPool"]["http"]["http2MaxRequests"] == cap


def test_canaries_step_10_50_100_in_5_minute_windows_and_admin_switches_blue_green(stack_doc: Reader) -> None:
    doc = stack_doc("production-apps")
    for service in REFERENCE:
        analysis = manifest(doc, "Canary", service)["spec"]["analysis"]
        assert analysis["interval"] == "5m"
        success = next(m for m in analysis["metrics"] if m["name"] == "success-rate")
        assert success["thresholdRange"] == {"min": 99}
        if service == "admin":
            assert "stepWeights" not in analysis and analysis["iterations"] >= 1
        else:
            assert analysis["stepWeights"] == [10, 50]  # then promotion: 100 %


@ALL
def test_smaller_environments_size_services_as_their_config_says(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-apps")
    for name, spec in SPECS.items():
        (hpa,) = named(doc, "kubernetes_horizontal_pod_autoscaler_v2", name)
        expected = env.service_sizes(name, spec.autoscaling.min_replicas, spec.autoscaling.max_replicas)
        assert (hpa["spec"]["min_replicas"], hpa["spec"]["max_replicas"]) == expected


def ingress_sources(doc: StackDoc, spec: MicroserviceProps) -> set[str]:
    """Namespace labels the service's ingress policies admit."""
    return {
        peer["namespace_selector"]["match_labels"]["kubernetes.io/metadata.name"]
        for network in named(doc, "kubernetes_network_policy_v1", spec.name)
        for rule in network["spec"].get("ingress", [])
        for peer in rule["from"]
        if "namespace_selector" in peer
    }


@ALL
@pytest.mark.parametrize("spec", services.SPECS, ids=lambda spec: spec.name)
def test_a_namespace_admits_exactly_what_its_spec_implies(
    stack_doc: Reader, env: EnvironmentConfig, spec: MicroserviceProps
) -> None:
    doc = stack_doc(f"{env.name}-apps")
    # the mesh: deny-all, one allow for the declared callers (and the gateway for public routes), one for
    # operators through the gateway (operator routes), and the load tester's GET of the analysis path
    gateway = "cluster.local/ns/istio-ingress/sa/istio-ingressgateway"
    principals = {f"cluster.local/ns/{caller}/sa/{caller}" for caller in spec.callers}
    if spec.routes:
        principals.add(gateway)
    policies = [
        r["manifest"] for r in resources(doc, "kubernetes_manifest").values()
        if r["manifest"]["kind"] == "AuthorizationPolicy"
        and r["manifest"]["metadata"]["namespace"].startswith(f"${{kubernetes_namespace_v1.{spec.name}_")
    ]  # fmt: skip
    allows = {
        p["metadata"]["name"]: p["spec"]["rules"] for p in policies if p["metadata"]["name"] != "deny-all"
    }
    assert allows.keys() == {
        *(["allow-callers"] if principals else []), *(["allow-operators"] if spec.operator_routes else []),
        "allow-load-test",
    }  # fmt: skip
    if principals:
        ((allow_rule,),) = [allows["allow-callers"]]
        assert set(allow_rule["from"][0]["source"]["principals"]) == principals
    if spec.operator_routes:
        ((operator_rule,),) = [allows["allow-operators"]]
        assert operator_rule["from"][0]["source"]["principals"] == [gateway]
        assert env.operators and operator_rule["when"][0]["values"] == list(env.operators.groups)
    ((load_rule,),) = [allows["allow-load-test"]]
    assert load_rule["to"][0]["operation"]["paths"] == [spec.load_test_path]
    # the network: default deny, then the callers' namespaces, the gateway, the load tester and Prometheus
    admitted = ingress_sources(doc, spec)
    expected = (
        set(spec.callers) | {"monitoring", "loadtester"} | ({"istio-ingress"} if spec.exposed else set())
    )
    assert admitted == expected
    egress_ports = {
        port["port"]
        for network in named(doc, "kubernetes_network_policy_v1", spec.name)
        for rule in network["spec"].get("egress", [])
        # the data stores' subnets; AWS's APIs (443 anywhere, hosts narrowed by the mesh) apart
        if any(peer.get("ip_block", {}).get("cidr") not in (None, "0.0.0.0/0") for peer in rule.get("to", []))
        for port in rule.get("ports", [])
    }
    assert egress_ports == {str(DATA_STORE_PORTS[store]) for store in spec.data_stores}
    callee_namespaces = {
        peer["namespace_selector"]["match_labels"]["kubernetes.io/metadata.name"]
        for network in named(doc, "kubernetes_network_policy_v1", spec.name)
        for rule in network["spec"].get("egress", [])
        for peer in rule.get("to", [])
        if "namespace_selector" in peer
    } & set(SPECS)
    assert callee_namespaces == set(callees(spec.name, services.SPECS))


def test_the_service_pages_sections_carry_their_specs_production_numbers() -> None:
    """docs/services.md describes the reference deployment's services, each section with its spec's numbers; a
    section must name a service of the registry (none goes stale), and a service added later needs none (its
    module is its description)."""
    services_part = (Path(__file__).parents[2] / "docs" / "services.md").read_text()
    documented = re.findall(r"^## ([a-z-]+)\n", services_part, re.MULTILINE)
    assert documented and set(documented) <= {spec.name for spec in services.SPECS}
    for spec in services.SPECS:
        if spec.name not in documented:
            continue
        a, o = spec.autoscaling, spec.objectives
        section = services_part.split(f"## {spec.name}\n", 1)[1].split("\n## ", 1)[0]
        assert f"{a.min_replicas}-{a.max_replicas} replicas at {a.cpu_target_percent} % CPU" in section
        assert f"{o.p50_ms} / {o.p95_ms} / {o.p99_ms} ms" in section

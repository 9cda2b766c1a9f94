"""Microservice: the restricted pod, HPA, PDB, NetworkPolicies, AuthorizationPolicy and p95 objective of each
production spec, the custom resources against their real CRDs, and input validation."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import Any

import pytest

from marketplace_constructs import ConfigError
from marketplace_constructs.mesh.identity import OperatorIdentityProps
from marketplace_constructs.observability.thresholds import ServiceObjective
from marketplace_constructs.workload.microservice import Microservice, ServiceNetwork
from marketplace_constructs.workload.service_props import AutoscalingProps, MicroserviceProps, ResourceProps
from services import admin, consumption, discovery, publishing
from tests.constructs.synth import synth_construct
from tfoffline.crds import manifest_errors

# The construct under test with the four reference specs as fixed props, not the registry: a service an
# adopter adds must not change what these tests expect.
SPECS = (publishing.SPEC, discovery.SPEC, consumption.SPEC, admin.SPEC)
SPEC = {spec.name: spec for spec in SPECS}
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm-marketplace/svc@sha256:" + "a" * 64
ROLE = "arn:aws:iam::123456789012:role/production-discovery"
DATABASE_SUBNETS = ("10.0.208.0/22", "10.0.212.0/22", "10.0.216.0/22")
NETWORK = ServiceNetwork(data_store_cidrs=DATABASE_SUBNETS)
OPERATORS = OperatorIdentityProps(
    issuer="https://sso.example.com", audiences=("marketplace-admin",), groups=("operators",)
)
GATEWAY = ("istio-ingress", (("istio", "ingressgateway"),))
LOAD_TESTER = ("loadtester", (("app", "loadtester"),))
GATEWAY_PRINCIPAL = "cluster.local/ns/istio-ingress/sa/istio-ingressgateway"
PROMETHEUS = ("monitoring", (("app.kubernetes.io/name", "prometheus"),))
Resources = dict[str, dict[str, Any]]


def build(props: MicroserviceProps, autoscaling: AutoscalingProps | None = None) -> Resources:
    return synth_construct(
        lambda scope: Microservice(
            scope, "svc", props=props, autoscaling=autoscaling or props.autoscaling, namespace=props.name,
            image=IMAGE, role_arn=ROLE, env="production", store="aws-secrets-manager", specs=SPECS,
            network=NETWORK, operators=OPERATORS,
        )
    )  # fmt: skip


@cache
def production(name: str) -> Resources:
    return build(SPEC[name])


def one(resources: Resources, resource_type: str) -> dict[str, Any]:
    (resource,) = resources[resource_type].values()
    found: dict[str, Any] = resource
    return found


def pod_spec(name: str = "discovery") -> dict[str, Any]:
    spec: dict[str, Any] = one(production(name), "kubernetes_deployment_v1")["spec"]["template"]["spec"]
    return spec


def container(name: str = "discovery") -> dict[str, Any]:
    (only,) = pod_spec(name)["container"]
    found: dict[str, Any] = only
    return found


def manifests(name: str, kind: str) -> list[dict[str, Any]]:
    return [
        resource["manifest"]
        for resource in production(name).get("kubernetes_manifest", {}).values()
        if resource["manifest"]["kind"] == kind
    ]


def policies(name: str) -> dict[str, dict[str, Any]]:
    return {
        policy["metadata"]["name"]: policy["spec"]
        for policy in production(name)["kubernetes_network_policy_v1"].values()
    }


def egress_rules(name: str) -> list[dict[str, Any]]:
    """The rules of the service's one egress allow policy."""
    rules: list[dict[str, Any]] = policies(name)["allow-egress"]["egress"]
    return rules


def rule_to(name: str, namespace: str) -> dict[str, Any]:
    """The egress rule whose only peer is in ``namespace``."""
    (rule,) = [
        r for r in egress_rules(name)
        if [to.get("namespace_selector", {}).get("match_labels", {}).get("kubernetes.io/metadata.name")
            for to in r["to"]] == [namespace]
    ]  # fmt: skip
    return rule


def peer(rule_peer: dict[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    namespace = rule_peer["namespace_selector"]["match_labels"]["kubernetes.io/metadata.name"]
    pods = tuple(sorted(rule_peer.get("pod_selector", {}).get("match_labels", {}).items()))
    return namespace, pods


def ingress_peers(name: str) -> set[tuple[str, tuple[tuple[str, str], ...], str]]:
    """(namespace, pod labels, port) of every ingress allowance of the service's namespace."""
    return {
        (*peer(source), port["port"])
        for spec in policies(name).values()
        for rule in spec.get("ingress", [])
        for source in rule["from"]
        for port in rule["ports"]
    }


# --- the restricted pod ---------------------------------------------------------------------------------


def test_pod_and_container_run_as_non_root_user_10001() -> None:
    pod, box = pod_spec()["security_context"], container()["security_context"]
    assert pod["run_as_non_root"] is box["run_as_non_root"] is True
    assert pod["run_as_user"] == pod["run_as_group"] == pod["fs_group"] == "10001"
    assert box["run_as_user"] == box["run_as_group"] == "10001"


def test_root_filesystem_is_read_only_and_only_tmp_is_writable() -> None:
    assert container()["security_context"]["read_only_root_filesystem"] is True
    writable = [m for m in container()["volume_mount"] if not m.get("read_only")]
    assert writable == [{"mount_path": "/tmp", "name": "tmp"}]
    assert pod_spec()["volume"][0] == {"name": "tmp", "empty_dir": {"size_limit": "256Mi"}}


def test_container_drops_all_capabilities_and_cannot_escalate() -> None:
    context = container()["security_context"]
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["allow_privilege_escalation"] is False
    assert context["privileged"] is False


def test_seccomp_profile_is_runtime_default() -> None:
    assert pod_spec()["security_context"]["seccomp_profile"] == {"type": "RuntimeDefault"}
    assert container()["security_context"]["seccomp_profile"] == {"type": "RuntimeDefault"}


def test_no_api_token_is_mounted_and_the_account_carries_the_irsa_role() -> None:
    account = one(production("discovery"), "kubernetes_service_account_v1")
    assert account["metadata"]["name"] == "discovery"
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": ROLE}
    assert account["automount_service_account_token"] is False
    assert pod_spec()["automount_service_account_token"] is False
    assert pod_spec()["service_account_name"].startswith("${kubernetes_service_account_v1.")


def test_probes_use_the_spec_paths_and_startup_allows_60_seconds() -> None:
    box = container()
    startup, liveness, readiness = SPEC["discovery"].probes
    for probe, path in (
        ("startup_probe", startup),
        ("liveness_probe", liveness),
        ("readiness_probe", readiness),
    ):
        assert box[probe]["http_get"] == {"path": path, "port": "8080"}
    window = box["startup_probe"]["period_seconds"] * box["startup_probe"]["failure_threshold"]
    assert window == 60
    assert box["liveness_probe"]["failure_threshold"] >= 3


def test_requests_and_limits_follow_the_spec_without_a_cpu_limit_by_default() -> None:
    assert container()["resources"] == {
        "requests": {"cpu": "500m", "memory": "512Mi"},
        "limits": {"memory": "1Gi"},
    }


def test_a_cpu_limit_is_set_when_the_spec_has_one() -> None:
    props = replace(SPEC["admin"], resources=ResourceProps(cpu_limit="1"))
    (box,) = one(build(props), "kubernetes_deployment_v1")["spec"]["template"]["spec"]["container"]
    assert box["resources"]["limits"] == {"cpu": "1", "memory": "512Mi"}


def test_container_serves_http_reads_the_app_secret_and_announces_metrics() -> None:
    box = container()
    assert box["image"] == IMAGE
    assert box["port"] == [{"container_port": 8080, "name": "http"}]
    assert "env_from" not in box and "env" not in box  # no secret in the environment
    mount = next(m for m in box["volume_mount"] if m["name"] == "app-secret")
    assert (mount["mount_path"], mount["read_only"]) == ("/var/run/secrets/app", True)
    template = one(production("discovery"), "kubernetes_deployment_v1")["spec"]["template"]
    volume = next(v for v in template["spec"]["volume"] if v["name"] == "app-secret")
    assert volume["secret"] == {"secret_name": "discovery-app", "default_mode": "0400"}
    assert template["metadata"]["annotations"] == {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "8080",
        "prometheus.io/path": "/metrics",
    }


def test_placement_is_preferred_never_required() -> None:
    affinity = pod_spec()["affinity"]
    preferred = affinity["node_affinity"]["preferred_during_scheduling_ignored_during_execution"]
    assert [(p["weight"], p["preference"]["match_expressions"]) for p in preferred] == [
        (100, [{"key": "workload-class", "operator": "In", "values": ["compute"]}]),
        (50, [{"key": "eks.amazonaws.com/capacityType", "operator": "In", "values": ["ON_DEMAND"]}]),
    ]
    (pod,) = affinity["pod_anti_affinity"]["preferred_during_scheduling_ignored_during_execution"]
    assert pod["pod_affinity_term"]["topology_key"] == "kubernetes.io/hostname"
    assert pod["pod_affinity_term"]["label_selector"] == [{"match_labels": {"app": "discovery"}}]
    assert "required_during_scheduling_ignored_during_execution" not in affinity["node_affinity"]
    assert "required_during_scheduling_ignored_during_execution" not in affinity["pod_anti_affinity"]


def test_replicas_spread_over_zones_with_max_skew_1() -> None:
    zone = next(
        constraint
        for constraint in pod_spec()["topology_spread_constraint"]
        if constraint["topology_key"] == "topology.kubernetes.io/zone"
    )
    assert zone["max_skew"] == 1
    assert zone["when_unsatisfiable"] == "ScheduleAnyway"
    assert zone["label_selector"] == [{"match_labels": {"app": "discovery"}}]


def test_rolling_update_never_goes_below_the_desired_count() -> None:
    strategy = one(production("discovery"), "kubernetes_deployment_v1")["spec"]["strategy"]
    assert strategy == {
        "type": "RollingUpdate",
        "rolling_update": {"max_unavailable": "0", "max_surge": "25%"},
    }


def test_pre_stop_sleeps_and_the_grace_period_outlasts_it() -> None:
    (hook,) = container()["lifecycle"]["pre_stop"]
    assert hook["exec"]["command"] == ["sleep", "10"]
    assert pod_spec()["termination_grace_period_seconds"] == 45


def test_replicas_start_at_the_hpa_minimum_and_terraform_ignores_them_afterwards() -> None:
    deployment = one(production("discovery"), "kubernetes_deployment_v1")
    assert deployment["spec"]["replicas"] == "5"
    assert deployment["lifecycle"]["ignore_changes"] == ["spec[0].replicas"]


def test_deployment_waits_for_its_app_secret() -> None:
    deployment = one(production("discovery"), "kubernetes_deployment_v1")
    (secret,) = (
        key for key, r in production("discovery")["kubernetes_manifest"].items() if "app_secret" in key
    )
    assert deployment["depends_on"] == [f"kubernetes_manifest.{secret}"]


def test_no_service_or_traffic_routing_is_created_flagger_owns_them() -> None:
    resources = production("discovery")
    assert "kubernetes_service_v1" not in resources
    kinds = {r["manifest"]["kind"] for r in resources["kubernetes_manifest"].values()}
    assert kinds == {"ExternalSecret", "AuthorizationPolicy"}


# --- autoscaling and disruption -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "bounds", "targets", "behavior"),
    [
        ("publishing", (3, 50), (70, 80), None),
        ("discovery", (5, 100), (60, 75), ((100, 15), (10, 300))),  # doubling per 15 s: bin/dev capacity
        ("consumption", (10, 200), (50, 70), ((100, 15), (10, 300))),
        ("admin", (2, 10), (70, 80), None),
    ],
)
def test_hpa_matches_the_production_spec(
    name: str,
    bounds: tuple[int, int],
    targets: tuple[int, int],
    behavior: tuple[tuple[int, int], tuple[int, int]] | None,
) -> None:
    spec = one(production(name), "kubernetes_horizontal_pod_autoscaler_v2")["spec"]
    assert (spec["min_replicas"], spec["max_replicas"]) == bounds
    assert spec["scale_target_ref"]["kind"] == "Deployment"
    assert spec["scale_target_ref"]["name"].startswith("${kubernetes_deployment_v1.")
    utilization = {m["resource"]["name"]: m["resource"]["target"] for m in spec["metric"]}
    assert utilization == {
        "cpu": {"type": "Utilization", "average_utilization": targets[0]},
        "memory": {"type": "Utilization", "average_utilization": targets[1]},
    }
    if behavior is None:
        assert "behavior" not in spec  # Kubernetes' defaults
        return
    (up,), (down,) = spec["behavior"]["scale_up"], spec["behavior"]["scale_down"]
    for rule, (percent, period), window in ((up, behavior[0], 0), (down, behavior[1], 300)):
        assert rule["policy"] == [{"type": "Percent", "value": percent, "period_seconds": period}]
        assert rule["stabilization_window_seconds"] == window  # Kubernetes' default, not the provider's 0
        assert rule["select_policy"] == "Max"


def test_a_smaller_environment_passes_its_own_autoscaling() -> None:
    small = AutoscalingProps(min_replicas=1, max_replicas=2, cpu_target_percent=80, memory_target_percent=90)
    resources = build(SPEC["consumption"], small)
    hpa = one(resources, "kubernetes_horizontal_pod_autoscaler_v2")["spec"]
    assert (hpa["min_replicas"], hpa["max_replicas"]) == (1, 2)
    assert one(resources, "kubernetes_deployment_v1")["spec"]["replicas"] == "1"


def test_pdb_allows_one_disruption_across_the_deployment_and_its_flagger_primary() -> None:
    spec = one(production("publishing"), "kubernetes_pod_disruption_budget_v1")["spec"]
    assert spec["max_unavailable"] == "1"
    assert spec["selector"]["match_expressions"] == [
        {"key": "app", "operator": "In", "values": ["publishing", "publishing-primary"]}
    ]


# --- network policies -----------------------------------------------------------------------------------


def test_default_deny_isolates_every_pod_both_ways() -> None:
    deny = policies("admin")["default-deny"]
    assert deny == {"pod_selector": {}, "policy_types": ["Ingress", "Egress"]}
    assert all(spec["pod_selector"] == {} for spec in policies("admin").values())


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("discovery", {("publishing", (), "8080"), ("consumption", (), "8080"), (*GATEWAY, "8080")}),
        ("publishing", {("admin", (), "3000"), (*GATEWAY, "3000")}),
        ("consumption", {(*GATEWAY, "8080")}),
        ("admin", {(*GATEWAY, "8000")}),  # operator routes come through the gateway too
    ],
)
def test_ingress_admits_the_callers_the_gateway_for_routes_the_load_tester_and_prometheus(
    name: str, expected: set[tuple[str, tuple[tuple[str, str], ...], str]]
) -> None:
    port = str(SPEC[name].port)
    assert ingress_peers(name) == expected | {(*PROMETHEUS, "15020"), (*LOAD_TESTER, port)}


@pytest.mark.parametrize(
    ("name", "callees"),
    [("admin", {("publishing", "3000")}), ("publishing", {("discovery", "8080")}),
     ("consumption", {("discovery", "8080")}), ("discovery", set())],
)  # fmt: skip
def test_egress_reaches_exactly_the_services_that_list_it_as_a_caller(
    name: str, callees: set[tuple[str, str]]
) -> None:
    services = set(SPEC)
    found = {
        (peer(to)[0], port["port"])
        for rule in egress_rules(name)
        for to in rule["to"]
        if "namespace_selector" in to and peer(to)[0] in services
        for port in rule["ports"]
    }
    assert found == callees


@pytest.mark.parametrize(
    ("name", "ports"),
    [("discovery", {"5432", "6379"}), ("consumption", {"5432", "6379", "9098"}),
     ("publishing", {"5432", "9098"}), ("admin", {"5432"})],
)  # fmt: skip
def test_egress_to_data_stores_opens_only_the_declared_ones(name: str, ports: set[str]) -> None:
    (rule,) = [
        r for r in egress_rules(name) if r["to"][0].get("ip_block", {}).get("cidr") in DATABASE_SUBNETS
    ]
    assert [to["ip_block"]["cidr"] for to in rule["to"]] == list(DATABASE_SUBNETS)
    assert {port["port"] for port in rule["ports"]} == ports
    assert {port["protocol"] for port in rule["ports"]} == {"TCP"}


def test_egress_reaches_dns_istiod_the_collector_and_https() -> None:
    dns = rule_to("admin", "kube-system")
    assert [peer(to) for to in dns["to"]] == [("kube-system", (("k8s-app", "kube-dns"),))]
    assert {(p["port"], p["protocol"]) for p in dns["ports"]} == {("53", "UDP"), ("53", "TCP")}
    istiod = rule_to("admin", "istio-system")
    assert [peer(to) for to in istiod["to"]] == [("istio-system", (("app", "istiod"),))]
    assert [p["port"] for p in istiod["ports"]] == ["15012"]
    tracing = rule_to("admin", "monitoring")
    assert peer(tracing["to"][0])[0] == "monitoring"
    assert [p["port"] for p in tracing["ports"]] == ["4317", "4318"]
    (https,) = [r for r in egress_rules("admin") if r["to"] == [{"ip_block": {"cidr": "0.0.0.0/0"}}]]
    assert https["to"] == [{"ip_block": {"cidr": "0.0.0.0/0"}}]
    assert https["ports"] == [{"port": "443", "protocol": "TCP"}]


# --- mesh authorization, secret and objective -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "principals"),
    [
        ("discovery", ["publishing", "consumption", "gateway"]),
        ("publishing", ["admin", "gateway"]),
        ("consumption", ["gateway"]),
    ],
)
def test_authorization_admits_exactly_the_callers_and_the_gateway_for_routes(
    name: str, principals: list[str]
) -> None:
    (policy,) = [
        p for p in manifests(name, "AuthorizationPolicy") if p["metadata"]["name"] == "allow-callers"
    ]
    assert policy["metadata"] == {"name": "allow-callers", "namespace": name}
    assert "selector" not in policy["spec"]  # the Deployment and Flagger's -primary copy alike
    expected = [
        GATEWAY_PRINCIPAL if caller == "gateway" else f"cluster.local/ns/{caller}/sa/{caller}"
        for caller in principals
    ]
    (rule,) = policy["spec"]["rules"]
    assert policy["spec"]["action"] == "ALLOW"
    assert rule["from"] == [{"source": {"principals": expected}}]
    assert rule["to"] == [{"operation": {"ports": [str(SPEC[name].port)]}}]


def test_an_operator_service_admits_no_caller_by_identity_alone() -> None:
    names = {policy["metadata"]["name"] for policy in manifests("admin", "AuthorizationPolicy")}
    assert names == {"allow-operators", "allow-load-test"}  # no "allow-callers": an empty list admits all


def test_operator_routes_admit_only_the_gateway_with_an_operators_token_of_the_issuer() -> None:
    (policy,) = [
        p for p in manifests("admin", "AuthorizationPolicy") if p["metadata"]["name"] == "allow-operators"
    ]
    (rule,) = policy["spec"]["rules"]
    assert policy["spec"]["action"] == "ALLOW" and "selector" not in policy["spec"]
    assert rule["from"] == [
        {"source": {"principals": [GATEWAY_PRINCIPAL], "requestPrincipals": ["https://sso.example.com/*"]}}
    ]
    assert rule["when"] == [{"key": "request.auth.claims[groups]", "values": ["operators"]}]
    assert rule["to"] == [{"operation": {"ports": ["8000"]}}]
    (authentication,) = manifests("admin", "RequestAuthentication")
    assert authentication["spec"] == {
        "jwtRules": [
            {
                "issuer": "https://sso.example.com",
                "audiences": ["marketplace-admin"],
                "forwardOriginalToken": True,
            }
        ]
    }


@pytest.mark.parametrize("name", sorted(SPEC))
def test_the_load_tester_may_only_get_the_declared_analysis_path(name: str) -> None:
    (policy,) = [
        p for p in manifests(name, "AuthorizationPolicy") if p["metadata"]["name"] == "allow-load-test"
    ]
    (rule,) = policy["spec"]["rules"]
    assert rule["from"] == [{"source": {"principals": ["cluster.local/ns/loadtester/sa/flagger-loadtester"]}}]
    assert rule["to"] == [
        {
            "operation": {
                "ports": [str(SPEC[name].port)],
                "methods": ["GET"],
                "paths": [SPEC[name].load_test_path],
            }
        }
    ]


def test_operator_routes_without_the_environments_operators_are_refused() -> None:
    with pytest.raises(
        ConfigError, match=r"Microservice\(admin\): operator_routes \('/',\) need the environment's operators"
    ):
        synth_construct(
            lambda scope: Microservice(
                scope, "svc", props=SPEC["admin"], autoscaling=SPEC["admin"].autoscaling, namespace="admin",
                image=IMAGE, role_arn=ROLE, env="production", store="aws-secrets-manager", specs=SPECS,
                network=NETWORK,
            )
        )  # fmt: skip


def test_app_secret_extracts_the_whole_json_of_its_secrets_manager_secret() -> None:
    (secret,) = manifests("consumption", "ExternalSecret")
    assert secret["metadata"] == {"name": "consumption-app", "namespace": "consumption"}
    assert secret["spec"]["dataFrom"] == [{"extract": {"key": "production/consumption/app"}}]
    assert secret["spec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": "aws-secrets-manager"}
    assert secret["spec"]["target"] == {"name": "consumption-app", "creationPolicy": "Owner"}


def test_the_objective_is_the_specs_p95_for_the_generated_rules() -> None:
    services: list[Microservice] = []
    synth_construct(
        lambda scope: services.append(Microservice(
            scope, "svc", props=SPEC["discovery"], autoscaling=SPEC["discovery"].autoscaling,
            namespace="discovery", image=IMAGE, role_arn=ROLE, env="production", store="aws-secrets-manager",
            specs=SPECS, network=NETWORK,
        ))
    )  # fmt: skip
    assert services[0].objective == ServiceObjective(namespace="discovery", p95_ms=150)


@pytest.mark.parametrize("name", sorted(SPEC))
def test_custom_resources_match_their_crds(name: str) -> None:
    bodies = [resource["manifest"] for resource in production(name)["kubernetes_manifest"].values()]
    assert bodies
    for body in bodies:
        assert manifest_errors(body) == [], body["kind"]


# --- validation -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cidrs", "message"),
    [
        ((), r"ServiceNetwork.data_store_cidrs must name at least one subnet"),
        (("10.0.0.0/33",), r"ServiceNetwork.data_store_cidrs must hold IPv4 CIDRs .*, got '10.0.0.0/33'"),
    ],
)
def test_service_network_rejects_bad_subnets(cidrs: tuple[str, ...], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ServiceNetwork(data_store_cidrs=cidrs)


def test_rejects_a_spec_missing_from_specs() -> None:
    stranger = replace(SPEC["admin"], name="billing")
    with pytest.raises(ConfigError, match=r"Microservice\(billing\): specs must include the service itself"):
        build(stranger)


def test_rejects_a_data_store_without_a_port() -> None:
    network = ServiceNetwork(data_store_cidrs=DATABASE_SUBNETS, data_store_ports={"postgres": 5432})
    with pytest.raises(ConfigError, match=r"network.data_store_ports has no port for \['redis', 'kafka'\]"):
        synth_construct(
            lambda scope: Microservice(
                scope, "svc", props=SPEC["consumption"], autoscaling=SPEC["consumption"].autoscaling,
                namespace="consumption", image=IMAGE, role_arn=ROLE, env="production",
                store="aws-secrets-manager", specs=SPECS, network=network,
            )
        )  # fmt: skip

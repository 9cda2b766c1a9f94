"""Progressive delivery: every Flagger object against its real CRD schema (strict), the four services'
Canaries (steps, windows, checks, routing, retries, DestinationRule numbers), the metric queries run by the
real promtool, the Slack provider and its ExternalSecret, and Flagger's values against the pinned chart."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from marketplace_constructs.delivery.canary import (
    LATENCY_P95,
    LATENCY_P95_QUERY,
    RETRY_ON,
    SUCCESS_RATE,
    SUCCESS_RATE_QUERY,
    canary,
    metric_templates,
    slack_provider,
    slack_webhook_secret,
)
from marketplace_constructs.delivery.flagger import (
    DELIVERY_SECRETS,
    FLAGGER_NAMESPACE,
    SLACK_PATH,
    flagger_values,
)
from marketplace_constructs.delivery.loadtester import URL as LOAD_TESTER_URL
from marketplace_constructs.errors import ConfigError
from marketplace_constructs.observability.grafana import PROMETHEUS_URL
from marketplace_constructs.workload.service_props import DeliveryProps, MicroserviceProps
from policy.chart_values import ALLOW_FILE, release_problems
from services import SPECS, admin, consumption, discovery, publishing
from tests.observability.tools import run_tool
from tfoffline.crds import manifest_errors

GATEWAY = "istio-ingress/edge"
DOMAIN = "api.marketplace.example"
OPERATOR_DOMAIN = "admin.marketplace.example"
STORE = "aws-secrets-manager"
NS = FLAGGER_NAMESPACE
# The reviewed allowlist entry Flagger's values need (policy/chart-values-allow.yaml).
ALLOW_ENTRY = {
    "chart": "flagger",
    "path": "securityContext.context",
    "reason": "Rendered whole (toYaml) as the flagger container's securityContext "
    "(templates/deployment.yaml); the default sets readOnlyRootFilesystem and runAsUser only, not the rest "
    "of the restricted profile.",
}


def canary_of(props: MicroserviceProps, **overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "namespace": props.name, "gateway": GATEWAY, "hosts": (DOMAIN,), "operator_hosts": (OPERATOR_DOMAIN,),
        "port": 80, "load_tester": LOAD_TESTER_URL,
    }  # fmt: skip
    return canary(props, **{**arguments, **overrides})


CANARIES = {spec.name: canary_of(spec) for spec in SPECS}
SHARED = [
    *metric_templates(FLAGGER_NAMESPACE, prometheus_url=PROMETHEUS_URL),
    slack_provider(FLAGGER_NAMESPACE),
    slack_webhook_secret(FLAGGER_NAMESPACE, store=STORE, env="production"),
]
ALL_OBJECTS = [*CANARIES.values(), *SHARED]


def strings(node: object) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


@pytest.mark.parametrize("body", ALL_OBJECTS, ids=lambda b: f"{b['kind']}-{b['metadata']['name']}")
def test_every_object_validates_against_its_crd(body: dict[str, Any]) -> None:
    assert manifest_errors(body) == []


@pytest.mark.parametrize(
    ("path", "typo"),
    [
        (("spec", "analysis"), "stepWieghts"),
        (("spec", "service", "trafficPolicy", "outlierDetection"), "consecutive5xxErrros"),
        # Flagger 1.44.0's CRD lacks connectionPool.tcp (fluxcd/flagger#1639): why max_connections is
        # http2MaxRequests.
        (("spec", "service", "trafficPolicy", "connectionPool"), "tcp"),
    ],
)
def test_a_misspelt_or_unknown_canary_field_fails(path: tuple[str, ...], typo: str) -> None:
    body = copy.deepcopy(CANARIES["publishing"])
    node = body
    for key in path:
        node = node[key]
    node[typo] = {"maxConnections": 1} if typo == "tcp" else 1
    (error,) = manifest_errors(body)
    assert f"'{typo}' was unexpected" in error


@pytest.mark.parametrize("body", SHARED, ids=lambda b: b["kind"])
def test_a_misspelt_field_of_a_shared_object_fails(body: dict[str, Any]) -> None:
    broken = copy.deepcopy(body)
    broken["spec"]["secretRefs" if body["kind"] != "ExternalSecret" else "refreshIntreval"] = "x"
    assert manifest_errors(broken)


def test_no_output_holds_a_terraform_interpolation_or_directive() -> None:
    outputs = [*ALL_OBJECTS, flagger_values(prometheus_url=PROMETHEUS_URL, cluster_name="production")]
    offending = [text for body in outputs for text in strings(body) if "${" in text or "%{" in text]
    assert offending == []


@pytest.mark.parametrize("spec", [publishing.SPEC, discovery.SPEC, consumption.SPEC], ids=lambda s: s.name)
def test_canary_services_step_10_then_50_then_promote_in_5_minute_windows(spec: MicroserviceProps) -> None:
    analysis = CANARIES[spec.name]["spec"]["analysis"]
    assert analysis["stepWeights"] == [10, 50]  # Flagger promotes (100 %) once the last step passes
    assert [*analysis["stepWeights"], 100] == list(spec.delivery.steps_percent) == [10, 50, 100]
    assert analysis["interval"] == "5m" and analysis["threshold"] == 2
    assert "iterations" not in analysis


def test_admin_is_blue_green_iterations_without_weights() -> None:
    analysis = CANARIES["admin"]["spec"]["analysis"]
    assert analysis["iterations"] == 2 and analysis["interval"] == "5m"
    assert not {"stepWeights", "stepWeight", "maxWeight", "mirror"} & analysis.keys()


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_checks_are_the_success_rate_floor_and_the_spec_p95_over_each_window(spec: MicroserviceProps) -> None:
    metrics = {m["name"]: m for m in CANARIES[spec.name]["spec"]["analysis"]["metrics"]}
    assert metrics[SUCCESS_RATE]["thresholdRange"] == {"min": 99}
    assert metrics[LATENCY_P95]["thresholdRange"] == {"max": spec.objectives.p95_ms}
    for metric in metrics.values():
        assert metric["templateRef"] == {"name": metric["name"], "namespace": FLAGGER_NAMESPACE}
        assert metric["interval"] == "5m"  # the whole window: the proxies are scraped every 30 s
    # A metric named like a builtin would also run the builtin query (and request-duration is a p99).
    assert not {"request-success-rate", "request-duration"} & metrics.keys()


def test_latency_checks_follow_each_spec() -> None:
    p95 = {
        name: next(m for m in c["spec"]["analysis"]["metrics"] if m["name"] == LATENCY_P95)
        for name, c in CANARIES.items()
    }
    assert {name: m["thresholdRange"]["max"] for name, m in p95.items()} == {
        spec.name: spec.objectives.p95_ms for spec in SPECS
    }


def test_an_idle_window_fails_every_strategy_unless_the_environment_allows_idle_analysis() -> None:
    def idle_values(body: dict[str, Any]) -> list[str]:
        return [m["templateVariables"]["idle"] for m in body["spec"]["analysis"]["metrics"]]

    assert idle_values(CANARIES["publishing"]) == ["NaN", "NaN"]  # no value: a failed check
    # Blue-green too: before the switch the load tester is the new pods' only caller, and must be there.
    assert idle_values(CANARIES["admin"]) == ["NaN", "NaN"]
    assert idle_values(canary_of(publishing.SPEC, allow_idle_analysis=True)) == ["100", "0"]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_the_load_tester_checks_then_loads_the_new_pods_on_the_declared_path_and_rate(
    spec: MicroserviceProps,
) -> None:
    acceptance, first, load = CANARIES[spec.name]["spec"]["analysis"]["webhooks"]
    target = f"http://{spec.name}-canary.{spec.name}:80{spec.load_test_path}"
    assert (acceptance["type"], acceptance["url"]) == ("pre-rollout", LOAD_TESTER_URL)
    # "bash" blocks until the command ends, so a failed request fails the hook (pkg/loadtester/server.go)
    assert acceptance["metadata"] == {"type": "bash", "cmd": f"curl -sf --max-time 10 -o /dev/null {target}"}
    # Pre-rollout hooks run on the first tick only, rollout hooks on each later one before its window's
    # checks: the load starts with the analysis and runs each window, each run ending before the next call.
    rate = spec.delivery.load_test_rps
    command = {"type": "cmd", "cmd": f"hey -z 285s -q 1 -c {rate} -m GET {target}"}
    assert (first["type"], first["metadata"]) == ("pre-rollout", command)
    assert (load["type"], load["url"], load["metadata"]) == ("rollout", LOAD_TESTER_URL, command)


def test_the_load_test_path_is_the_readiness_probe_unless_the_spec_names_one() -> None:
    assert admin.SPEC.load_test_path == admin.SPEC.probes[2] == "/healthz/ready"
    assert publishing.SPEC.load_test_path == "/v1/listings"
    with pytest.raises(ConfigError, match=r"DeliveryProps.load_test_path must start with '/'"):
        DeliveryProps(load_test_path="v1/listings")
    with pytest.raises(ConfigError, match=r"DeliveryProps.load_test_rps must be between 1 and 200"):
        DeliveryProps(load_test_rps=0)


@pytest.mark.parametrize(
    ("spec", "connections"),
    [(publishing.SPEC, 1000), (consumption.SPEC, 10000), (discovery.SPEC, 5000), (admin.SPEC, 200)],
    ids=lambda v: getattr(v, "name", str(v)),
)
def test_destination_rule_numbers(spec: MicroserviceProps, connections: int) -> None:
    policy = CANARIES[spec.name]["spec"]["service"]["trafficPolicy"]
    assert policy == {
        "tls": {"mode": "ISTIO_MUTUAL"},
        "loadBalancer": {"simple": "LEAST_REQUEST"},
        "connectionPool": {"http": {"http1MaxPendingRequests": 1024, "http2MaxRequests": connections}},
        "outlierDetection": {
            "consecutive5xxErrors": 5, "interval": "30s", "baseEjectionTime": "30s", "maxEjectionPercent": 50,
        },
    }  # fmt: skip


def test_a_public_service_is_on_the_edge_for_its_routes_and_in_the_mesh_for_every_path() -> None:
    service = CANARIES["publishing"]["spec"]["service"]
    assert (service["port"], service["targetPort"]) == (80, 3000)
    assert service["gateways"] == [GATEWAY, "mesh"]
    assert service["hosts"] == [DOMAIN, "publishing"]
    edge = [(m["uri"], m["gateways"]) for m in service["match"][:-1]]
    assert edge == [
        ({"exact": "/v1/listings"}, [GATEWAY]), ({"prefix": "/v1/listings/"}, [GATEWAY]),
        ({"exact": "/v1/publishers"}, [GATEWAY]), ({"prefix": "/v1/publishers/"}, [GATEWAY]),
    ]  # fmt: skip
    assert service["match"][-1] == {"gateways": ["mesh"]}  # a match on the edge alone would 404 mesh calls


def test_an_operator_service_is_on_the_edge_for_the_operators_name_only() -> None:
    service = CANARIES["admin"]["spec"]["service"]
    assert service["gateways"] == [GATEWAY, "mesh"] and service["hosts"] == [OPERATOR_DOMAIN, "admin"]
    assert service["match"] == [{"uri": {"prefix": "/"}, "gateways": [GATEWAY]}, {"gateways": ["mesh"]}]


def test_an_internal_service_is_in_the_mesh_only() -> None:
    internal = replace(admin.SPEC, operator_routes=())
    service = canary_of(internal)["spec"]["service"]
    assert service["gateways"] == ["mesh"] and service["hosts"] == ["admin"]
    assert "match" not in service


def test_requests_time_out_and_retry_only_what_never_reached_the_service() -> None:
    service = CANARIES["consumption"]["spec"]["service"]
    assert service["timeout"] == "60s"
    assert service["retries"] == {"attempts": 2, "perTryTimeout": "60s", "retryOn": RETRY_ON}
    conditions = set(RETRY_ON.split(","))
    assert conditions == {"connect-failure", "refused-stream", "reset-before-request"}
    assert not {"gateway-error", "5xx", "reset", "retriable-status-codes"} & conditions  # would replay a POST
    no_retries = canary_of(replace(publishing.SPEC, retries=0))["spec"]["service"]["retries"]
    assert no_retries == {"attempts": 0}


def test_the_canary_targets_the_deployment_and_its_hpa_and_alerts_slack_on_every_event() -> None:
    spec = CANARIES["discovery"]["spec"]
    assert spec["targetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "discovery"}
    assert spec["autoscalerRef"]["kind"] == "HorizontalPodAutoscaler"
    assert spec["autoscalerRef"]["apiVersion"] == "autoscaling/v2"
    assert spec["skipAnalysis"] is False and spec["progressDeadlineSeconds"] == 600
    (alert,) = spec["analysis"]["alerts"]
    assert alert == {"name": "slack", "severity": "info", "providerRef": {"name": "slack", "namespace": NS}}


def test_routes_without_an_edge_host_and_a_canary_without_a_partial_step_are_rejected() -> None:
    with pytest.raises(ConfigError, match=r"canary\(publishing\).hosts must name the edge domain"):
        canary_of(publishing.SPEC, hosts=())
    with pytest.raises(ConfigError, match=r"canary\(admin\).operator_hosts must name the operators' domain"):
        canary_of(admin.SPEC, operator_hosts=())
    all_at_once = replace(discovery.SPEC, delivery=DeliveryProps(steps_percent=(100,)))
    with pytest.raises(ConfigError, match=r"a step below 100, got \(100,\); use strategy='blue-green'"):
        canary_of(all_at_once)
    with pytest.raises(ConfigError, match=r"canary\(admin\).port must be between 1 and 65535, got 0"):
        canary_of(admin.SPEC, port=0)


def test_slack_provider_reads_the_webhook_from_the_external_secret() -> None:
    provider, secret = SHARED[2], SHARED[3]
    assert provider["metadata"] == {"name": "slack", "namespace": FLAGGER_NAMESPACE}
    assert provider["spec"] == {
        "type": "slack", "channel": "releases", "username": "flagger", "secretRef": {"name": "flagger-slack"},
    }  # fmt: skip
    assert slack_provider("x", channel="deploys")["spec"]["channel"] == "deploys"
    assert secret["metadata"] == {"name": "flagger-slack", "namespace": FLAGGER_NAMESPACE}
    assert secret["spec"]["secretStoreRef"] == {"kind": "ClusterSecretStore", "name": STORE}
    assert secret["spec"]["data"] == [
        {"secretKey": "address", "remoteRef": {"key": "production/delivery/slack", "property": "webhook_url"}}
    ]
    assert SLACK_PATH in DELIVERY_SECRETS  # for the AWS layer to create, empty


def test_metric_templates_read_prometheus_and_use_only_flaggers_fields() -> None:
    templates = {t["metadata"]["name"]: t["spec"] for t in SHARED[:2]}
    assert templates.keys() == {SUCCESS_RATE, LATENCY_P95}
    for spec in templates.values():
        assert spec["provider"] == {"type": "prometheus", "address": PROMETHEUS_URL}
        fields = set(re.findall(r"\{\{.*?\}\}", spec["query"]))
        assert fields == {"{{ namespace }}", "{{ target }}", "{{ interval }}", "{{ variables.idle }}"}
        bare = re.sub(r"\{\{.*?\}\}", "", spec["query"])
        assert "{{" not in bare and "}}" not in bare  # nothing else Go's text/template would parse


# --- the queries, run by promtool over series of the canary (publishing) and its primary -----------------


def render(query: str, idle: str) -> str:
    """The query as Flagger renders it for Canary ``publishing`` (its target) with a 5-minute window."""
    for field, value in (("namespace", "publishing"), ("target", "publishing"), ("interval", "5m"),
                         ("variables.idle", idle)):  # fmt: skip
        query = query.replace(f"{{{{ {field} }}}}", value)
    return query


def requests(workload: str, code: str, per_minute: int) -> dict[str, str]:
    labels = (
        f'reporter="destination",destination_workload_namespace="publishing",'
        f'destination_workload="{workload}",response_code="{code}"'
    )
    return {"series": f"istio_requests_total{{{labels}}}", "values": f"1000+{per_minute}x20"}


def buckets(workload: str, slowest_le: str) -> list[dict[str, str]]:
    """100 requests a minute, all in the bucket ending at ``slowest_le`` ms."""
    bounds = ("100", "250", "500", "+Inf")
    return [
        {
            "series": "istio_request_duration_milliseconds_bucket{"
            f'reporter="destination",destination_workload_namespace="publishing",'
            f'destination_workload="{workload}",le="{le}"}}',
            "values": "0+100x20" if bounds.index(le) >= bounds.index(slowest_le) else "0x20",
        }
        for le in bounds
    ]


def no_number(query: str) -> str:
    """1 when ``query`` yields nothing or NaN (what Flagger counts as "no values found")."""
    return f"absent(({query}) >= -Inf)"


def expr_test(name: str, series: list[dict[str, str]], checks: list[tuple[str, float]]) -> dict[str, Any]:
    return {
        "name": name,
        "interval": "1m",
        "input_series": series,
        "promql_expr_test": [
            {"expr": expr, "eval_time": "10m", "exp_samples": [{"labels": "{}", "value": value}]}
            for expr, value in checks
        ],
    }


def test_the_metric_queries_measure_only_the_canary_and_handle_an_idle_window(tmp_path: Path) -> None:
    success, latency = SUCCESS_RATE_QUERY, LATENCY_P95_QUERY
    busy_primary = [requests("publishing-primary", "500", 1000), *buckets("publishing-primary", "+Inf")]
    tests = [
        expr_test(
            "0.5 % errors on the canary; the primary's errors and latency do not count",
            [requests("publishing", "200", 995), requests("publishing", "503", 5),
             *buckets("publishing", "250"), *busy_primary],
            [(render(success, "NaN"), 99.5), (render(latency, "NaN"), 242.5)],  # 100 + 150 * 0.95
        ),
        expr_test(
            "every answer an error is 0 %, not absent",
            [requests("publishing", "500", 100)],
            [(render(success, "100"), 0)],
        ),
        expr_test(
            "no request in the window: no value (a failed check), or the idle value where allowed",
            [{**requests("publishing", "200", 0), "values": "1000x20"},
             *({**bucket, "values": "0x20"} for bucket in buckets("publishing", "+Inf")), *busy_primary],
            [(no_number(render(success, "NaN")), 1), (no_number(render(latency, "NaN")), 1),
             (render(success, "100"), 100), (render(latency, "0"), 0)],
        ),
    ]  # fmt: skip
    unit = tmp_path / "queries_test.yaml"
    unit.write_text(yaml.safe_dump({"rule_files": [], "evaluation_interval": "1m", "tests": tests}))
    result = run_tool("promtool", "test", "rules", str(unit))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


# --- Flagger's chart values ------------------------------------------------------------------------------


def release(values: dict[str, Any]) -> dict[str, Any]:
    return {"name": "flagger", "chart": "flagger", "version": "1.44.0", "values": [json.dumps(values)]}


def test_flagger_values_pass_the_chart_values_check(tmp_path: Path) -> None:
    values = flagger_values(prometheus_url=PROMETHEUS_URL, cluster_name="production")
    allow = tmp_path / "allow.yaml"
    allow.write_text(ALLOW_FILE.read_text() + yaml.safe_dump([ALLOW_ENTRY], width=1000))
    charts = Path(__file__).parents[2] / "charts"
    assert release_problems("production-platform", release(values), charts, allow) == []
    # With the project's own allowlist, only keys under that entry's path may be reported.
    reported = [
        re.sub(r"^.*values key '([^']+)'.*$", r"\1", problem)
        for problem in release_problems("production-platform", release(values))
    ]
    assert all(path.startswith(ALLOW_ENTRY["path"] + ".") for path in reported), reported


def test_a_misspelt_flagger_value_fails_the_check() -> None:
    values = {**flagger_values(prometheus_url=PROMETHEUS_URL), "meshProvder": "istio"}
    assert any("'meshProvder'" in problem for problem in release_problems("p", release(values)))


def test_flagger_runs_for_istio_with_release_owned_crds_restricted_and_without_its_own_notifier() -> None:
    values = flagger_values(prometheus_url=PROMETHEUS_URL)
    assert values["meshProvider"] == "istio" and values["metricsServer"] == PROMETHEUS_URL
    assert values["crd"] == {"create": True}  # the release must set skip_crds (fluxcd/flagger#1199)
    assert values["leaderElection"] == {"enabled": False, "replicaCount": 1}
    assert values["configTracking"] == {"enabled": False}
    assert values["podMonitor"]["enabled"] is True
    context = values["securityContext"]["context"]
    assert context["runAsNonRoot"] and context["readOnlyRootFilesystem"]
    assert not context["allowPrivilegeEscalation"] and context["capabilities"] == {"drop": ["ALL"]}
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}
    assert not {"slack", "msteams", "eventWebhook", "clusterName"} & values.keys()
    assert flagger_values(prometheus_url=PROMETHEUS_URL, cluster_name="staging")["clusterName"] == "staging"

"""Flagger objects (flagger.app/v1beta1): each service's Canary, the MetricTemplates its analysis reads, and
the Slack AlertProvider with the ExternalSecret of its webhook.

Flagger owns, per Canary ``<name>``: the Deployment ``<name>-primary`` (copied from ``<name>``, its selector
label value suffixed ``-primary``) and its HPA, the Services ``<name>``, ``<name>-primary``,
``<name>-canary``, the VirtualService ``<name>`` and the DestinationRules ``<name>-primary`` and
``<name>-canary``, all rendered from ``spec.service``. Terraform must not create those, and must ignore the
replica count of Deployment ``<name>`` (Flagger scales it to zero between releases).

The strings go into Terraform JSON: none holds ``${`` or ``%{`` (Flagger's ``{{ }}`` is not Terraform's).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from marketplace_constructs.delivery.flagger import FLAGGER_NAMESPACE, SLACK_PATH
from marketplace_constructs.errors import ConfigError, check_range
from marketplace_constructs.manifests import metadata
from marketplace_constructs.manifests.secrets import external_secret
from marketplace_constructs.workload.service_props import MicroserviceProps, TrafficPolicyProps

API_VERSION: Final = "flagger.app/v1beta1"
# Not Flagger's builtin names (request-success-rate, request-duration): a metric so named runs the builtin
# query as well as its template, and the builtin duration is a p99.
SUCCESS_RATE: Final = "success-rate"
LATENCY_P95: Final = "latency-p95"
SLACK_PROVIDER: Final = "slack"
SLACK_SECRET: Final = "flagger-slack"  # key "address": the webhook URL, the key Flagger reads
DEFAULT_CHANNEL: Final = "releases"
PROGRESS_DEADLINE_SECONDS: Final = 600  # room for the cluster autoscaler to add a node for the new pods
# Blue-green: analysis windows the new pods run on the load tester's requests alone (errors, slow answers,
# a pod that crashes or stops being ready fail the release) before Flagger switches all traffic to them for
# one more, live, window.
BLUE_GREEN_ITERATIONS: Final = 2
# Retried failures are those where the request never reached the service: no connection, an HTTP/2 stream
# refused unprocessed, or a reset before any byte went upstream. Istio's HTTPRetry cannot filter by method
# (Envoy's retriable_request_headers, which could match ":method", is not exposed), and "gateway-error"
# also retries 502/503/504 answers and resets after the request was sent, so it would replay a POST.
RETRY_ON: Final = "connect-failure,refused-stream,reset-before-request"

# One service's requests as its own sidecars report them (Flagger fills the {{ }} fields per Canary). The
# idle value is what a window without requests yields: NaN, which Flagger counts as a failed check ("no
# values found"), or a passing value where no traffic is expected.
WORKLOAD: Final = (
    'reporter="destination", destination_workload_namespace="{{ namespace }}", '
    'destination_workload="{{ target }}"'
)
WINDOW: Final = "[{{ interval }}]"
IDLE: Final = "{{ variables.idle }}"
NO_VALUE: Final = "NaN"
REQUESTS: Final = "sum(rate(istio_requests_total{" + WORKLOAD + "}" + WINDOW + "))"
ERRORS: Final = "sum(rate(istio_requests_total{" + WORKLOAD + ', response_code=~"5.."}' + WINDOW + "))"
# Percent of requests answered without a 5xx: 0 (not absent) when every answer is an error.
SUCCESS_RATE_QUERY: Final = (
    f"100 - 100 * ({ERRORS} or on() vector(0)) / ({REQUESTS} > 0) or on() vector({IDLE})"
)
# p95 in milliseconds; histogram_quantile is NaN over a window without requests, which ">= 0" drops.
LATENCY_P95_QUERY: Final = (
    "(histogram_quantile(0.95, sum by (le) (rate(istio_request_duration_milliseconds_bucket{"
    + WORKLOAD + "}" + WINDOW + "))) >= 0) or on() vector(" + IDLE + ")"
)  # fmt: skip


def metric_templates(namespace: str, *, prometheus_url: str) -> list[dict[str, Any]]:
    """MetricTemplates ``success-rate`` (percent) and ``latency-p95`` (ms) over Istio's request metrics of the
    canary workload, read from ``prometheus_url``; one set in ``namespace`` (Flagger's) serves every
    Canary."""
    return [
        {
            "apiVersion": API_VERSION,
            "kind": "MetricTemplate",
            "metadata": metadata(name, namespace),
            "spec": {"provider": {"type": "prometheus", "address": prometheus_url}, "query": query},
        }
        for name, query in ((SUCCESS_RATE, SUCCESS_RATE_QUERY), (LATENCY_P95, LATENCY_P95_QUERY))
    ]


def traffic_policy(traffic: TrafficPolicyProps) -> dict[str, Any]:
    """The DestinationRules' trafficPolicy: mTLS, load balancing, request limits and outlier detection.

    Flagger 1.44.0's Canary CRD has no ``connectionPool.tcp`` (fluxcd/flagger#1639, open), so
    ``max_connections`` cannot be a connection cap; it becomes ``http2MaxRequests``, Envoy's limit on
    concurrent requests from each calling proxy, which holds for HTTP/1.1 and HTTP/2 alike (istio/api#1871)
    and, over HTTP/1.1 (one request per connection), bounds the busy connections to the same number.
    """
    return {
        "tls": {"mode": "ISTIO_MUTUAL"},
        "loadBalancer": {"simple": traffic.load_balancer},
        "connectionPool": {
            "http": {
                "http1MaxPendingRequests": traffic.max_pending_requests,
                "http2MaxRequests": traffic.max_connections,
            }
        },
        "outlierDetection": {
            "consecutive5xxErrors": traffic.consecutive_errors,
            "interval": f"{traffic.interval_seconds}s",
            "baseEjectionTime": f"{traffic.base_ejection_seconds}s",
            "maxEjectionPercent": traffic.max_ejection_percent,
        },
    }


def _edge_matches(routes: tuple[str, ...], gateway: str) -> Iterator[dict[str, Any]]:
    """Each route as a whole path segment (``/v1/search`` and ``/v1/search/...``, not ``/v1/searches``),
    on ``gateway`` only."""
    for route in routes:
        if not route.endswith("/"):
            yield {"uri": {"exact": route}, "gateways": [gateway]}
        yield {"uri": {"prefix": route.rstrip("/") + "/"}, "gateways": [gateway]}


def _service(props: MicroserviceProps, *, gateway: str, hosts: tuple[str, ...], port: int) -> dict[str, Any]:
    """``spec.service``: ``hosts`` are the edge names the service's routes answer on (the API's for public
    routes, the operators' for operator routes)."""
    timeout = f"{props.timeout_seconds}s"
    # perTryTimeout = the request's timeout: a shorter one would end a slow attempt, and none of RETRY_ON's
    # conditions would retry it.
    retries: dict[str, Any] = (
        {"attempts": props.retries, "perTryTimeout": timeout, "retryOn": RETRY_ON}
        if props.retries
        else {"attempts": 0}  # Istio rejects any other retry field with 0 attempts
    )
    service: dict[str, Any] = {
        "port": port,
        "targetPort": props.port,
        "timeout": timeout,
        "retries": retries,
        "trafficPolicy": traffic_policy(props.traffic),
    }
    routes = props.routes or props.operator_routes
    if not routes:
        return {**service, "gateways": ["mesh"], "hosts": [props.name]}
    # One VirtualService serves both the edge gateway and the mesh, and its match applies to both: matches
    # scoped by gateway keep the edge to the public routes while in-mesh callers reach every path. Its one
    # hosts list binds the edge domain to the mesh too, where each public service's VirtualService claims
    # it (istioctl analyze: IST0109); only a plain-HTTP call to the edge domain from inside would notice.
    return {
        **service,
        "gateways": [gateway, "mesh"],
        "hosts": [*hosts, props.name],
        "match": [*_edge_matches(routes, gateway), {"gateways": ["mesh"]}],
    }


# Seconds each load run stops short of the analysis interval, so it has ended when Flagger calls the
# rollout hook again: a run still going then is skipped, not restarted (pkg/loadtester/runner.go).
LOAD_GAP_SECONDS: Final = 15


def load_test_webhooks(
    props: MicroserviceProps, *, namespace: str, port: int, url: str
) -> list[dict[str, Any]]:
    """The Canary's webhooks to the load tester at ``url``, all against the new pods' Service
    (``<name>-canary``, which Flagger points at them alone) on ``props.load_test_path``.

    Flagger runs pre-rollout hooks on the analysis' first tick only, and on every later tick calls the
    rollout hooks and then queries the window just past (pkg/controller/scheduler.go: runAnalysis). So:

    - ``acceptance`` (pre-rollout, a blocking ``bash`` task): one GET that must succeed within 10 s, or the
      release counts a failed check before any traffic moves;
    - ``load-first-window`` (pre-rollout, a background ``cmd`` task, answered at once): the load starts
      with the analysis, so the first window checked already holds requests;
    - ``load`` (rollout): the same command on every tick, one interval long less ``LOAD_GAP_SECONDS``, so
      each window holds a full run and the next call starts a new one (the load tester runs one copy of a
      command per Canary at a time).

    The load is ``hey`` at ``delivery.load_test_rps``: one request per second from each of that many
    workers, so slow answers do not lower the rate.
    """
    target = f"http://{props.name}-canary.{namespace}:{port}{props.load_test_path}"
    rate = props.delivery.load_test_rps
    seconds = props.delivery.analysis_minutes * 60 - LOAD_GAP_SECONDS
    load = {"type": "cmd", "cmd": f"hey -z {seconds}s -q 1 -c {rate} -m GET {target}"}
    return [
        {
            "name": "acceptance",
            "type": "pre-rollout",
            "url": url,
            "timeout": "30s",
            "metadata": {"type": "bash", "cmd": f"curl -sf --max-time 10 -o /dev/null {target}"},
        },
        {"name": "load-first-window", "type": "pre-rollout", "url": url, "timeout": "15s", "metadata": load},
        {"name": "load", "type": "rollout", "url": url, "timeout": "15s", "metadata": load},
    ]


def canary(
    props: MicroserviceProps,
    *,
    namespace: str,
    gateway: str,
    hosts: tuple[str, ...],
    port: int,
    load_tester: str,
    operator_hosts: tuple[str, ...] = (),
    flagger_namespace: str = FLAGGER_NAMESPACE,
    allow_idle_analysis: bool = False,
) -> dict[str, Any]:
    """Canary ``<name>`` in ``namespace`` for Deployment and HPA ``<name>``, serving ``port`` (the Service's)
    on the container's port, in the mesh and, for a service with routes, on ``gateway``: public routes for
    ``hosts``, operator routes for ``operator_hosts``. Its webhooks have the load tester at ``load_tester``
    check and load the new pods (``load_test_webhooks``).

    Canary strategy: the canary takes ``steps_percent`` of the traffic in turn, one analysis window each,
    and the final 100 is the promotion (Flagger promotes once the last step weight passes). Blue-green:
    BLUE_GREEN_ITERATIONS windows without users' traffic (the load tester's only), then all of it for one
    window, then promotion. Each window (``analysis_minutes``, also the metrics' range) checks the success
    rate (at least ``min_success_percent``) and p95 (at most ``objectives.p95_ms``) of the new pods;
    ``failed_checks`` failed windows roll back. Every event (start, promotion, rollback) goes to the
    AlertProvider ``slack`` in ``flagger_namespace``, where the metric templates are too.

    A window in which the new pods served no request fails, as Flagger's own checks do (a query without
    a value is a failed check), unless ``allow_idle_analysis``; the load tester makes sure the new pods are
    called in every window, blue-green's before the switch included.

    Args:
        allow_idle_analysis: An idle window passes instead of failing: for environments without traffic
            (a release there is then gated on pod health only). Default: False.
    """
    owner = f"canary({props.name})"
    check_range(owner, "port", port, 1, 65535)
    if props.routes and not hosts:
        raise ConfigError(f"{owner}.hosts must name the edge domain serving the routes {props.routes}")
    if props.operator_routes and not operator_hosts:
        raise ConfigError(
            f"{owner}.operator_hosts must name the operators' domain serving {props.operator_routes}; set "
            "EdgeProps.operator_domain"
        )
    delivery = props.delivery
    window = f"{delivery.analysis_minutes}m"
    analysis: dict[str, Any] = {"interval": window, "threshold": delivery.failed_checks}
    blue_green = delivery.strategy == "blue-green"
    if blue_green:
        analysis["iterations"] = BLUE_GREEN_ITERATIONS
    else:
        weights = list(delivery.steps_percent[:-1])
        if not weights:
            raise ConfigError(
                f"{owner}: DeliveryProps.steps_percent must hold a step below 100, got "
                f"{delivery.steps_percent}; use strategy='blue-green' to switch all at once"
            )
        analysis["stepWeights"] = weights
    idle = allow_idle_analysis
    checks = (
        (SUCCESS_RATE, {"min": delivery.min_success_percent}, "100" if idle else NO_VALUE),
        (LATENCY_P95, {"max": props.objectives.p95_ms}, "0" if idle else NO_VALUE),
    )
    analysis["metrics"] = [
        {
            "name": name,
            "templateRef": {"name": name, "namespace": flagger_namespace},
            "thresholdRange": bounds,
            "interval": window,
            "templateVariables": {"idle": idle_value},
        }
        for name, bounds, idle_value in checks
    ]
    # "info" sends every event; "warn" and "error" would leave out the promotion.
    analysis["alerts"] = [
        {
            "name": SLACK_PROVIDER,
            "severity": "info",
            "providerRef": {"name": SLACK_PROVIDER, "namespace": flagger_namespace},
        }
    ]
    return {
        "apiVersion": API_VERSION,
        "kind": "Canary",
        "metadata": metadata(props.name, namespace),
        "spec": {
            "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": props.name},
            "autoscalerRef": {
                "apiVersion": "autoscaling/v2",
                "kind": "HorizontalPodAutoscaler",
                "name": props.name,
            },
            "progressDeadlineSeconds": PROGRESS_DEADLINE_SECONDS,
            "service": _service(
                props, gateway=gateway, hosts=operator_hosts if props.operator_routes else hosts, port=port
            ),
            "skipAnalysis": False,
            "analysis": {
                **analysis,
                "webhooks": load_test_webhooks(props, namespace=namespace, port=port, url=load_tester),
            },
        },
    }


def slack_provider(
    namespace: str, secret_name: str = SLACK_SECRET, *, channel: str = DEFAULT_CHANNEL
) -> dict[str, Any]:
    """AlertProvider ``slack`` in ``namespace``: posts as "flagger" to ``channel`` through the webhook in
    Secret ``secret_name`` (key ``address``, read in this namespace). One serves every Canary (they name it
    with its namespace). Slack's app webhooks post to the channel they were made for and ignore
    ``channel``."""
    return {
        "apiVersion": API_VERSION,
        "kind": "AlertProvider",
        "metadata": metadata(SLACK_PROVIDER, namespace),
        "spec": {
            "type": "slack",
            "channel": channel,
            "username": "flagger",
            "secretRef": {"name": secret_name},
        },
    }


def slack_webhook_secret(
    namespace: str, *, store: str, env: str, secret_name: str = SLACK_SECRET
) -> dict[str, Any]:
    """ExternalSecret filling Secret ``secret_name`` (key ``address``) from Secrets Manager secret
    ``<env>/delivery/slack`` (property ``webhook_url``) through ClusterSecretStore ``store``."""
    keys = {"address": (f"{env}/{SLACK_PATH}", "webhook_url")}
    return external_secret(secret_name, namespace, store=store, keys=keys)

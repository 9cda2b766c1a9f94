"""The release path's hops: analysis traffic (the load tester's webhooks, allowed by every policy on the
way), metric queries that select what Istio emits, and the HPA and PDB following Flagger's ``-primary``."""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import urlsplit

from tools.charts.pod_security import enforced_level, pod_annotations, pod_spec, violations
from tools.paths import chart_objects
from tools.paths.mesh_rules import Pods, matches, release_pods
from tools.paths.model import Hop, hop
from tools.paths.view import EnvView, Obj, Release

NO_VALUE: Final = "NaN"
# Istio's standard metrics and their labels (istio.io "Istio Standard Metrics"; istio/proxy istio_stats.cc).
ISTIO_METRICS: Final = frozenset(
    {
        "istio_requests_total",
        "istio_request_duration_milliseconds_bucket",
        "istio_request_duration_milliseconds_sum",
        "istio_request_duration_milliseconds_count",
        "istio_request_bytes_bucket",
        "istio_response_bytes_bucket",
    }
)
ISTIO_LABELS: Final = frozenset(
    {
        "reporter",
        "source_workload",
        "source_workload_namespace",
        "source_principal",
        "source_app",
        "source_version",
        "source_canonical_service",
        "source_canonical_revision",
        "source_cluster",
        "destination_workload",
        "destination_workload_namespace",
        "destination_principal",
        "destination_app",
        "destination_version",
        "destination_service",
        "destination_service_name",
        "destination_service_namespace",
        "destination_canonical_service",
        "destination_canonical_revision",
        "destination_cluster",
        "request_protocol",
        "response_flags",
        "connection_security_policy",
        "response_code",
        "grpc_response_status",
        "le",
    }
)
LOAD_COMMAND: Final = re.compile(r"^hey\b.*\s(?P<url>http://\S+)$")


def chart_pods(view: EnvView, release: Release) -> Pods:
    """The pods ``release``'s workload runs, as its chart renders them (no pods: nothing to match)."""
    return release_pods(view, release) or Pods(release.namespace, {}, "")


def flagger_pods(view: EnvView) -> Pods | None:
    """Flagger's pods, as its chart renders them."""
    return next((chart_pods(view, release) for release in view.release("flagger")), None)


def _seconds(duration: str) -> int:
    """A Go/Flagger duration of one unit ("285s", "5m", "1h") in seconds."""
    value, unit = int(duration[:-1]), duration[-1]
    return value * {"s": 1, "m": 60, "h": 3600}[unit]


def _load(webhook: dict[str, Any]) -> str | None:
    """The ``hey`` command of a background load task (type ``cmd``, the default): a ``bash`` task would
    block the webhook call for the whole run and time out (pkg/loadtester/server.go)."""
    metadata = webhook.get("metadata", {})
    command = str(metadata.get("cmd", ""))
    return command if metadata.get("type", "cmd") == "cmd" and LOAD_COMMAND.match(command) else None


def analysis_traffic(view: EnvView, canary: Obj) -> Hop:
    """Flagger counts a metric query without a value as a failed check ("no values found",
    pkg/metrics/providers/prometheus.go; the scheduler then rolls back at the threshold). A window passes
    idle only where the templates' idle variable gives a value. Otherwise every window checked must hold
    load: Flagger runs pre-rollout hooks on the first tick only and, on each later tick, the rollout hooks
    and then the query over the window just past (pkg/controller/scheduler.go, runAnalysis); so a
    background load must start before the rollout (the first window) and run on every tick, each run
    shorter than the interval (a run still going when the next call comes is skipped,
    pkg/loadtester/runner.go)."""
    analysis = canary.body["spec"]["analysis"]
    idle = {m.get("templateVariables", {}).get("idle", NO_VALUE) for m in analysis.get("metrics", [])}
    hooks = analysis.get("webhooks", [])
    rollout = [w for w in hooks if w.get("type", "rollout") == "rollout" and _load(w)]
    first = [w for w in hooks if w.get("type") == "pre-rollout" and _load(w)]
    checks = [
        w for w in hooks if w.get("type") == "pre-rollout" and w.get("metadata", {}).get("type") == "bash"
    ]
    if not rollout:
        return hop(
            "analysis traffic",
            NO_VALUE not in idle,
            f"{canary}: no load webhook; idle windows give {sorted(idle)}"
            + ("" if NO_VALUE not in idle else " (a failed check)"),
        )
    command = str(_load(rollout[0]))
    duration = re.search(r"-z (\d+[smh])", command)
    interval = _seconds(str(analysis.get("interval", "1m")))
    short = duration is not None and _seconds(duration.group(1)) < interval
    ok = short and bool(first) and bool(checks)
    return hop(
        "analysis traffic",
        ok,
        f"{canary}: load {command!r} (run {duration.group(1) if duration else '?'}, interval {interval} s), "
        f"from the first window {bool(first)}, acceptance check {bool(checks)}",
        found=rollout[0],
    )


def webhook_target(view: EnvView, canary: Obj, webhook: dict[str, Any]) -> Hop:
    """The webhook's URL is a Service a load tester release renders (``<name>.<namespace>``, on one of its
    ports) whose pods listen on 8080 (the load tester's own port, pkg/loadtester/server.go), and the load
    tester runs commands for the Canary's namespace (``cmd.namespaceRegexp``, empty for any:
    pkg/loadtester/authorizer.go; anything else is answered 403)."""
    url = urlsplit(webhook["url"])
    host = url.hostname or ""
    for release in view.release("loadtester"):
        for service in view.installed(release, "Service"):
            if host not in (
                f"{service.name}.{service.namespace}",
                f"{service.name}.{service.namespace}.svc.cluster.local",
            ):
                continue
            target = chart_objects.target_port(service, url.port or 80, chart_objects.workload(view, release))
            pattern = str(release.values.get("cmd", {}).get("namespaceRegexp", ""))
            admitted = not pattern or re.search(pattern, canary.namespace) is not None
            return hop(
                "load tester",
                admitted and target == 8080,
                f"{webhook['url']} -> {release.address} renders Service {service.namespace}/{service.name}:"
                f"{url.port or 80} -> {target}; runs commands for {pattern or 'any namespace'}",
                found=release,
            )
    return hop("load tester", False, f"{webhook['url']}: no loadtester release renders that Service")


def flagger_reaches_load_tester(view: EnvView, release: Release) -> Hop:
    """Flagger, outside the mesh, calls the webhook in plain HTTP: the load tester's NetworkPolicies must
    admit Flagger's pod on 8080, and its sidecar must not capture that port (STRICT mTLS would refuse plain
    text; ``traffic.sidecar.istio.io/excludeInboundPorts``), unless its namespace is outside the mesh."""
    from tools.paths.mesh_rules import namespace_labels, network_ingress

    flagger = flagger_pods(view)
    if flagger is None:
        return hop("flagger to load tester", False, "no Flagger release")
    pods = chart_objects.workload(view, release)
    annotations = chart_objects.pod_annotations(pods) if pods else {}
    excluded = annotations.get("traffic.sidecar.istio.io/excludeInboundPorts", "").split(",")
    meshed = namespace_labels(view, release.namespace).get("istio-injection") == "enabled"
    network = network_ingress(view, flagger, release.namespace, chart_pods(view, release).labels, 8080)
    ok = network.status == "ok" and (not meshed or "8080" in [p.strip() for p in excluded])
    return hop(
        "flagger to load tester",
        ok,
        f"{network.evidence}; sidecar {'skips' if '8080' in excluded else 'captures'} 8080 "
        f"({'meshed' if meshed else 'not meshed'})",
    )


def load_target(webhook: dict[str, Any]) -> tuple[str, int, str, str]:
    """(host, port, path, method) the load command requests (``hey``'s ``-m``, GET by default)."""
    command = webhook["metadata"]["cmd"]
    match = LOAD_COMMAND.match(command)
    assert match is not None
    url = urlsplit(match.group("url"))
    method = re.search(r"-m (\w+)", command)
    return url.hostname or "", url.port or 80, url.path or "/", method.group(1) if method else "GET"


def load_tester_pod(view: EnvView, release: Release) -> Hop:
    """The load tester's pod is admitted and in the mesh: its namespace injects the sidecar (its requests
    then carry its identity, which STRICT mTLS and the services' policies require), and its rendered pod
    meets the Pod Security level the namespace enforces (``tools/charts/pod_security.py``)."""
    from tools.paths.mesh_rules import namespace_labels

    labels = namespace_labels(view, release.namespace)
    meshed = labels.get("istio-injection") == "enabled"
    level = enforced_level(labels)
    pods = chart_objects.workload(view, release)
    refused = (
        violations(pod_spec(pods.body) or {}, level, pod_annotations(pods.body)) if pods else ["no pods"]
    )
    return hop(
        "load tester pod",
        meshed and not refused,
        f"{release.namespace}: sidecar {'injected' if meshed else 'missing'}, enforces {level}; rendered "
        f"{pods}: {'admitted' if not refused else 'refused: ' + '; '.join(refused)}",
    )


def metric_labels(view: EnvView, canary: Obj) -> Hop:
    """Each check's query (its MetricTemplate) reads Istio's standard metrics and selects on labels Istio
    emits on them; ``destination_workload`` is the canary Deployment's name, which ``{{ target }}`` fills."""
    problems = []
    for metric in canary.body["spec"]["analysis"].get("metrics", []):
        ref = metric.get("templateRef")
        if not ref:
            continue
        templates = [
            t
            for t in view.kind("MetricTemplate", ref.get("namespace", canary.namespace))
            if t.name == ref["name"]
        ]
        if not templates:
            problems.append(f"{ref['name']}: no MetricTemplate")
            continue
        query = templates[0].body["spec"]["query"]
        metrics = set(re.findall(r"\b(istio_[a-z_]+)\{", query))
        labels = set(re.findall(r"([a-z_]+)\s*=~?\s*\"", query))
        unknown = (metrics - ISTIO_METRICS) | (labels - ISTIO_LABELS)
        if not metrics or unknown or "{{ target }}" not in query:
            problems.append(f"{ref['name']}: metrics {sorted(metrics)}, unknown {sorted(unknown)}")
    return hop(
        "metric labels",
        not problems,
        "; ".join(problems) or f"{canary}: Istio's metrics and labels, workload {{{{ target }}}}",
    )


def follows_primary(view: EnvView, canary: Obj) -> Hop:
    """Flagger copies the target Deployment to ``<name>-primary`` with its selector label's value suffixed
    ``-primary``, and the ``autoscalerRef`` HPA to ``<name>-primary`` (docs: "How it works"); so the HPA
    must target the Deployment, and a PDB must select both label values (Flagger copies no PDB)."""
    spec = canary.body["spec"]
    target = spec["targetRef"]["name"]
    hpas = [
        h
        for h in view.kind("HorizontalPodAutoscaler", canary.namespace)
        if h.name == spec.get("autoscalerRef", {}).get("name")
    ]
    hpa_ok = bool(hpas) and hpas[0].body["spec"]["scale_target_ref"]["name"] == target
    deployments = [d for d in view.kind("Deployment", canary.namespace) if d.name == target]
    selector = deployments[0].body["spec"]["selector"]["match_labels"] if deployments else {}
    covered = []
    for pdb in view.kind("PodDisruptionBudget", canary.namespace):
        pdb_selector = pdb.body["spec"]["selector"]
        for labels in (selector, {k: f"{v}-primary" for k, v in selector.items()}):
            if matches(pdb_selector.get("match_labels", {}), labels) and all(
                labels.get(e["key"]) in e["values"]
                for e in pdb_selector.get("match_expressions", [])
                if e["operator"] == "In"
            ):
                covered.append(labels)
    ok = hpa_ok and len(covered) == 2
    return hop(
        "primary copies", ok, f"HPA {[h.name for h in hpas]} -> {target}: {hpa_ok}; PDB covers {covered}"
    )

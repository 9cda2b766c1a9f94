"""The names, labels, ports and accounts the stacks and the path proofs take from the charts are read from
what the charts render: a chart value that renames one fails a check (or a proof, at the hop that uses
it), naming the release and the object."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import environments
from policy.chart_values import ISTIO_DEFAULTS_KEY, load_chart
from tools.charts import environment
from tools.charts.checks import every_object
from tools.charts.render import Manifest, ReleaseInput
from tools.charts.vendor import pinned_version as pinned
from tools.paths.__main__ import declared
from tools.paths.proofs import prove
from tools.paths.view import EnvView, Synth

ENV = next(env for env in environments.ALL if env.standby is None and env.deletion_protection)


def with_values(synth: Synth, chart: str, change: Callable[[dict[str, Any]], None]) -> EnvView:
    """``ENV`` with the values of its ``chart`` release changed (as a values override would)."""
    stacks = copy.deepcopy(dict(synth.stacks))
    for stack in stacks:
        if stack.startswith(f"{ENV.name}-"):
            for release in stacks[stack].get("resource", {}).get("helm_release", {}).values():
                if release["chart"] == chart:
                    values = json.loads(release["values"][0])
                    change(values)
                    release["values"] = [json.dumps(values, sort_keys=True)]
    return EnvView(Synth(stacks), ENV.name)


def with_object(view: EnvView, kind: str, name: str, change: Callable[[dict[str, Any]], None]) -> EnvView:
    """``view`` whose rendered ``kind`` ``name`` is changed (what a chart upgrade could render)."""
    rendered: dict[ReleaseInput, tuple[Manifest, ...]] = {}
    for release, manifests in view.rendered.items():
        changed = []
        for m in manifests:
            if (m.kind, m.name) == (kind, name):
                body = copy.deepcopy(dict(m.body))
                change(body)
                m = Manifest(m.template, body, m.namespace)
            changed.append(m)
        rendered[release] = tuple(changed)
    copied = EnvView(view.synth, view.env)
    copied.__dict__.update(releases=view.releases, rendered=rendered)
    return copied


def first_broken(view: EnvView) -> list[str]:
    return sorted({f"{w.broken.name}: {w.broken.evidence}" for w in prove(view, declared(ENV)) if w.broken})


def test_a_renamed_service_port_breaks_the_monitor_that_scrapes_it(synth: Synth) -> None:
    view = with_object(EnvView(synth, ENV.name), "Service", "istiod", lambda b: [
        p.update(name="monitoring") for p in b["spec"]["ports"] if p["name"] == "http-monitoring"
    ])  # fmt: skip
    (problem,) = environment.reference_problems(view)
    assert "ServiceMonitor monitoring/istiod scrapes port(s) ['http-monitoring']" in problem
    assert "helm_release.istio_istiod" in problem and "Service istio-system/istiod" in problem


def test_a_renumbered_webhook_service_port_is_named(synth: Synth) -> None:
    view = with_object(EnvView(synth, ENV.name), "Service", "cert-manager-webhook", lambda b: [
        p.update(port=8443) for p in b["spec"]["ports"]
    ])  # fmt: skip
    problems = environment.reference_problems(view)
    assert problems and all("webhook Service cert-manager/cert-manager-webhook:443: its ports are [8443]" in p
                            for p in problems)  # fmt: skip
    kinds = {p.split(": ")[1].split(" (")[0].split()[0] for p in problems}
    assert kinds == {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}


def test_a_renamed_service_account_leaves_its_irsa_role_trusting_nobody(synth: Synth) -> None:
    view = with_values(
        synth, "aws-load-balancer-controller", lambda v: v["serviceAccount"].update(name="alb")
    )
    role = f"{ENV.name}-foundation:aws_iam_role.load_balancer_controller_role_68D69595"
    trusting, annotated = environment.reference_problems(view)
    assert trusting == f"{role}: trusts kube-system/aws-load-balancer-controller, which no chart or stack creates"
    assert annotated.endswith(f"ServiceAccount kube-system/alb (aws-load-balancer-controller/templates/"
                              f"serviceaccount.yaml): role {role} does not trust kube-system/alb")  # fmt: skip


def test_a_relabelled_load_tester_leaves_the_services_network_policies_selecting_nothing(
    synth: Synth,
) -> None:
    view = with_values(synth, "loadtester", lambda v: v.update(nameOverride="tester"))
    problems = environment.reference_problems(view)
    assert problems and all("NetworkPolicy peer loadtester {'app': 'loadtester'} selects no pods" in p
                            for p in problems)  # fmt: skip
    # and the release proof fails where the load tester's traffic meets them
    assert any(line.startswith("network ingress:") for line in first_broken(view))


def test_a_renumbered_gateway_status_port_fails_the_request_proof_at_the_health_check(synth: Synth) -> None:
    defaults = load_chart("gateway", pinned("gateway")).values[ISTIO_DEFAULTS_KEY]["service"]["ports"]

    def renumber(values: dict[str, Any]) -> None:
        values["service"]["ports"] = [dict(p, port=15022) if p["port"] == 15021 else p for p in defaults]

    view = with_values(synth, "gateway", renumber)
    broken = first_broken(view)
    assert broken and all(line.startswith("health check: HTTP:15021/healthz/ready; ") for line in broken)
    assert all(
        "renders Service istio-ingress/istio-ingressgateway: port 15021 -> None" in line for line in broken
    )


def test_the_proofs_read_the_gateway_pods_as_rendered(synth: Synth) -> None:
    view = EnvView(synth, ENV.name)
    (release,) = [r for r in view.rendered if r.chart == "gateway"]
    (deployment,) = [m for r, m in every_object(view.rendered) if r is release and m.kind == "Deployment"]
    labels = deployment.body["spec"]["template"]["metadata"]["labels"]
    view = with_object(view, "Deployment", deployment.name,
                       lambda b: b["spec"]["template"]["metadata"]["labels"].pop("istio"))  # fmt: skip
    assert "istio" in labels
    assert any(line.startswith("network ingress:") or line.startswith("gateway server:")
               for line in first_broken(view))  # fmt: skip


def test_prometheus_ignoring_monitors_without_its_release_label_is_named(synth: Synth) -> None:
    """With the chart's default ``serviceMonitorSelectorNilUsesHelmValues``, Prometheus picks only monitors
    labelled with its release: every other chart's and the stacks' go unscraped."""
    view = with_values(synth, "kube-prometheus-stack",
                       lambda v: v["prometheus"]["prometheusSpec"].update(serviceMonitorSelectorNilUsesHelmValues=True))  # fmt: skip
    problems = environment.reference_problems(view)
    assert any("ServiceMonitor monitoring/istiod: no Prometheus selects it" in p for p in problems)
    assert any("(alloy 1.11.1): ServiceMonitor monitoring/alloy" in p for p in problems)


def test_a_service_whose_pods_lost_its_label_selects_nothing(synth: Synth) -> None:
    view = with_object(EnvView(synth, ENV.name), "Deployment", "metrics-server",
                       lambda b: b["spec"]["template"]["metadata"]["labels"].clear())  # fmt: skip
    problems = environment.reference_problems(view)
    assert any("Service kube-system/metrics-server (metrics-server/templates/service.yaml): selects no pods" in p
               for p in problems)  # fmt: skip


def test_pods_running_as_an_account_nothing_creates_are_named(synth: Synth) -> None:
    view = with_object(EnvView(synth, ENV.name), "Deployment", "flagger",
                       lambda b: b["spec"]["template"]["spec"].update(serviceAccountName="flagger-old"))  # fmt: skip
    (problem,) = environment.reference_problems(view)
    assert problem.endswith("Deployment istio-system/flagger (flagger/templates/deployment.yaml): runs as "
                            "istio-system/flagger-old, which nothing creates")  # fmt: skip


def test_an_account_annotated_with_a_role_that_does_not_trust_it_is_named(synth: Synth) -> None:
    other = f"{ENV.name}-foundation:aws_iam_role.velero_role_DABF94AA.arn"
    view = with_values(synth, "aws-load-balancer-controller",
                       lambda v: v["serviceAccount"]["annotations"].update({"eks.amazonaws.com/role-arn": other}))  # fmt: skip
    (problem,) = environment.reference_problems(view)
    assert "ServiceAccount kube-system/aws-load-balancer-controller" in problem
    assert problem.endswith(
        f"role {ENV.name}-foundation:aws_iam_role.velero_role_DABF94AA does not trust "
        "kube-system/aws-load-balancer-controller"
    )


def test_a_custom_resource_no_chart_serves_is_named(synth: Synth) -> None:
    view = with_values(synth, "external-secrets", lambda v: v.update(installCRDs=False))
    problems = environment.reference_problems(view)
    assert problems and all(": no chart installs a CRD serving it" in p or "ExternalSecret" in p for p in problems)
    assert any(f"{ENV.name}-apps:kubernetes_manifest." in p and "ExternalSecret external-secrets.io/v1" in p
               for p in problems)  # fmt: skip

"""What every release of every environment installs, rendered by Helm from the vendored charts: it renders,
the API server of the cluster's Kubernetes would accept every object (strict), every pod meets its
namespace's Pod Security level, the charts' and stacks' cross-references hold; and each kind of mistake is
caught naming the release and the object."""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import environments
from policy.chart_values import release_problems
from tools import platform_pods
from tools.charts import environment
from tools.charts.__main__ import main as render_main
from tools.charts.checks import pod_security_problems, request_problems, schema_problems
from tools.charts.kube_schema import CrdSchemas, schema_errors
from tools.charts.render import Manifest, ReleaseInput, RenderError, render_environment
from tools.paths.view import EnvView, Synth

ENVIRONMENTS = [env.name for env in environments.ALL]
# a serving production-tier environment, whatever the registry names it
REFERENCE = next(env.name for env in environments.ALL if env.tier == "production" and not env.standby)


@pytest.fixture(scope="session")
def views(synth: Synth) -> dict[str, EnvView]:
    """One view per environment; rendering is shared by every view of the session (tools/charts/render)."""
    return {name: EnvView(synth, name) for name in ENVIRONMENTS}


def helm_releases(synth: Synth, env: str) -> dict[str, dict[str, Any]]:
    return {
        f"{stack}:helm_release.{key}": release
        for stack in synth.stacks
        if stack.startswith(f"{env}-")
        for key, release in synth.resources(stack, "helm_release").items()
    }


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_release_renders_what_it_installs(views: dict[str, EnvView], synth: Synth, env: str) -> None:
    rendered = views[env].rendered
    assert sorted(r.address for r in rendered) == sorted(helm_releases(synth, env))
    assert all(rendered.values()), [r.address for r, objects in rendered.items() if not objects]
    assert views[env].kubernetes_version == "1.35"


def test_release_names_are_unique_per_stack_so_each_gets_its_own_file(synth: Synth) -> None:
    """``bin/dev render`` writes ``<stack>/<release name>.yaml``."""
    for stack in synth.stacks:
        names = [r["name"] for r in synth.resources(stack, "helm_release").values()]
        assert len(names) == len(set(names)), stack


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_rendered_object_passes_every_check(views: dict[str, EnvView], env: str) -> None:
    assert environment.problems(views[env]) == []


def one(
    view: EnvView, chart: str, kind: str, namespace_level: str | None = None
) -> tuple[ReleaseInput, Manifest]:
    levels = {name: labels.get("pod-security.kubernetes.io/enforce") for name, labels in
              environment.namespace_labels(view).items()}  # fmt: skip
    for release, manifests in view.rendered.items():
        for manifest in manifests:
            if (
                release.chart == chart
                and manifest.kind == kind
                and (namespace_level is None or levels.get(manifest.namespace) == namespace_level)
            ):
                return release, manifest
    raise AssertionError(f"no {kind} from {chart}")


def with_object(
    view: EnvView, release: ReleaseInput, changed: Manifest
) -> dict[ReleaseInput, tuple[Manifest, ...]]:
    """The environment's rendered objects with one object of ``release`` replaced by ``changed``."""
    return {
        r: tuple(changed if (m.kind, m.namespace, m.name) == (changed.kind, changed.namespace, changed.name)
                 and r is release else m for m in manifests)
        for r, manifests in view.rendered.items()
    }  # fmt: skip


def mutated(manifest: Manifest, change: Callable[[dict[str, Any]], None]) -> Manifest:
    body = copy.deepcopy(dict(manifest.body))
    change(body)
    return Manifest(manifest.template, body, manifest.namespace)


def test_an_unknown_field_is_refused_naming_the_release_and_object(views: dict[str, EnvView]) -> None:
    view = views[REFERENCE]
    release, deployment = one(view, "cert-manager", "Deployment")
    broken = mutated(
        deployment, lambda b: b["spec"]["template"]["spec"]["containers"][0].update(imagePullPolicyy="Always")
    )
    (problem,) = schema_problems(with_object(view, release, broken), "1.35")
    assert problem.startswith(f"{release.label}: {deployment} (")
    assert "'imagePullPolicyy' was unexpected" in problem


def test_a_custom_resource_is_checked_against_the_crd_its_chart_renders(views: dict[str, EnvView]) -> None:
    view = views[REFERENCE]
    release, monitor = one(view, "kube-prometheus-stack", "Prometheus")
    broken = mutated(monitor, lambda b: b["spec"].update(retentionn="1d"))
    (problem,) = schema_problems(with_object(view, release, broken), "1.35")
    assert f"{release.label}: {monitor}" in problem and "'retentionn' was unexpected" in problem


def test_restricted_namespaces_refuse_a_privileged_container(views: dict[str, EnvView]) -> None:
    view = views[REFERENCE]
    labels = environment.namespace_labels(view)
    release, deployment = one(view, "external-secrets", "Deployment", namespace_level="restricted")
    assert pod_security_problems(view.rendered, labels) == []
    broken = mutated(
        deployment,
        lambda b: b["spec"]["template"]["spec"]["containers"][0]["securityContext"].update(privileged=True),
    )
    problems = pod_security_problems(with_object(view, release, broken), labels)
    assert problems == [f"{release.label}: {deployment} ({deployment.template}): restricted: privileged: "
                        f"containers[{broken.body['spec']['template']['spec']['containers'][0]['name']}]"
                        ".securityContext.privileged"]  # fmt: skip


def test_baseline_namespaces_refuse_host_namespaces_and_admit_what_restricted_would_not(
    views: dict[str, EnvView],
) -> None:
    view = views[REFERENCE]
    labels = environment.namespace_labels(view)
    release, gateway = one(view, "gateway", "Deployment", namespace_level="baseline")
    # the gateway's pods run as the proxy's own user; "baseline" admits them whatever restricted would say
    loosened = mutated(gateway, lambda b: b["spec"]["template"]["spec"].pop("securityContext", None))
    assert pod_security_problems(with_object(view, release, loosened), labels) == []
    broken = mutated(gateway, lambda b: b["spec"]["template"]["spec"].update(hostNetwork=True))
    (problem,) = pod_security_problems(with_object(view, release, broken), labels)
    assert (
        problem == f"{release.label}: {gateway} ({gateway.template}): baseline: host_namespaces: hostNetwork"
    )


def test_privileged_namespaces_hold_only_the_node_agents_that_need_the_host(
    views: dict[str, EnvView],
) -> None:
    """A namespace enforcing "privileged" admits anything, so what runs there is reviewed here: the only
    pods "baseline" would refuse are node agents that read or configure their host."""
    view = views[REFERENCE]
    labels = environment.namespace_labels(view)
    levels = {name: value.get("pod-security.kubernetes.io/enforce") for name, value in labels.items()}
    everywhere_baseline = {name: {"pod-security.kubernetes.io/enforce": "baseline"} for name in labels}
    refused = {
        problem.split(": ")[1] for problem in pod_security_problems(view.rendered, everywhere_baseline)
    }
    assert {name for name, level in levels.items() if level == "privileged"} == {"istio-cni", "monitoring"}
    assert {name.split(" (")[0] for name in refused} == {
        "DaemonSet monitoring/alloy",
        "DaemonSet istio-cni/istio-cni-node",
        "DaemonSet monitoring/kube-prometheus-stack-prometheus-node-exporter",
    }


def test_a_misspelt_value_the_charts_schema_allows_fails_a_rendered_object_check(
    views: dict[str, EnvView], synth: Synth
) -> None:
    """kube-prometheus-stack's ``prometheus.prometheusSpec.resources`` is free-form in its values (the
    values check accepts anything below it); the chart copies it into the Prometheus resource, whose CRD
    refuses the misspelt "requets"."""
    view = views[REFERENCE]
    release = next(r for r in view.rendered if r.chart == "kube-prometheus-stack")
    values = copy.deepcopy(dict(release.values))
    spec = values["prometheus"]["prometheusSpec"]
    spec["resources"] = {"requets" if k == "requests" else k: v for k, v in spec["resources"].items()}
    resource = dict(helm_releases(synth, REFERENCE)[release.address], values=[json.dumps(values)])
    assert release_problems(release.stack, resource) == []
    misspelt = ReleaseInput(
        **{**{f: getattr(release, f) for f in ReleaseInput.__dataclass_fields__}, "values": values}
    )
    others = [r for r in view.rendered if r is not release]
    rendered = render_environment([*others, misspelt], view.kubernetes_version)
    problems = [p for p in schema_problems(rendered, "1.35") if p.startswith(misspelt.label)]
    assert len(problems) == 1 and "Prometheus monitoring/kube-prometheus-stack-prometheus" in problems[0]
    assert "'requets' was unexpected" in problems[0]


def tiny_chart(root: Path, template: str) -> Path:
    """A chart ``tiny`` 0.1.0 under ``root`` (a charts folder) with one template."""
    folder = root / "tiny" / "0.1.0"
    (folder / "templates").mkdir(parents=True)
    (folder / "Chart.yaml").write_text("apiVersion: v2\nname: tiny\nversion: 0.1.0\n")
    (folder / "templates" / "config.yaml").write_text(template)
    return root


def tiny_release(values: dict[str, Any]) -> ReleaseInput:
    return ReleaseInput("dev-platform", "tiny", "tiny", "tools", "tiny", "0.1.0", values)


def test_templates_see_the_clusters_version_and_the_apis_its_charts_install(tmp_path: Path) -> None:
    charts = tiny_chart(tmp_path, (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: seen}\ndata:\n"
        "  version: {{ .Capabilities.KubeVersion.Version | quote }}\n"
        '  monitors: {{ .Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor" | quote }}\n'
        "{{- if .Values.crd }}\n---\n{{ .Values.crd | toYaml }}\n{{- end }}\n"
    ))  # fmt: skip
    spec = {"group": "monitoring.coreos.com", "scope": "Namespaced", "names": {"kind": "ServiceMonitor"},
            "versions": [{"name": "v1", "served": True}]}  # fmt: skip
    crd = {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
           "metadata": {"name": "servicemonitors.monitoring.coreos.com"}, "spec": spec}  # fmt: skip
    rendered = render_environment([tiny_release({}), tiny_release({"crd": crd})], "1.35", charts)
    seen = [m.body["data"] for manifests in rendered.values() for m in manifests if m.kind == "ConfigMap"]
    # the CRD another release of the environment installs is served to both
    assert seen == [{"version": "v1.35.0", "monitors": "true"}] * 2
    assert {m.namespace for ms in rendered.values() for m in ms} == {"tools", ""}  # CRDs take no namespace


def test_an_object_in_an_api_kubernetes_removed_is_refused() -> None:
    budget = {"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget", "metadata": {"name": "old"},
              "spec": {"minAvailable": 1}}  # fmt: skip
    assert schema_errors(budget, "1.35", CrdSchemas([])) == [
        "policy/v1beta1 PodDisruptionBudget is not served by Kubernetes 1.35"
    ]


def test_a_render_error_names_the_release_and_the_template(tmp_path: Path) -> None:
    charts = tiny_chart(tmp_path, '{{ required "endpoint is required" .Values.endpoint }}\n')
    with pytest.raises(RenderError) as error:
        render_environment([tiny_release({})], "1.35", charts)
    message = str(error.value)
    assert message.startswith("dev-platform:helm_release.tiny (tiny 0.1.0): ")
    assert "tiny/templates/config.yaml" in message and "endpoint is required" in message


@pytest.fixture(scope="module")
def outdir(tmp_path_factory: pytest.TempPathFactory, synth_dir: Path) -> Path:
    """A copy of the synthesis for the command to write into."""
    copy_dir = tmp_path_factory.mktemp("render") / "cdktf.out"
    shutil.copytree(synth_dir, copy_dir, ignore=shutil.ignore_patterns("checkov*"))
    return copy_dir


def test_bin_dev_render_writes_what_one_release_installs_and_sums_it_up(
    outdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CDKTF_OUTDIR", str(outdir))
    assert render_main(["production-platform", "istio-ingressgateway"]) == 0
    out = capsys.readouterr().out
    written = outdir / "rendered" / "production-platform" / "istio-ingressgateway.yaml"
    assert [p.name for p in (outdir / "rendered" / "production-platform").iterdir()] == [written.name]
    assert "# Source: gateway/templates/deployment.yaml\nkind: Deployment" in written.read_text().replace(
        "apiVersion: apps/v1\n", ""
    )
    assert "production-platform/istio-ingressgateway (gateway 1.30.3): 7 objects: Deployment 1," in out
    assert out.rstrip().endswith(f"1 releases, 7 objects → {outdir / 'rendered'}")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nowhere-platform"], "error: unknown stack 'nowhere-platform'; allowed: "),
        (
            ["production-platform", "nothing"],
            "error: no release 'nothing' in production-platform; allowed: alloy, ",
        ),
    ],
)
def test_bin_dev_render_refuses_an_unknown_stack_or_release_in_one_line(
    outdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.setenv("CDKTF_OUTDIR", str(outdir))
    assert render_main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1


def test_bin_dev_render_exits_1_naming_the_release_and_template_that_fail(
    tmp_path: Path, synth_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The load balancer controller's chart refuses to render without a cluster name (``required``)."""
    copied = tmp_path / "cdktf.out"
    shutil.copytree(synth_dir, copied, ignore=shutil.ignore_patterns("checkov*"))
    document = copied / "stacks" / "production-platform" / "cdk.tf.json"
    stack = json.loads(document.read_text())
    release = stack["resource"]["helm_release"]["aws_load_balancer_controller"]
    values = json.loads(release["values"][0])
    del values["clusterName"]
    release["values"] = [json.dumps(values)]
    document.write_text(json.dumps(stack))
    monkeypatch.setenv("CDKTF_OUTDIR", str(copied))
    assert render_main(["production-platform"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "render error: production-platform:helm_release.aws_load_balancer_controller "
        "(aws-load-balancer-controller 1.14.0): "
    )
    assert "aws-load-balancer-controller/templates/deployment.yaml" in err and err.count("\n") == 1


def test_a_container_without_requests_is_named(views: dict[str, EnvView]) -> None:
    """checkov reports nothing for a container whose ``resources`` is empty; this check does."""
    view = views[REFERENCE]
    release, deployment = one(view, "metrics-server", "Deployment")
    assert request_problems(view.rendered) == []
    broken = mutated(deployment, lambda b: b["spec"]["template"]["spec"]["containers"][0].update(resources={}))
    assert request_problems(with_object(view, release, broken)) == [
        f"{release.label}: {deployment} ({deployment.template}): containers[metrics-server] requests no cpu "
        "or memory"
    ]


def test_every_daemonset_the_charts_install_runs_on_the_spot_burst_nodes(views: dict[str, EnvView]) -> None:
    """The burst group's taint (eks.props.BURST_TAINT_KEY, NoSchedule) keeps the platform's Deployments off
    it, never its DaemonSets: the CNI, log and metrics agents run on every node. (The EKS add-ons' aws-node,
    kube-proxy and EBS CSI node tolerate every taint: their manifests' defaults.)"""
    daemonsets = [
        m for objects in views[REFERENCE].rendered.values() for m in objects if m.kind == "DaemonSet"
    ]
    assert {m.name for m in daemonsets} >= {"alloy", "istio-cni-node"}
    for manifest in daemonsets:
        tolerations = manifest.body["spec"]["template"]["spec"].get("tolerations", [])
        assert any(
            t.get("operator") == "Exists" and t.get("effect") in (None, "NoSchedule") and "key" not in t
            for t in tolerations
        ), manifest.name


@pytest.mark.parametrize("env", sorted(set(ENVIRONMENTS) & set(platform_pods.load())))
def test_the_platform_pods_the_estimate_counts_are_what_the_charts_render(
    views: dict[str, EnvView], env: str
) -> None:
    """pricing/platform_pods.json (the cost estimate's figure) against the charts rendered now: after a change
    of replicas or requests, `python -m tools.platform_pods` rewrites it."""
    rendered = platform_pods.requests(m.body for objects in views[env].rendered.values() for m in objects)
    assert platform_pods.load()[env] == rendered

"""Cross-references between what the charts render and what the stacks name: each check reads the chart-made
side from the rendered objects, so a values change or a chart upgrade that renames a Service, a port, a pod
label or a service account fails here, naming the object that refers to it.

- webhook services: every admission webhook and APIService a chart renders points at a Service it renders,
  on a port that Service has;
- monitors: every ServiceMonitor and PodMonitor (chart-made or the stacks') finds the Services or pods it
  selects, with the port it names;
- network peers: every pod selector in the stacks' NetworkPolicies selects pods some chart or stack runs;
- IRSA: every service account an IAM role trusts exists and runs pods;
- custom resources: every one the stacks create is of a kind and version a CRD the charts render serves.

Pods and Services no chart renders are taken from where they come from: the stacks' own Deployments; the
pods prometheus-operator makes for a ``Prometheus`` (its labels: pkg/prometheus/server/statefulset.go) and
the kubelet Service it keeps (``--kubelet-service``; pkg/kubelet/controller.go); the API server's own
``default/kubernetes`` Service; the labels Istio's injector adds to the pods it injects
(istio-discovery files/injection-template.yaml); and the EKS add-ons (``EKS_ADDON_PODSETS``: CoreDNS).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from tools.charts.checks import Rendered, every_object, located
from tools.charts.pod_security import pod_spec

NAMESPACE_LABEL: Final = "kubernetes.io/metadata.name"
# Pods of EKS managed add-ons (created by EKS in kube-system): CoreDNS's label and named ports, from the
# add-on's manifest (EKS_ADDON_PODSETS, below PodSet).

INJECTED_LABELS: Final = {"security.istio.io/tlsMode": "istio"}
API_SERVER_SERVICE: Final = {
    "kind": "Service",
    "metadata": {"namespace": "default", "name": "kubernetes",
                 "labels": {"component": "apiserver", "provider": "kubernetes"}},
    "spec": {"ports": [{"name": "https", "port": 443}]},
}  # fmt: skip
KUBELET_SERVICE_LABELS: Final = {
    "k8s-app": "kubelet", "app.kubernetes.io/name": "kubelet",
    "app.kubernetes.io/managed-by": "prometheus-operator",
}  # fmt: skip
KUBELET_PORTS: Final = ({"name": "https-metrics", "port": 10250}, {"name": "http-metrics", "port": 10255},
                        {"name": "cadvisor", "port": 4194})  # fmt: skip
MONITORS: Final = ("ServiceMonitor", "PodMonitor")
# Pods prometheus-operator runs for its custom resources, by the app name in their labels.
OPERATED: Final = {"Prometheus": "prometheus", "Alertmanager": "alertmanager"}
SUBJECT: Final = re.compile(r"system:serviceaccount:([a-z0-9-]+):([a-z0-9-]+)")


@dataclass(frozen=True, slots=True)
class PodSet:
    """Pods that will run: namespace, labels, service account, container port names, and who makes them."""

    namespace: str
    labels: Mapping[str, str]
    account: str
    ports: frozenset[str]
    origin: str


EKS_ADDON_PODSETS: Final = (
    PodSet("kube-system", {"k8s-app": "kube-dns"}, "coredns", frozenset({"dns", "dns-tcp", "metrics"}),
           "the EKS coredns add-on"),
)  # fmt: skip


def selects(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """A label selector's ``matchLabels`` and ``matchExpressions`` (In, NotIn, Exists, DoesNotExist)."""
    selector = selector or {}
    if any(labels.get(k) != str(v) for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or ():
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        if (
            (operator == "In" and labels.get(key) not in values)
            or (operator == "NotIn" and labels.get(key) in values)
            or (operator == "Exists" and key not in labels)
            or (operator == "DoesNotExist" and key in labels)
        ):
            return False
    return True


def labels_of(body: Mapping[str, Any]) -> dict[str, str]:
    """An object's metadata labels."""
    return {str(k): str(v) for k, v in ((body.get("metadata") or {}).get("labels") or {}).items()}


def chart_pods(rendered: Rendered) -> Iterator[PodSet]:
    for release, manifest in every_object(rendered):
        spec = pod_spec(manifest.body)
        if spec is not None:
            body_spec = manifest.body["spec"]
            template = body_spec.get("template") or body_spec["jobTemplate"]["spec"]["template"]
            declared = [p for c in spec.get("containers") or () for p in c.get("ports") or ()]
            ports = frozenset(str(p["name"]) for p in declared if "name" in p)
            account = str(spec.get("serviceAccountName") or "default")
            yield PodSet(manifest.namespace, labels_of(template), account, ports, located(release, manifest))
        elif manifest.kind in OPERATED:
            name, app = manifest.name, OPERATED[manifest.kind]
            labels = {
                "app.kubernetes.io/name": app, "app.kubernetes.io/instance": name,
                "app.kubernetes.io/managed-by": "prometheus-operator", "operator.prometheus.io/name": name,
                app: name, **labels_of(manifest.body["spec"].get("podMetadata") or {}),
            }  # fmt: skip
            account = str(manifest.body["spec"].get("serviceAccountName") or "default")
            origin = located(release, manifest)
            named = frozenset({"web", "reloader-web"})  # the server and its config-reloader sidecar
            yield PodSet(manifest.namespace, labels, account, named, origin)


def stack_pods(objects: Iterable[Any]) -> Iterator[PodSet]:
    """The stacks' own Deployments (``kubernetes_deployment_v1``, as the provider spells them)."""
    for obj in objects:
        if obj.kind != "Deployment":
            continue
        template = _block(_block(obj.body["spec"])["template"])
        spec = _block(template["spec"])
        labels = {str(k): str(v) for k, v in (_block(template["metadata"]).get("labels") or {}).items()}
        ports = frozenset(
            str(p["name"]) for c in spec.get("container") or () for p in c.get("port") or () if p.get("name")
        )
        yield PodSet(
            obj.namespace, labels, str(spec.get("service_account_name") or "default"), ports, obj.address
        )


def _block(node: Any) -> dict[str, Any]:
    """A provider block as written (a one-item list or a map)."""
    return dict(node[0] if isinstance(node, list) else node)


def injected(pods: Iterable[PodSet], namespace_labels: Mapping[str, Mapping[str, str]]) -> list[PodSet]:
    """``pods`` as they run: those Istio's injector takes (namespace ``istio-injection=enabled`` or pod label
    ``sidecar.istio.io/inject=true``, unless the pod opts out) carry the labels it adds."""
    found = []
    for pod in pods:
        namespace_on = (namespace_labels.get(pod.namespace) or {}).get("istio-injection") == "enabled"
        choice = pod.labels.get("sidecar.istio.io/inject")
        if choice == "true" or (namespace_on and choice != "false"):
            pod = PodSet(pod.namespace, {**pod.labels, **INJECTED_LABELS}, pod.account, pod.ports, pod.origin)
        found.append(pod)
    return found


def cluster_services(rendered: Rendered) -> list[Mapping[str, Any]]:
    """Services the cluster makes: the API server's, and the kubelet Service prometheus-operator keeps where
    its rendered ``--kubelet-service=<namespace>/<name>`` argument says."""
    made: list[Mapping[str, Any]] = [API_SERVER_SERVICE]
    for _, manifest in every_object(rendered):
        for container in (pod_spec(manifest.body) or {}).get("containers") or ():
            for argument in container.get("args") or ():
                if str(argument).startswith("--kubelet-service="):
                    namespace, name = str(argument).split("=", 1)[1].split("/")
                    made.append({
                        "kind": "Service",
                        "metadata": {"namespace": namespace, "name": name, "labels": KUBELET_SERVICE_LABELS},
                        "spec": {"ports": list(KUBELET_PORTS)},
                    })  # fmt: skip
    return made


def webhook_services(rendered: Rendered) -> list[str]:
    """Each webhook and APIService a chart renders names a rendered Service and one of its ports."""
    services = {
        (m.namespace, m.name): {int(p.get("port", 0)) for p in m.body.get("spec", {}).get("ports") or ()}
        for _, m in every_object(rendered)
        if m.kind == "Service"
    }
    problems = []
    for release, manifest in every_object(rendered):
        if manifest.kind in ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"):
            targets = [
                (w.get("clientConfig") or {}).get("service") for w in manifest.body.get("webhooks") or ()
            ]
        elif manifest.kind == "APIService":
            targets = [manifest.body.get("spec", {}).get("service")]
        else:
            continue
        for target in filter(None, targets):
            key, port = (target.get("namespace"), target.get("name")), int(target.get("port", 443))
            if port not in services.get(key, set()):
                found = "no such Service" if key not in services else f"its ports are {sorted(services[key])}"
                problems.append(
                    f"{located(release, manifest)}: webhook Service {key[0]}/{key[1]}:{port}: {found}"
                )
    return problems


def monitor_targets(
    rendered: Rendered, monitors: Iterable[tuple[str, Mapping[str, Any]]], pods: list[PodSet]
) -> list[str]:
    """Each ServiceMonitor finds a Service it selects (rendered, or made by the cluster) carrying every
    port it names; each PodMonitor with a selector finds pods with every port it names. ``monitors``: (who
    made it, body)."""
    services = [
        (m.namespace, m.body, located(r, m)) for r, m in every_object(rendered) if m.kind == "Service"
    ]
    services += [(str(s["metadata"]["namespace"]), s, "the cluster") for s in cluster_services(rendered)]
    targets: list[tuple[str, Mapping[str, str], frozenset[str], str]] = [
        (p.namespace, p.labels, p.ports, p.origin) for p in pods
    ]
    problems = []
    for origin, body in monitors:
        spec, namespace = body.get("spec", {}), str((body.get("metadata") or {}).get("namespace", ""))
        scope = spec.get("namespaceSelector") or {}
        everywhere = bool(scope.get("any"))
        names = set(scope.get("matchNames") or [namespace])
        if body.get("kind") == "ServiceMonitor":
            wanted = {str(e["port"]) for e in spec.get("endpoints") or () if "port" in e}
            candidates: list[tuple[str, Mapping[str, str], frozenset[str], str]] = [
                (ns, labels_of(s), frozenset(str(p.get("name")) for p in s["spec"].get("ports") or ()), who)
                for ns, s, who in services
            ]
        elif body.get("kind") == "PodMonitor" and spec.get("selector"):
            wanted = {str(e["port"]) for e in spec.get("podMetricsEndpoints") or () if "port" in e}
            candidates = targets
        else:
            continue
        chosen = [
            (ports, who)
            for ns, labels, ports, who in candidates
            if (everywhere or ns in names) and selects(spec.get("selector"), labels)
        ]
        offered = {port for ports, _ in chosen for port in ports}
        what = f"{origin}: {body['kind']} {namespace}/{body['metadata']['name']}"
        if not chosen:
            problems.append(f"{what} selects nothing rendered")
        elif wanted - offered:
            problems.append(
                f"{what} scrapes port(s) {sorted(wanted - offered)}; what it selects has {sorted(offered)}: "
                + "; ".join(sorted({who for _, who in chosen}))
            )
    return problems


def peers(spec: Mapping[str, Any]) -> Iterator[tuple[str | None, Mapping[str, Any]]]:
    """(namespace named by its metadata label, pod selector) of every peer with a pod selector in a stack's
    NetworkPolicy spec (the provider's spelling: ``ingress.from``, ``egress.to``, ``match_labels``)."""
    for rule in [*(spec.get("ingress") or ()), *(spec.get("egress") or ())]:
        for peer in [*(rule.get("from") or ()), *(rule.get("to") or ())]:
            pods = peer.get("pod_selector") or {}
            if pods.get("match_labels") or pods.get("match_expressions"):
                namespaces = (peer.get("namespace_selector") or {}).get("match_labels") or {}
                yield namespaces.get(NAMESPACE_LABEL), pods


def network_peers(policies: Iterable[Any], pods: list[PodSet]) -> list[str]:
    """Each pod selector in a stack's NetworkPolicy peers selects pods some chart, stack or EKS add-on runs
    (``pods``; in the namespace the peer names, else the policy's own). Selectors this check cannot evaluate
    (``match_expressions``) are reported, not passed."""
    known = [(p.namespace, p.labels) for p in pods]
    problems = set()
    for policy in policies:
        spec = _block(policy.body["spec"])
        for namespace, selector in peers(spec):
            where = namespace or policy.namespace
            if selector.get("match_expressions"):
                problems.add(f"{policy.address}: NetworkPolicy peer {where}: match_expressions are not checked")
                continue
            labels = selector.get("match_labels") or {}
            if not any(ns == where and selects({"matchLabels": labels}, have) for ns, have in known):
                problems.add(f"{policy.address}: NetworkPolicy peer {where} {dict(labels)} selects no pods")
        own = _block(spec.get("pod_selector") or {}).get("match_labels") or {}
        if own and not any(ns == policy.namespace and selects({"matchLabels": own}, h) for ns, h in known):
            problems.add(f"{policy.address}: NetworkPolicy {policy.name} selects no pods ({dict(own)})")
    return sorted(problems)


def irsa_accounts(
    trusts: Mapping[str, str], addon_roles: set[str], accounts: set[tuple[str, str]], pods: list[PodSet]
) -> list[str]:
    """Each IAM role's trusted ``system:serviceaccount:<namespace>:<name>`` exists and runs pods, except
    the accounts EKS add-ons create (their role is the add-on's ``service_account_role_arn``).
    ``trusts``: role address -> trust policy text."""
    problems = []
    running = {(p.namespace, p.account) for p in pods}
    for role, policy in trusts.items():
        if role in addon_roles:
            continue
        for namespace, name in SUBJECT.findall(policy):
            if (namespace, name) not in accounts:
                problems.append(f"{role}: trusts {namespace}/{name}, which no chart or stack creates")
            elif (namespace, name) not in running:
                problems.append(f"{role}: trusts {namespace}/{name}, which no pod runs as")
    return problems


def served_kinds(rendered: Rendered) -> set[tuple[str, str, str]]:
    """(group, version, kind) of every served version of the CRDs the charts render."""
    found = set()
    for _, manifest in every_object(rendered):
        if manifest.kind == "CustomResourceDefinition":
            spec = manifest.body["spec"]
            found |= {
                (spec["group"], version["name"], spec["names"]["kind"])
                for version in spec.get("versions") or ()
                if version.get("served", True)
            }
    return found


def custom_resources(objects: Iterable[Any], rendered: Rendered) -> list[str]:
    """Each custom resource a stack creates (``kubernetes_manifest``) is served by a CRD a chart installs."""
    served = served_kinds(rendered)
    problems = []
    for obj in objects:
        group, _, version = str(obj.body.get("apiVersion", "")).rpartition("/")
        if group and "." in group and (group, version, obj.kind) not in served:
            problems.append(f"{obj.address}: {obj.kind} {obj.body['apiVersion']}: no chart installs a CRD serving it")
    return problems

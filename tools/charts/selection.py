"""Cross-references that decide whether what the charts render actually runs and gets scraped: Prometheus
picks every monitor and rule up, every Service selects pods (and names only ports they name), every pod runs
as an account that exists, and every account annotated with an IAM role is one that role trusts. Problems
name the object that refers and what it misses."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from tools.charts.checks import Rendered, every_object, located
from tools.charts.references import NAMESPACE_LABEL, SUBJECT, PodSet, labels_of, selects

ROLE_ANNOTATION: Final = "eks.amazonaws.com/role-arn"
ROLE_REFERENCE: Final = re.compile(r"^([\w-]+):aws_iam_role\.([\w-]+)\.arn$")  # a rendered Terraform reference
SELECTOR_KEYS: Final = {"ServiceMonitor": "serviceMonitor", "PodMonitor": "podMonitor", "PrometheusRule": "rule"}
# Accounts a chart annotates with a role that need not trust them, each with its reason.
ANNOTATION_COPIES: Final = {
    # templates/upgrade-crds/serviceaccount-upgrade.yaml copies the server account's annotations; the Job only
    # applies Velero's CRDs with kubectl and never calls AWS, so the role refusing it is right
    ("velero", "velero-server-upgrade-crds"),
}


def prometheus_selects(
    rendered: Rendered,
    monitors: Iterable[tuple[str, Mapping[str, Any]]],
    namespace_labels: Mapping[str, Mapping[str, str]],
) -> list[str]:
    """Each monitor and rule is picked up by a Prometheus: its ``<kind>Selector`` (null selects nothing,
    empty everything) and ``<kind>NamespaceSelector`` (null: the Prometheus's own namespace) match it
    (prometheus-operator's Prometheus CRD)."""
    servers = [m for _, m in every_object(rendered) if m.kind == "Prometheus"]
    problems = []
    for origin, body in monitors:
        key = SELECTOR_KEYS.get(str(body.get("kind")))
        if key is None:
            continue
        namespace = str((body.get("metadata") or {}).get("namespace", ""))
        namespace_of = {**(namespace_labels.get(namespace) or {}), NAMESPACE_LABEL: namespace}
        picked = False
        for server in servers:
            spec = server.body.get("spec") or {}
            chosen = spec.get(f"{key}Selector")
            scope = spec.get(f"{key}NamespaceSelector")
            in_scope = namespace == server.namespace if scope is None else selects(scope, namespace_of)
            picked = picked or (chosen is not None and in_scope and selects(chosen, labels_of(body)))
        if not picked:
            name = (body.get("metadata") or {}).get("name")
            problems.append(f"{origin}: {body['kind']} {namespace}/{name}: no Prometheus selects it")
    return problems


def services_select_pods(rendered: Rendered, pods: list[PodSet]) -> list[str]:
    """Each rendered Service with a selector selects pods in its namespace, and each port it targets by name
    is one those pods name."""
    problems = []
    for release, service in every_object(rendered):
        spec = service.body.get("spec") or {}
        if service.kind != "Service" or not spec.get("selector"):
            continue
        chosen = [p for p in pods if p.namespace == service.namespace and selects({"matchLabels": spec["selector"]}, p.labels)]
        where = f"{located(release, service)}"
        if not chosen:
            problems.append(f"{where}: selects no pods ({spec['selector']})")
            continue
        # a numbered targetPort reaches the pods whatever they declare (containerPort is informational); a
        # named one must name a port the pods declare
        for port in spec.get("ports") or ():
            target = port.get("targetPort")
            if isinstance(target, str) and not target.isdigit() and not any(target in p.ports for p in chosen):
                problems.append(f"{where}: port {port.get('port')} targets {target!r}, which its pods do not name")
    return problems


def accounts_exist(pods: list[PodSet], accounts: set[tuple[str, str]]) -> list[str]:
    """Each pod runs as an account that exists (its namespace's ``default`` always does): a missing one
    means the pods are never created."""
    return [
        f"{pod.origin}: runs as {pod.namespace}/{pod.account}, which nothing creates"
        for pod in pods
        if pod.account != "default" and (pod.namespace, pod.account) not in accounts
    ]


def role_annotations(rendered: Rendered, trusts: Mapping[str, str]) -> list[str]:
    """Each rendered ServiceAccount annotated with an IAM role (IRSA) names a role whose trust policy names
    that account. ``trusts``: role address ("<stack>:aws_iam_role.<name>") -> trust policy text."""
    problems = []
    for release, account in every_object(rendered):
        annotations = (account.body.get("metadata") or {}).get("annotations") or {}
        if account.kind != "ServiceAccount" or ROLE_ANNOTATION not in annotations:
            continue
        if (account.namespace, account.name) in ANNOTATION_COPIES:
            continue
        match = ROLE_REFERENCE.match(str(annotations[ROLE_ANNOTATION]))
        role = f"{match.group(1)}:aws_iam_role.{match.group(2)}" if match else str(annotations[ROLE_ANNOTATION])
        subjects = set(SUBJECT.findall(trusts.get(role, "")))
        if (account.namespace, account.name) not in subjects:
            problems.append(
                f"{located(release, account)}: role {role} does not trust {account.namespace}/{account.name}"
            )
    return problems

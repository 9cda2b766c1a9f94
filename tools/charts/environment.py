"""Every rendered-object check of one environment, over its synthesized stacks and what its releases render:
strict schemas, Pod Security, and the cross-references between the charts and the stacks."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from tools.charts import references, selection
from tools.charts.checks import every_object, located, pod_security_problems, request_problems, schema_problems
from tools.paths.view import EnvView

ROLE: Final = re.compile(r"aws_iam_role\.([^.]+)\.arn")


def namespace_labels(view: EnvView) -> dict[str, Mapping[str, str]]:
    """The labels of every namespace the stacks create (where Pod Security levels and injection are set)."""
    return {o.name: dict((o.body.get("metadata") or {}).get("labels") or {}) for o in view.kind("Namespace")}


def pods(view: EnvView) -> list[references.PodSet]:
    """Every pod the environment runs (charts', operators', stacks', EKS add-ons'), with the labels injection
    adds."""
    found = [*references.chart_pods(view.rendered), *references.stack_pods(view.objects)]
    found += references.EKS_ADDON_PODSETS
    return references.injected(found, namespace_labels(view))


def reference_problems(view: EnvView) -> list[str]:
    rendered = view.rendered
    running = pods(view)
    selected = (*references.MONITORS, "PrometheusRule")
    found: list[tuple[str, Mapping[str, Any]]] = [
        (located(r, m), m.installed) for r, m in every_object(rendered) if m.kind in selected
    ]
    found += [(o.address, o.body) for o in view.objects if o.kind in selected]
    monitors = [(origin, body) for origin, body in found if body.get("kind") in references.MONITORS]
    foundation = view.stack("foundation")
    trusts = {
        f"{foundation}:aws_iam_role.{name}": str(role.get("assume_role_policy", ""))
        for name, role in view.resources("foundation", "aws_iam_role").items()
    }
    addon_roles = {
        f"{foundation}:aws_iam_role.{match.group(1)}"
        for addon in view.resources("foundation", "aws_eks_addon").values()
        if (match := ROLE.search(str(addon.get("service_account_role_arn", ""))))
    }
    accounts = {(m.namespace, m.name) for _, m in every_object(rendered) if m.kind == "ServiceAccount"}
    accounts |= {(o.namespace, o.name) for o in view.kind("ServiceAccount")}
    return [
        *references.webhook_services(rendered),
        *references.monitor_targets(rendered, monitors, running),
        *references.network_peers(view.kind("NetworkPolicy"), running),
        *references.irsa_accounts(trusts, addon_roles, accounts, running),
        *references.custom_resources((o for o in view.objects if "kubernetes_manifest" in o.address), rendered),
        *selection.prometheus_selects(rendered, found, namespace_labels(view)),
        *selection.services_select_pods(rendered, running),
        # every namespace has its "default" account, and EKS add-ons create their own
        *selection.accounts_exist(running, accounts | {(p.namespace, "default") for p in running}
                                  | {(p.namespace, p.account) for p in references.EKS_ADDON_PODSETS}),
        *selection.role_annotations(rendered, trusts),
    ]


def problems(view: EnvView) -> list[str]:
    """Every problem of what ``view``'s environment installs (empty: none)."""
    minor = ".".join(view.kubernetes_version.split(".")[:2])
    return [
        *schema_problems(view.rendered, minor),
        *pod_security_problems(view.rendered, namespace_labels(view)),
        *request_problems(view.rendered),
        *reference_problems(view),
    ]

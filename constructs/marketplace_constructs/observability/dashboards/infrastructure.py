"""Infrastructure: CPU, memory, disk and network of the cluster's nodes, per node group and per node, from
node-exporter, with each node's group from kube-state-metrics.

Joining the two. kube-prometheus-stack 88.5.3 scrapes node-exporter through a ServiceMonitor with no
relabelings (``prometheus-node-exporter.prometheus.monitor.relabelings: []``), so a node-exporter series names
its node only as ``instance="<node IP>:9100"``; the prometheus-operator adds the exporter pod's ``namespace``
and ``pod``. kube-state-metrics' ``kube_pod_info`` maps that pod to its ``node``, and ``kube_node_labels``
maps the node to its group. This is kube-prometheus' own join (its ``node_namespace_pod:kube_pod_info:``
rule), done inline so the dashboard needs no rule. ``node_uname_info{nodename}`` was not used: an instance's
host name need not be its Kubernetes node name (EC2 resource-name host names, custom AMIs).

``kube_node_labels`` carries a node label only when kube-state-metrics is allowed to export it: see
``KUBE_STATE_METRICS_NODE_LABELS``.
"""

from __future__ import annotations

from typing import Final

from marketplace_constructs.observability.alerts import NODE_FILESYSTEMS
from marketplace_constructs.observability.dashboards._grafana import (
    Dashboard,
    Panel,
    Query,
    Section,
    board,
    stat,
    table,
    timeseries,
    variable,
)

# The node labels the dashboard groups by. kube-state-metrics exports no Kubernetes label unless allow-listed;
# pass KUBE_STATE_METRICS_LABELS_ALLOWLIST as kube-prometheus-stack's
# ``kube-state-metrics.metricLabelsAllowlist``. It then exposes them on kube_node_labels as
# label_eks_amazonaws_com_nodegroup (the EKS managed node group) and label_workload_class (the project's own).
KUBE_STATE_METRICS_NODE_LABELS: Final = ("eks.amazonaws.com/nodegroup", "workload-class")
KUBE_STATE_METRICS_LABELS_ALLOWLIST: Final = (f"nodes=[{','.join(KUBE_STATE_METRICS_NODE_LABELS)}]",)
GROUP: Final = "label_eks_amazonaws_com_nodegroup"
CLASS: Final = "label_workload_class"
EXPORTER: Final = 'job="node-exporter"'  # the chart's jobLabel
IDLE: Final = 'mode="idle"'
# Interfaces left out: loopback (never leaves the node) and the host side of the pods' veth pairs (eni* under
# the VPC CNI), whose traffic the node's own interfaces (eth*, ens*) count already.
DEVICES: Final = 'device!~"lo|eni.+|veth.+"'
SELECTED_NODES: Final = f'kube_node_labels{{{GROUP}=~"$node_group", node=~"$node"}}'
NODE_OF_POD: Final = 'max by (namespace, pod, node) (kube_pod_info{node!=""})'
GROUP_OF_NODE: Final = f"max by (node, {GROUP}) ({SELECTED_NODES})"


def _on_nodes(expr: str) -> str:
    """``expr`` over node-exporter series, with ``node`` and the node group added; selected nodes only."""
    return (
        f"({expr}) * on (namespace, pod) group_left (node) {NODE_OF_POD} "
        f"* on (node) group_left ({GROUP}) {GROUP_OF_NODE}"
    )


def _series(metric: str, *matchers: str) -> str:
    return f"{metric}{{{', '.join((EXPORTER, *matchers))}}}"


def _rate(metric: str, *matchers: str) -> str:
    return f"rate({_series(metric, *matchers)}[$__rate_interval])"


def _resources(by: str, width: int) -> tuple[Panel, ...]:
    """CPU, memory, fullest filesystem and network, aggregated ``by`` a label (node or node group)."""
    legend = f"{{{{{by}}}}}"
    idle = _on_nodes(_rate("node_cpu_seconds_total", IDLE))
    available = _on_nodes(_series("node_memory_MemAvailable_bytes"))
    total = _on_nodes(_series("node_memory_MemTotal_bytes"))
    filesystems = (
        f"1 - {_series('node_filesystem_avail_bytes', NODE_FILESYSTEMS)} "
        f"/ {_series('node_filesystem_size_bytes', NODE_FILESYSTEMS)}"
    )
    return (
        timeseries("CPU used", "percentunit", Query(f"1 - avg by ({by}) ({idle})", legend), width=width),
        timeseries(
            "Memory used",
            "percentunit",
            Query(f"1 - sum by ({by}) ({available}) / sum by ({by}) ({total})", legend),
            width=width,
        ),
        timeseries(
            "Fullest filesystem",
            "percentunit",
            Query(f"max by ({by}) ({_on_nodes(filesystems)})", legend),
            description="The most used of the filesystems, as the NodeDiskUsageHigh alert measures them.",
            width=width,
        ),
        timeseries(
            "Network",
            "Bps",
            Query(
                f"sum by ({by}) ({_on_nodes(_rate('node_network_receive_bytes_total', DEVICES))})",
                f"{legend} received",
            ),
            Query(
                f"sum by ({by}) ({_on_nodes(_rate('node_network_transmit_bytes_total', DEVICES))})",
                f"{legend} sent",
            ),
            width=width,
        ),
    )


def _inventory() -> Section:
    return Section(
        "Inventory",
        (
            stat(
                "Nodes per node group",
                "short",
                Query(f"count by ({GROUP}) ({GROUP_OF_NODE})", f"{{{{{GROUP}}}}}"),
                width=8,
            ),
            table(
                "Nodes",
                Query(f"max by (node, {GROUP}, {CLASS}) ({SELECTED_NODES})"),
                description="Each node with its EKS node group and workload class.",
                width=16,
            ),
        ),
    )


def dashboard() -> Dashboard:
    """The Infrastructure dashboard, filtered by the ``node_group`` and ``node`` variables."""
    return board(
        folder="Infrastructure",
        uid="marketplace-infrastructure",
        title="Infrastructure",
        description="CPU, memory, disk and network of the cluster's nodes, per node group and per node.",
        variables=(
            variable("node_group", "Node group", "kube_node_labels", GROUP),
            variable("node", "Node", f'kube_node_labels{{{GROUP}=~"$node_group"}}', "node"),
        ),
        sections=(
            _inventory(),
            Section("Per node group", _resources(GROUP, 12)),
            Section("Per node", _resources("node", 12)),
        ),
    )

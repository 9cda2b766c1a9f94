"""Headroom: placeholder pods that hold node room for a spike, in the platform layer.

A PriorityClass below every workload (value -10, preemptionPolicy Never: they take no one's room) and, per
node group with headroom, a Deployment of pause containers pinned to that group. A real pod that finds no
room preempts placeholders at once (Kubernetes "Pod Priority and Preemption"), and the evicted placeholders,
pending, make the cluster autoscaler add nodes: -10 is the autoscaler's default expendable-pods cutoff, and
only pods below it are ignored (cluster-autoscaler FAQ, "How can I configure overprovisioning").
"""

from __future__ import annotations

from typing import Final

from cdktf_cdktf_provider_kubernetes import deployment_v1 as k8s
from cdktf_cdktf_provider_kubernetes.priority_class_v1 import PriorityClassV1, PriorityClassV1Metadata
from constructs import Construct

from marketplace_constructs.capacity.props import HeadroomConfig
from marketplace_constructs.eks.props import BURST_TAINT_KEY
from marketplace_constructs.workload.namespace import Namespace
from marketplace_constructs.workload.props import NamespaceProps

PRIORITY_CLASS: Final = "headroom"
PRIORITY: Final = -10
# registry.k8s.io/pause 3.10 by digest; "/pause -v" prints its version and exits 0, so the probes are real.
PAUSE_IMAGE: Final = (
    "registry.k8s.io/pause:3.10@sha256:ee6521f290b2168b6e0935a181d4cff9be1ac3f505666ef0e3c98fae8199917a"
)
NODE_LABEL: Final = "workload-class"  # the node groups' label (eks/)
GROUPS: Final = ("general", "compute", "memory")
Required = k8s.DeploymentV1SpecTemplateSpecAffinityNodeAffinityRequiredDuringSchedulingIgnoredDuringExecution
Term = k8s.DeploymentV1SpecTemplateSpecAffinityNodeAffinityRequiredDuringSchedulingIgnoredDuringExecutionNodeSelectorTerm  # noqa: E501
Match = k8s.DeploymentV1SpecTemplateSpecAffinityNodeAffinityRequiredDuringSchedulingIgnoredDuringExecutionNodeSelectorTermMatchExpressions  # noqa: E501


class Headroom(Construct):
    """Namespace ``headroom`` (restricted, outside the mesh), the PriorityClass and one placeholder
    Deployment per node group, of ``pods`` replicas (0 where a group keeps no headroom: the Deployment stays,
    ready to be sized). Placeholders tolerate their class's Spot burst taint (eks.props.BURST_TAINT_KEY), so
    they hold room on the base and the burst alike; any pod that takes a base node's room preempts them, and
    the autoscaler's priority expander adds the node they then need to the burst. A burst group at 0 nodes
    still scales for them: cluster-autoscaler (1.29 and later; the platform pins 1.35) builds its template
    node from EKS's DescribeNodegroup, labels and taints included (kubernetes/autoscaler,
    cloudprovider/aws/aws_manager.go buildNodeFromTemplate; its role may call eks:DescribeNodegroup,
    stacks/platform_roles.py)."""

    def __init__(self, scope: Construct, construct_id: str, *, headroom: HeadroomConfig) -> None:
        super().__init__(scope, construct_id)
        namespace = Namespace(self, "namespace", props=NamespaceProps(name="headroom", mesh_injection=False))
        priority = PriorityClassV1(
            self, "priority_class", metadata=PriorityClassV1Metadata(name=PRIORITY_CLASS), value=PRIORITY,
            global_default=False, preemption_policy="Never",
            description="Placeholder pods: any workload preempts them; they preempt no one",
        )  # fmt: skip
        for group in GROUPS:
            props = getattr(headroom, group)
            labels = {"app.kubernetes.io/name": f"headroom-{group}", "app.kubernetes.io/part-of": "headroom"}
            probe = ["/pause", "-v"]
            container = k8s.DeploymentV1SpecTemplateSpecContainer(
                name="pause", image=PAUSE_IMAGE, image_pull_policy="Always",
                resources=k8s.DeploymentV1SpecTemplateSpecContainerResources(
                    requests={"cpu": props.cpu, "memory": props.memory},
                    limits={"cpu": props.cpu, "memory": props.memory},
                ),
                liveness_probe=k8s.DeploymentV1SpecTemplateSpecContainerLivenessProbe(
                    exec=k8s.DeploymentV1SpecTemplateSpecContainerLivenessProbeExec(command=probe),
                    period_seconds=60,
                ),
                readiness_probe=k8s.DeploymentV1SpecTemplateSpecContainerReadinessProbe(
                    exec=k8s.DeploymentV1SpecTemplateSpecContainerReadinessProbeExec(command=probe),
                    period_seconds=60,
                ),
                security_context=k8s.DeploymentV1SpecTemplateSpecContainerSecurityContext(
                    allow_privilege_escalation=False, read_only_root_filesystem=True, run_as_non_root=True,
                    run_as_user="65535", run_as_group="65535",
                    capabilities=k8s.DeploymentV1SpecTemplateSpecContainerSecurityContextCapabilities(drop=["ALL"]),
                ),
            )  # fmt: skip
            term = Term(match_expressions=[Match(key=NODE_LABEL, operator="In", values=[group])])
            k8s.DeploymentV1(
                self, f"{group}_placeholders",
                metadata=k8s.DeploymentV1Metadata(
                    name=f"headroom-{group}", namespace=namespace.name, labels=labels
                ),
                spec=k8s.DeploymentV1Spec(
                    replicas=str(props.pods),
                    selector=k8s.DeploymentV1SpecSelector(match_labels=labels),
                    template=k8s.DeploymentV1SpecTemplate(
                        metadata=k8s.DeploymentV1SpecTemplateMetadata(labels=labels),
                        spec=k8s.DeploymentV1SpecTemplateSpec(
                            priority_class_name=priority.metadata.name,
                            automount_service_account_token=False,
                            termination_grace_period_seconds=0,  # preempted placeholders go at once
                            security_context=k8s.DeploymentV1SpecTemplateSpecSecurityContext(
                                seccomp_profile=k8s.DeploymentV1SpecTemplateSpecSecurityContextSeccompProfile(
                                    type="RuntimeDefault"
                                )
                            ),
                            affinity=k8s.DeploymentV1SpecTemplateSpecAffinity(
                                node_affinity=k8s.DeploymentV1SpecTemplateSpecAffinityNodeAffinity(
                                    required_during_scheduling_ignored_during_execution=Required(
                                        node_selector_term=[term]
                                    )
                                )
                            ),
                            container=[container],
                            toleration=[
                                k8s.DeploymentV1SpecTemplateSpecToleration(
                                    key=BURST_TAINT_KEY, operator="Equal", value=group, effect="NoSchedule"
                                )
                            ],
                        ),
                    ),
                ),
                wait_for_rollout=False,  # placeholders may wait for nodes; the apply must not
            )  # fmt: skip

"""A service's pod template: the restricted security profile, probes, resources, placement and shutdown."""

from __future__ import annotations

from typing import Final

from cdktf_cdktf_provider_kubernetes import deployment_v1 as k8s
from cdktf_cdktf_provider_kubernetes.deployment_v1 import (
    DeploymentV1SpecTemplate,
    DeploymentV1SpecTemplateMetadata,
    DeploymentV1SpecTemplateSpec,
    DeploymentV1SpecTemplateSpecAffinity,
    DeploymentV1SpecTemplateSpecAffinityNodeAffinity,
    DeploymentV1SpecTemplateSpecAffinityPodAntiAffinity,
    DeploymentV1SpecTemplateSpecContainer,
    DeploymentV1SpecTemplateSpecContainerLifecycle,
    DeploymentV1SpecTemplateSpecContainerLifecyclePreStop,
    DeploymentV1SpecTemplateSpecContainerLifecyclePreStopExec,
    DeploymentV1SpecTemplateSpecContainerLivenessProbe,
    DeploymentV1SpecTemplateSpecContainerLivenessProbeHttpGet,
    DeploymentV1SpecTemplateSpecContainerPort,
    DeploymentV1SpecTemplateSpecContainerReadinessProbe,
    DeploymentV1SpecTemplateSpecContainerReadinessProbeHttpGet,
    DeploymentV1SpecTemplateSpecContainerResources,
    DeploymentV1SpecTemplateSpecContainerSecurityContext,
    DeploymentV1SpecTemplateSpecContainerSecurityContextCapabilities,
    DeploymentV1SpecTemplateSpecContainerSecurityContextSeccompProfile,
    DeploymentV1SpecTemplateSpecContainerStartupProbe,
    DeploymentV1SpecTemplateSpecContainerStartupProbeHttpGet,
    DeploymentV1SpecTemplateSpecContainerVolumeMount,
    DeploymentV1SpecTemplateSpecSecurityContext,
    DeploymentV1SpecTemplateSpecSecurityContextSeccompProfile,
    DeploymentV1SpecTemplateSpecToleration,
    DeploymentV1SpecTemplateSpecTopologySpreadConstraint,
    DeploymentV1SpecTemplateSpecTopologySpreadConstraintLabelSelector,
    DeploymentV1SpecTemplateSpecVolume,
    DeploymentV1SpecTemplateSpecVolumeEmptyDir,
    DeploymentV1SpecTemplateSpecVolumeSecret,
)

from marketplace_constructs.eks.props import BURST_TAINT_KEY
from marketplace_constructs.mesh._render import zone_spread
from marketplace_constructs.workload.service_props import MicroserviceProps

# The provider names affinity classes after their full path, past the line length.
NodePreference = (
    k8s.DeploymentV1SpecTemplateSpecAffinityNodeAffinityPreferredDuringSchedulingIgnoredDuringExecution
)
NodeTerm = k8s.DeploymentV1SpecTemplateSpecAffinityNodeAffinityPreferredDuringSchedulingIgnoredDuringExecutionPreference  # noqa: E501
NodeExpression = k8s.DeploymentV1SpecTemplateSpecAffinityNodeAffinityPreferredDuringSchedulingIgnoredDuringExecutionPreferenceMatchExpressions  # noqa: E501
PodPreference = (
    k8s.DeploymentV1SpecTemplateSpecAffinityPodAntiAffinityPreferredDuringSchedulingIgnoredDuringExecution
)
PodTerm = k8s.DeploymentV1SpecTemplateSpecAffinityPodAntiAffinityPreferredDuringSchedulingIgnoredDuringExecutionPodAffinityTerm  # noqa: E501
PodTermSelector = k8s.DeploymentV1SpecTemplateSpecAffinityPodAntiAffinityPreferredDuringSchedulingIgnoredDuringExecutionPodAffinityTermLabelSelector  # noqa: E501

CAPACITY_TYPE_LABEL: Final = "eks.amazonaws.com/capacityType"  # EKS sets it on every managed node
RUN_AS: Final = 10001  # a UID/GID no image user or host account owns
METRICS_PATH: Final = "/metrics"
SECRETS_DIR: Final = "/var/run/secrets/app"  # the app secret's keys, one file each (read-only)
TMP_SIZE: Final = "256Mi"  # the only writable path; counts against the node's ephemeral storage
# Startup: 30 x 2 s = 60 s to boot before liveness takes over; then 3 misses (30 s) restart a hung process,
# and 3 misses (15 s) take a pod out of its Service's endpoints.
STARTUP: Final = (2, 30)  # (period seconds, failures)
LIVENESS: Final = (10, 3)
READINESS: Final = (5, 3)
PROBE_TIMEOUT_SECONDS: Final = 2
# preStop: keep serving while the endpoint removal reaches every caller's proxy and the gateway. The
# kubernetes provider 2.38 has no preStop ``sleep`` action (Kubernetes 1.30+), so the image must ship a
# ``sleep`` binary (distroless "static" images do not: use a :debug or busybox-based image); if it is
# missing, the hook fails (event FailedPreStopHook) and the container gets SIGTERM at once.
PRE_STOP_SLEEP_SECONDS: Final = 10
# Covers the 10 s preStop, the app's own graceful shutdown and the sidecar's drain. Istio 1.30 injects a
# native sidecar on Kubernetes >= 1.33 (an init container with restartPolicy Always), which is stopped
# only after the app exits and then drains for terminationDrainDuration (5 s by default): 45 s leaves the
# app about 30 s to finish in-flight requests.
TERMINATION_GRACE_SECONDS: Final = 45
NODE_CLASS_LABEL: Final = "workload-class"  # the node groups' label (eks/nodes.py)


def pod_template(
    props: MicroserviceProps, *, image: str, labels: dict[str, str], service_account: str, secret: str
) -> DeploymentV1SpecTemplate:
    """The pod: one container ``props.name`` running ``image`` as UID/GID 10001, non-root, read-only root
    filesystem, no privilege escalation, every capability dropped, RuntimeDefault seccomp, ``/tmp`` an
    emptyDir; environment from Secret ``secret``; startup, liveness and readiness HTTP probes on
    ``props.probes``; requests and limits from ``props.resources`` (no CPU limit when unset); preferred on
    its node class, preferably one per node, spread over zones; metrics announced for Istio's merging.

    The service account token is not mounted: IRSA's webhook and Istio's injector each add their own
    projected token (audiences sts.amazonaws.com and istio-ca), and the app never calls the Kubernetes API.
    """
    port = str(props.port)
    startup, liveness, readiness = props.probes
    return DeploymentV1SpecTemplate(
        metadata=DeploymentV1SpecTemplateMetadata(
            labels=labels,
            # Istio rewrites these to its agent's merged endpoint (15020) and scrapes the app's from here.
            annotations={
                "prometheus.io/scrape": "true",
                "prometheus.io/port": port,
                "prometheus.io/path": METRICS_PATH,
            },
        ),
        spec=DeploymentV1SpecTemplateSpec(
            service_account_name=service_account,
            automount_service_account_token=False,
            enable_service_links=False,  # no *_SERVICE_HOST variables: peers are found through DNS
            termination_grace_period_seconds=TERMINATION_GRACE_SECONDS,
            security_context=DeploymentV1SpecTemplateSpecSecurityContext(
                run_as_non_root=True,
                run_as_user=str(RUN_AS),
                run_as_group=str(RUN_AS),
                fs_group=str(RUN_AS),
                seccomp_profile=DeploymentV1SpecTemplateSpecSecurityContextSeccompProfile(
                    type="RuntimeDefault"
                ),
            ),
            container=[
                DeploymentV1SpecTemplateSpecContainer(
                    name=props.name,
                    image=image,
                    port=[DeploymentV1SpecTemplateSpecContainerPort(name="http", container_port=props.port)],
                    resources=_resources(props),
                    security_context=DeploymentV1SpecTemplateSpecContainerSecurityContext(
                        run_as_non_root=True,
                        run_as_user=str(RUN_AS),
                        run_as_group=str(RUN_AS),
                        read_only_root_filesystem=True,
                        allow_privilege_escalation=False,
                        privileged=False,
                        capabilities=DeploymentV1SpecTemplateSpecContainerSecurityContextCapabilities(
                            drop=["ALL"]
                        ),
                        seccomp_profile=DeploymentV1SpecTemplateSpecContainerSecurityContextSeccompProfile(
                            type="RuntimeDefault"
                        ),
                    ),
                    startup_probe=DeploymentV1SpecTemplateSpecContainerStartupProbe(
                        http_get=DeploymentV1SpecTemplateSpecContainerStartupProbeHttpGet(
                            path=startup, port=port
                        ),
                        period_seconds=STARTUP[0],
                        failure_threshold=STARTUP[1],
                        timeout_seconds=PROBE_TIMEOUT_SECONDS,
                    ),
                    liveness_probe=DeploymentV1SpecTemplateSpecContainerLivenessProbe(
                        http_get=DeploymentV1SpecTemplateSpecContainerLivenessProbeHttpGet(
                            path=liveness, port=port
                        ),
                        period_seconds=LIVENESS[0],
                        failure_threshold=LIVENESS[1],
                        timeout_seconds=PROBE_TIMEOUT_SECONDS,
                    ),
                    readiness_probe=DeploymentV1SpecTemplateSpecContainerReadinessProbe(
                        http_get=DeploymentV1SpecTemplateSpecContainerReadinessProbeHttpGet(
                            path=readiness, port=port
                        ),
                        period_seconds=READINESS[0],
                        failure_threshold=READINESS[1],
                        timeout_seconds=PROBE_TIMEOUT_SECONDS,
                    ),
                    lifecycle=DeploymentV1SpecTemplateSpecContainerLifecycle(
                        pre_stop=[
                            DeploymentV1SpecTemplateSpecContainerLifecyclePreStop(
                                exec=DeploymentV1SpecTemplateSpecContainerLifecyclePreStopExec(
                                    command=["sleep", str(PRE_STOP_SLEEP_SECONDS)]
                                )
                            )
                        ]
                    ),
                    volume_mount=[
                        DeploymentV1SpecTemplateSpecContainerVolumeMount(name="tmp", mount_path="/tmp"),
                        # the app secret as files, one per JSON key: not in the environment, where child
                        # processes, crash dumps and /proc/<pid>/environ would carry it
                        DeploymentV1SpecTemplateSpecContainerVolumeMount(
                            name="app-secret", mount_path=SECRETS_DIR, read_only=True
                        ),
                    ],
                )
            ],
            volume=[
                DeploymentV1SpecTemplateSpecVolume(
                    name="tmp", empty_dir=DeploymentV1SpecTemplateSpecVolumeEmptyDir(size_limit=TMP_SIZE)
                ),
                DeploymentV1SpecTemplateSpecVolume(
                    name="app-secret",
                    secret=DeploymentV1SpecTemplateSpecVolumeSecret(secret_name=secret, default_mode="0400"),
                ),
            ],
            affinity=_affinity(props, labels),
            # its class's Spot burst group (if the environment has one) takes it; other classes' do not
            toleration=[
                DeploymentV1SpecTemplateSpecToleration(
                    key=BURST_TAINT_KEY, operator="Equal", value=props.node_class, effect="NoSchedule"
                )
            ],
            topology_spread_constraint=_spread(labels),
        ),
    )


def _resources(props: MicroserviceProps) -> DeploymentV1SpecTemplateSpecContainerResources:
    r = props.resources
    limits = {"memory": r.memory_limit} | ({"cpu": r.cpu_limit} if r.cpu_limit is not None else {})
    return DeploymentV1SpecTemplateSpecContainerResources(
        requests={"cpu": r.cpu_request, "memory": r.memory_request}, limits=limits
    )


def _affinity(props: MicroserviceProps, labels: dict[str, str]) -> DeploymentV1SpecTemplateSpecAffinity:
    """Preferred, not required: a full node class or one node per replica must delay balance, never leave a
    pod Pending (production's minimum replicas can exceed the node count). Within the class, on-demand nodes
    first: the replicas that stay live through a Spot reclaim are the ones on the on-demand base."""
    return DeploymentV1SpecTemplateSpecAffinity(
        node_affinity=DeploymentV1SpecTemplateSpecAffinityNodeAffinity(
            preferred_during_scheduling_ignored_during_execution=[
                NodePreference(
                    weight=weight,
                    preference=NodeTerm(
                        match_expressions=[NodeExpression(key=key, operator="In", values=[value])]
                    ),
                )
                for weight, key, value in (
                    (100, NODE_CLASS_LABEL, props.node_class),
                    (50, CAPACITY_TYPE_LABEL, "ON_DEMAND"),
                )
            ]
        ),
        pod_anti_affinity=DeploymentV1SpecTemplateSpecAffinityPodAntiAffinity(
            preferred_during_scheduling_ignored_during_execution=[
                PodPreference(
                    weight=100,
                    pod_affinity_term=PodTerm(
                        topology_key="kubernetes.io/hostname",
                        label_selector=[PodTermSelector(match_labels=labels)],
                    ),
                )
            ]
        ),
    )


def _spread(labels: dict[str, str]) -> list[DeploymentV1SpecTemplateSpecTopologySpreadConstraint]:
    """The mesh's zone-then-node spread (maxSkew 1, ScheduleAnyway). Flagger's ``-primary`` copy gets its
    selectors (and the anti-affinity's) rewritten to its own ``app`` label."""
    return [
        DeploymentV1SpecTemplateSpecTopologySpreadConstraint(
            max_skew=constraint["maxSkew"],
            topology_key=constraint["topologyKey"],
            when_unsatisfiable=constraint["whenUnsatisfiable"],
            label_selector=[
                DeploymentV1SpecTemplateSpecTopologySpreadConstraintLabelSelector(
                    match_labels=constraint["labelSelector"]["matchLabels"]
                )
            ],
        )
        for constraint in zone_spread(labels)
    ]

"""<env>-platform: in-cluster platform layer: namespaces, the default encrypted gp3 StorageClass,
metrics-server, cluster-autoscaler, AWS Load Balancer Controller, cert-manager, External Secrets,
kube-prometheus-stack and Istio."""

from __future__ import annotations

from typing import Any, Final

from cdktf import TerraformStack
from cdktf_cdktf_provider_helm.release import Release
from cdktf_cdktf_provider_kubernetes.storage_class_v1 import StorageClassV1, StorageClassV1Metadata
from constructs import Construct

from environments.base import BURST_GROUP, EnvironmentConfig
from marketplace_constructs import (
    HelmChart,
    IstioMesh,
    MeshNamespaces,
    Namespace,
    NamespaceProps,
    helm_release,
)
from marketplace_constructs.addons.cert_manager import CertManager
from marketplace_constructs.addons.external_secrets import ExternalSecrets
from marketplace_constructs.backup.velero import NAMESPACE as VELERO_NAMESPACE
from marketplace_constructs.backup.velero import NAMESPACE_PROPS as VELERO_NAMESPACE_PROPS
from marketplace_constructs.backup.velero import velero_values
from marketplace_constructs.capacity.headroom import Headroom
from marketplace_constructs.delivery.flagger import FLAGGER_NAMESPACE
from marketplace_constructs.delivery.loadtester import LoadTester
from marketplace_constructs.delivery.releases import ProgressiveDelivery
from marketplace_constructs.observability.grafana import PROMETHEUS_URL
from marketplace_constructs.observability.log_storage import LogStorageRef
from marketplace_constructs.observability.logs import alloy_values, loki_values
from marketplace_constructs.observability.metrics import Monitoring
from marketplace_constructs.observability.traces import ECK_NAMESPACE, TracingOperators
from marketplace_constructs.security.contexts import RESTRICTED_CONTAINER, restricted_pod
from stacks.backend import configure_backend
from stacks.charts import (
    ALLOY,
    AWS_LOAD_BALANCER_CONTROLLER,
    CERT_MANAGER,
    CLUSTER_AUTOSCALER,
    CLUSTER_AUTOSCALER_IMAGE,
    ECK_OPERATOR,
    EXTERNAL_SECRETS,
    FLAGGER,
    ISTIO,
    KUBE_PROMETHEUS_STACK,
    LOADTESTER,
    LOKI,
    METRICS_SERVER,
    OPENTELEMETRY_COLLECTOR,
    VELERO,
)
from stacks.cluster_access import helm_provider, kubernetes_provider
from stacks.foundation import PlatformInputs
from stacks.platform_roles import AUTOSCALER_SERVICE_ACCOUNT, LOAD_BALANCER_SERVICE_ACCOUNT

# Platform namespaces. Node exporters and log shippers read host paths, so monitoring runs "privileged"; so
# does istio-cni, whose node agent writes the CNI configuration into the host and enters pods' network
# namespaces (the price of keeping privileged init containers out of every service namespace). The mesh
# control plane and the gateway stay "baseline"; the gateway gets its proxy from istiod's injection webhook
# through its own pod label, so its namespace needs no injection label.
PLATFORM_NAMESPACES: Final = (
    NamespaceProps(name="istio-system", allow_pod_security="baseline", mesh_injection=False),
    NamespaceProps(name="istio-cni", allow_pod_security="privileged", mesh_injection=False),
    NamespaceProps(
        name="istio-ingress",
        allow_pod_security="baseline",
        mesh_injection=False,
        load_balancer_readiness_gate=True,
    ),
    NamespaceProps(name="monitoring", allow_pod_security="privileged", mesh_injection=False),
    # Outside the mesh: the API server calls their webhooks directly.
    NamespaceProps(name="cert-manager", mesh_injection=False),
    NamespaceProps(name="external-secrets", mesh_injection=False),
    NamespaceProps(name=ECK_NAMESPACE, mesh_injection=False),
    VELERO_NAMESPACE_PROPS,
)
ROLE_ANNOTATION: Final = "eks.amazonaws.com/role-arn"
NOBODY: Final = 65534
# API groups whose CRDs this stack installs; the apps stacks may use kubernetes_manifest for these kinds only
# (tests/stacks/test_layering.py). prometheus-operator and Flagger add theirs with their issues.
INSTALLED_CRD_GROUPS: Final[tuple[str, ...]] = (
    "networking.istio.io", "security.istio.io", "telemetry.istio.io",  # Istio's base chart
    "cert-manager.io",
    "external-secrets.io",
    "elbv2.k8s.aws",  # TargetGroupBinding, from the AWS Load Balancer Controller chart
    "monitoring.coreos.com",  # kube-prometheus-stack
    "elasticsearch.k8s.elastic.co",  # the ECK operator
    "flagger.app",  # Flagger
    "velero.io",  # Velero's chart (its CRDs, upgraded by the chart's job)
)  # fmt: skip


class PlatformStack(TerraformStack):
    """Kubernetes and Helm providers built from the foundation's ClusterRef (remote state, known at plan).

    Reads nothing from the cluster while planning: no data sources and no ``kubernetes_manifest``.
    """

    def __init__(
        self,
        scope: Construct,
        stack_id: str,
        *,
        env: EnvironmentConfig,
        inputs: PlatformInputs,
        services: tuple[str, ...],
    ) -> None:
        """``services``: the services' names (their namespaces), whose Canaries the load tester serves."""
        super().__init__(scope, stack_id)
        configure_backend(self, env, stack_id)
        cluster = inputs.cluster
        kubernetes_provider(self, cluster)
        helm_provider(self, cluster)
        self.namespaces = {
            props.name: Namespace(self, props.name.replace("-", "_"), props=props)
            for props in PLATFORM_NAMESPACES
        }
        # Placeholder pods that keep room for a spike (production's; 0 replicas where a group keeps none).
        Headroom(self, "headroom", headroom=env.capacity.headroom)
        StorageClassV1(
            self,
            "gp3",
            metadata=StorageClassV1Metadata(
                name="gp3-encrypted", annotations={"storageclass.kubernetes.io/is-default-class": "true"}
            ),
            storage_provisioner="ebs.csi.aws.com",
            # the environment's tags on every volume the charts claim, so its cost allocation (and its
            # budget, which counts the Environment tag) sees them: the EBS CSI driver's tagSpecification_<n>
            # parameters (AmazonEBSCSIDriverPolicy lets it tag the volumes it creates)
            parameters={
                "type": "gp3",
                "encrypted": "true",
                "kmsKeyId": inputs.volume_key_arn,
                **{
                    f"tagSpecification_{n}": f"{key}={value}"
                    for n, (key, value) in enumerate(sorted(env.tags.items()), 1)
                },
            },
            reclaim_policy="Delete",
            volume_binding_mode="WaitForFirstConsumer",  # the volume follows the pod's zone
            allow_volume_expansion=True,
        )
        self._release("metrics_server", METRICS_SERVER, {
            "replicas": 2,
            "podDisruptionBudget": {"enabled": True, "minAvailable": 1},
        })  # fmt: skip
        burst = env.node_groups.compute_burst is not None
        self._release("cluster_autoscaler", CLUSTER_AUTOSCALER, {
            "autoDiscovery": {"clusterName": cluster.name},
            "awsRegion": cluster.region,
            "image": {"tag": CLUSTER_AUTOSCALER_IMAGE[env.cluster.kubernetes_version]},
            "rbac": {"serviceAccount": {
                "name": AUTOSCALER_SERVICE_ACCOUNT[1],
                "annotations": {ROLE_ANNOTATION: inputs.roles.cluster_autoscaler},
            }},
            # least-waste: of the groups that fit the pending pods, grow the one that leaves the least idle;
            # with a Spot burst group, priority first: the burst grows before the on-demand base (its managed
            # node group's Auto Scaling group is named eks-<group>-<id>), least-waste among equals.
            "extraArgs": {"balance-similar-node-groups": True,
                          "expander": "priority,least-waste" if burst else "least-waste",
                          "skip-nodes-with-system-pods": False},
            **({"expanderPriorities": {"10": [f".*-{BURST_GROUP}-.*"], "1": [".*"]}} if burst else {}),
            # the chart sets none; its own suggestion (nobody, RuntimeDefault) and the restricted container
            "securityContext": restricted_pod(NOBODY),
            "containerSecurityContext": RESTRICTED_CONTAINER,
            # the chart requests nothing; the autoscaler's memory grows with nodes and pods, so no limit
            "resources": {"requests": {"cpu": "100m", "memory": "300Mi"}},
        })  # fmt: skip
        cert_manager = CertManager(
            self, "cert_manager_chart", chart=CERT_MANAGER, namespace=self.namespaces["cert-manager"].name
        )
        self._release("aws_load_balancer_controller", AWS_LOAD_BALANCER_CONTROLLER, {
            "clusterName": cluster.name,
            # Given explicitly: with IMDS hop limit 1, pods cannot read region and VPC from instance metadata.
            "region": cluster.region,
            "vpcId": inputs.vpc_id,
            "replicaCount": 2,
            "serviceAccount": {
                "name": LOAD_BALANCER_SERVICE_ACCOUNT[1],
                "annotations": {ROLE_ANNOTATION: inputs.roles.load_balancer_controller},
            },
            "enableServiceMutatorWebhook": False,  # Services get an NLB only when they ask for one
            # the chart's read-only, non-root container, with no capabilities and RuntimeDefault seccomp too
            "securityContext": RESTRICTED_CONTAINER,
            "resources": {"requests": {"cpu": "50m", "memory": "128Mi"}},  # the chart requests nothing
            # The webhook's certificate from cert-manager (renewed, its CA injected), not one the chart makes
            # at each render (Helm's genCA: a new CA and private key in the release at every upgrade).
            "enableCertManager": True,
        }, after=cert_manager.release)  # fmt: skip
        ExternalSecrets(
            self, "external_secrets_chart", chart=EXTERNAL_SECRETS,
            namespace=self.namespaces["external-secrets"].name, role_arn=inputs.roles.external_secrets,
        )  # fmt: skip
        metrics = Monitoring(
            self, "metrics", props=env.monitoring, chart=KUBE_PROMETHEUS_STACK,
            namespace=self.namespaces["monitoring"].name, stores=inputs.stores,
        )  # fmt: skip
        self._logs(env, inputs.log_storage, after=metrics.release)
        TracingOperators(
            self, "tracing", props=env.tracing, charts=(ECK_OPERATOR, OPENTELEMETRY_COLLECTOR),
            namespace=self.namespaces["monitoring"].name,
            operator_namespace=self.namespaces[ECK_NAMESPACE].name, after=metrics.release,
        )  # fmt: skip
        helm_release(
            self, "velero_release", chart=VELERO, namespace=self.namespaces[VELERO_NAMESPACE].name,
            values=velero_values(
                env.velero, location=inputs.velero_location, region=env.location.region,
                role_arn=inputs.velero_role_arn,
            ),
            depends_on=[metrics.release],  # its ServiceMonitor needs prometheus-operator's CRD
        )  # fmt: skip
        ProgressiveDelivery(
            self, "delivery", chart=FLAGGER, namespace=self.namespaces[FLAGGER_NAMESPACE].name,
            prometheus_url=PROMETHEUS_URL, cluster_name=cluster.name, after=metrics.release,
        )  # fmt: skip
        self.mesh = IstioMesh(
            self, "istio", props=env.mesh, charts=ISTIO,
            namespaces=MeshNamespaces(
                control_plane=self.namespaces["istio-system"].name, cni=self.namespaces["istio-cni"].name,
                ingress=self.namespaces["istio-ingress"].name,
            ),
        )  # fmt: skip
        # In the mesh: its pod gets its proxy from istiod's injector.
        LoadTester(self, "load_tester", chart=LOADTESTER, canary_namespaces=services, after=self.mesh.release)

    def _logs(self, env: EnvironmentConfig, storage: LogStorageRef | None, *, after: Release) -> None:
        """Loki (on S3 where ``storage`` is given, else on its volume) and Alloy on every node, after
        kube-prometheus-stack, whose CRDs their ServiceMonitors need."""
        namespace = self.namespaces["monitoring"].name
        loki = loki_values(
            env.logs, region=env.location.region,
            bucket=storage.bucket_name if storage else None,
            role_arn=storage.role_arn if storage else None,
            kms_key_arn=storage.kms_key_arn if storage else None,
        )  # fmt: skip
        helm_release(self, "loki", chart=LOKI, namespace=namespace, values=loki, depends_on=[after])
        helm_release(
            self, "alloy", chart=ALLOY, namespace=namespace, values=alloy_values(), depends_on=[after]
        )

    def _release(
        self, construct_id: str, chart: HelmChart, values: dict[str, Any], after: Release | None = None
    ) -> None:
        helm_release(
            self, construct_id, chart=chart, namespace="kube-system", values=values,
            depends_on=[after] if after else (),
        )  # fmt: skip

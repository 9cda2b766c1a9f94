"""Microservice: the Kubernetes side of one marketplace service, secure by default."""

from __future__ import annotations

from typing import Final

from cdktf_cdktf_provider_kubernetes.deployment_v1 import (
    DeploymentV1,
    DeploymentV1Metadata,
    DeploymentV1Spec,
    DeploymentV1SpecSelector,
    DeploymentV1SpecStrategy,
    DeploymentV1SpecStrategyRollingUpdate,
)
from cdktf_cdktf_provider_kubernetes.horizontal_pod_autoscaler_v2 import (
    HorizontalPodAutoscalerV2,
    HorizontalPodAutoscalerV2Metadata,
    HorizontalPodAutoscalerV2Spec,
    HorizontalPodAutoscalerV2SpecBehavior,
    HorizontalPodAutoscalerV2SpecBehaviorScaleDown,
    HorizontalPodAutoscalerV2SpecBehaviorScaleDownPolicy,
    HorizontalPodAutoscalerV2SpecBehaviorScaleUp,
    HorizontalPodAutoscalerV2SpecBehaviorScaleUpPolicy,
    HorizontalPodAutoscalerV2SpecMetric,
    HorizontalPodAutoscalerV2SpecMetricResource,
    HorizontalPodAutoscalerV2SpecMetricResourceTarget,
    HorizontalPodAutoscalerV2SpecScaleTargetRef,
)
from cdktf_cdktf_provider_kubernetes.pod_disruption_budget_v1 import (
    PodDisruptionBudgetV1,
    PodDisruptionBudgetV1Metadata,
    PodDisruptionBudgetV1Spec,
    PodDisruptionBudgetV1SpecSelector,
    PodDisruptionBudgetV1SpecSelectorMatchExpressions,
)
from cdktf_cdktf_provider_kubernetes.service_account_v1 import ServiceAccountV1, ServiceAccountV1Metadata
from constructs import Construct

from marketplace_constructs.delivery.loadtester import SERVICE_ACCOUNT as LOAD_TESTER_ACCOUNT
from marketplace_constructs.errors import ConfigError
from marketplace_constructs.manifests import custom_resource
from marketplace_constructs.manifests.authorization import (
    allow_operators,
    allow_principals,
    allow_requests,
    principal,
    request_authentication,
)
from marketplace_constructs.manifests.secrets import extracted_secret
from marketplace_constructs.mesh.identity import OperatorIdentityProps
from marketplace_constructs.observability.thresholds import ServiceObjective
from marketplace_constructs.workload.network_policies import ServiceNetwork, ServiceNetworkPolicies
from marketplace_constructs.workload.pod_spec import pod_template
from marketplace_constructs.workload.service_props import (
    AutoscalingProps,
    MicroserviceProps,
    ScalingPolicy,
)

__all__ = ["Microservice", "ServiceNetwork"]

GATEWAY_SERVICE_ACCOUNT: Final = "istio-ingressgateway"  # the gateway chart's default: its release name
# What Kubernetes applies when a direction has no rule (HPA defaults), spelled out because the provider
# sends 0 and "" for an omitted stabilization window and select policy, which would change them.
UP_WINDOW_SECONDS: Final = 0
DOWN_WINDOW_SECONDS: Final = 300
DEFAULT_UP: Final = (("Percent", 100, 15), ("Pods", 4, 15))  # (type, value, period seconds)
DEFAULT_DOWN: Final = (("Percent", 100, 15),)


class Microservice(Construct):
    """ServiceAccount, app Secret (External Secrets), Deployment, HorizontalPodAutoscaler,
    PodDisruptionBudget, NetworkPolicies and the AuthorizationPolicies of one service (callers, operators,
    the release analysis' load tester), in
    ``namespace`` (the Namespace's token, so everything waits for it); ``objective`` is its p95 objective
    for the generated alert rules (MonitoringResources).

    No Service, VirtualService or DestinationRule: Flagger generates the ``<name>``, ``<name>-primary`` and
    ``<name>-canary`` Services, the VirtualService and the DestinationRules from the service's Canary, and
    runs the pods as ``<name>-primary`` (a copy of this Deployment and its HPA) once the first release is
    promoted, scaling this Deployment to zero between releases. The namespace's ``deny-all``
    AuthorizationPolicy and egress Sidecar come from MeshPolicies.

    ``autoscaling`` is the environment's HPA (production passes ``props.autoscaling``); ``image`` a digest
    reference; ``role_arn`` the IRSA role pinned to ``<name>:<name>``; ``env`` the environment, which
    prefixes the Secrets Manager secret ``<env>/<name>/app`` (JSON, every key a file under
    /var/run/secrets/app);
    ``store`` the ClusterSecretStore; ``specs`` every service, from which the callees are derived.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: MicroserviceProps,
        autoscaling: AutoscalingProps,
        namespace: str,
        image: str,
        role_arn: str,
        env: str,
        store: str,
        specs: tuple[MicroserviceProps, ...],
        network: ServiceNetwork,
        operators: OperatorIdentityProps | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        name = props.name
        owner = f"Microservice({name})"
        if name not in {spec.name for spec in specs}:
            raise ConfigError(
                f"{owner}: specs must include the service itself, got {[s.name for s in specs]}"
            )
        missing = [kind for kind in props.data_stores if kind not in network.data_store_ports]
        if missing:
            raise ConfigError(f"{owner}: network.data_store_ports has no port for {missing}")
        if props.operator_routes and operators is None:
            raise ConfigError(
                f"{owner}: operator_routes {props.operator_routes} need the environment's operators (the "
                "OIDC issuer and group that identify an operator); set EnvironmentConfig.operators"
            )
        labels = {"app": name}  # Flagger's selector label; its copy gets app=<name>-primary

        account = ServiceAccountV1(
            self, "service_account",
            metadata=ServiceAccountV1Metadata(
                name=name, namespace=namespace, annotations={"eks.amazonaws.com/role-arn": role_arn}
            ),
            # IRSA's webhook and Istio's injector mount their own projected tokens; see pod_template.
            automount_service_account_token=False,
        )  # fmt: skip
        secret_name = f"{name}-app"
        secret = custom_resource(
            self, "app_secret", extracted_secret(secret_name, namespace, store=store, key=f"{env}/{name}/app")
        )
        deployment = DeploymentV1(
            self, "deployment",
            metadata=DeploymentV1Metadata(name=name, namespace=namespace, labels=labels),
            spec=DeploymentV1Spec(
                replicas=str(autoscaling.min_replicas),  # on create only; see the override below
                selector=DeploymentV1SpecSelector(match_labels=labels),
                strategy=DeploymentV1SpecStrategy(
                    type="RollingUpdate",
                    rolling_update=DeploymentV1SpecStrategyRollingUpdate(
                        max_unavailable="0", max_surge="25%"
                    ),
                ),
                template=pod_template(
                    props, image=image, labels=labels, service_account=account.metadata.name,
                    secret=secret_name,
                ),
            ),
            depends_on=[secret],  # the pods read the Secret the ExternalSecret makes
        )  # fmt: skip
        # The replica count belongs to the HPA, and to Flagger, which scales this Deployment to 0 after each
        # promotion (the pods run as <name>-primary) and back to the HPA's minimum for the next analysis;
        # Terraform resetting it would start a second full set of pods. Flagger patches nothing else here.
        deployment.add_override("lifecycle.ignore_changes", ["spec[0].replicas"])
        HorizontalPodAutoscalerV2(
            self, "autoscaler",
            metadata=HorizontalPodAutoscalerV2Metadata(name=name, namespace=namespace),
            spec=HorizontalPodAutoscalerV2Spec(
                scale_target_ref=HorizontalPodAutoscalerV2SpecScaleTargetRef(
                    api_version="apps/v1", kind="Deployment", name=deployment.metadata.name
                ),
                min_replicas=autoscaling.min_replicas,
                max_replicas=autoscaling.max_replicas,
                metric=[
                    _utilization("cpu", autoscaling.cpu_target_percent),
                    _utilization("memory", autoscaling.memory_target_percent),
                ],
                behavior=_behavior(autoscaling),
            ),
        )  # fmt: skip
        # Flagger copies neither this PDB nor its selector: cover this Deployment's pods and its copy's.
        PodDisruptionBudgetV1(
            self, "disruption_budget",
            metadata=PodDisruptionBudgetV1Metadata(name=name, namespace=namespace),
            spec=PodDisruptionBudgetV1Spec(
                max_unavailable="1",
                selector=PodDisruptionBudgetV1SpecSelector(
                    match_expressions=[
                        PodDisruptionBudgetV1SpecSelectorMatchExpressions(
                            key="app", operator="In", values=[name, f"{name}-primary"]
                        )
                    ]
                ),
            ),
        )  # fmt: skip
        callees = tuple(spec for spec in specs if name in spec.callers)
        ServiceNetworkPolicies(
            self, "network", props=props, namespace=namespace, callees=callees, network=network
        )
        self._authorization(props, namespace, network, operators)
        # The p95 objective joins the generated rules (MonitoringResources' marketplace-alerts, from
        # ``objective``), one PrometheusRule for all services rather than one object each.
        self.objective = ServiceObjective(namespace=name, p95_ms=props.objectives.p95_ms)

    def _authorization(
        self,
        props: MicroserviceProps,
        namespace: str,
        network: ServiceNetwork,
        operators: OperatorIdentityProps | None,
    ) -> None:
        """ALLOW policies beside the namespace's deny-all (MeshPolicies): declared callers and, for public
        routes, the ingress gateway, on the service's port; for operator routes, the gateway's requests that
        carry an operator's token (RequestAuthentication ``operators`` checks the token); and the load
        tester's GET of the declared analysis path, nothing else. Policies of one action add up."""
        gateway = principal(network.ingress_namespace, GATEWAY_SERVICE_ACCOUNT)
        principals = [principal(caller, caller) for caller in props.callers]
        if props.routes:
            principals.append(gateway)
        # An empty principals list is no condition at all: it would admit every caller, so no policy then.
        if principals:
            custom_resource(
                self, "allow_callers",
                allow_principals("allow-callers", namespace, principals=principals, ports=[props.port]),
            )  # fmt: skip
        if props.operator_routes and operators is not None:
            custom_resource(
                self, "operator_tokens",
                request_authentication(
                    "operators", namespace, issuer=operators.issuer, audiences=list(operators.audiences),
                    jwks_uri=operators.jwks_uri,
                ),
            )  # fmt: skip
            custom_resource(
                self, "allow_operators",
                allow_operators(
                    "allow-operators", namespace, via=gateway, issuer=operators.issuer,
                    group_claim=operators.group_claim, groups=list(operators.groups), ports=[props.port],
                ),
            )  # fmt: skip
        custom_resource(
            self, "allow_load_test",
            allow_requests(
                "allow-load-test", namespace,
                principals=[principal(network.load_tester_namespace, LOAD_TESTER_ACCOUNT)],
                ports=[props.port], methods=["GET"], paths=[props.load_test_path],
            ),
        )  # fmt: skip


def _utilization(resource: str, percent: int) -> HorizontalPodAutoscalerV2SpecMetric:
    return HorizontalPodAutoscalerV2SpecMetric(
        type="Resource",
        resource=HorizontalPodAutoscalerV2SpecMetricResource(
            name=resource,
            target=HorizontalPodAutoscalerV2SpecMetricResourceTarget(
                type="Utilization", average_utilization=percent
            ),
        ),
    )


def _rules(
    policy: ScalingPolicy | None, default: tuple[tuple[str, int, int], ...]
) -> list[tuple[str, int, int]]:
    return [("Percent", policy.percent, policy.period_seconds)] if policy else list(default)


def _behavior(autoscaling: AutoscalingProps) -> HorizontalPodAutoscalerV2SpecBehavior | None:
    """None when neither direction is set (Kubernetes' defaults); otherwise both directions, an unset one
    as Kubernetes' default rule."""
    up, down = autoscaling.scale_up, autoscaling.scale_down
    if up is None and down is None:
        return None
    return HorizontalPodAutoscalerV2SpecBehavior(
        scale_up=[
            HorizontalPodAutoscalerV2SpecBehaviorScaleUp(
                policy=[
                    HorizontalPodAutoscalerV2SpecBehaviorScaleUpPolicy(
                        type=kind, value=value, period_seconds=period
                    )
                    for kind, value, period in _rules(up, DEFAULT_UP)
                ],
                select_policy="Max",
                stabilization_window_seconds=UP_WINDOW_SECONDS,
            )
        ],
        scale_down=[
            HorizontalPodAutoscalerV2SpecBehaviorScaleDown(
                policy=[
                    HorizontalPodAutoscalerV2SpecBehaviorScaleDownPolicy(
                        type=kind, value=value, period_seconds=period
                    )
                    for kind, value, period in _rules(down, DEFAULT_DOWN)
                ],
                select_policy="Max",
                stabilization_window_seconds=DOWN_WINDOW_SECONDS,
            )
        ],
    )

"""Progressive delivery in two layers: Flagger (with its CRDs) among the platform's charts, and in the layer
after it the shared metric templates, the Slack alert provider with its webhook from Secrets Manager, and one
Canary per service."""

from __future__ import annotations

from cdktf import ITerraformDependable
from constructs import Construct

from marketplace_constructs.delivery.canary import (
    canary,
    metric_templates,
    slack_provider,
    slack_webhook_secret,
)
from marketplace_constructs.delivery.flagger import FLAGGER_NAMESPACE, flagger_values
from marketplace_constructs.delivery.loadtester import URL as LOAD_TESTER_URL
from marketplace_constructs.helm import HelmChart, helm_release
from marketplace_constructs.manifests import custom_resource
from marketplace_constructs.workload.service_props import MicroserviceProps


class ProgressiveDelivery(Construct):
    """Flagger in ``namespace`` (the token of ``istio-system``'s Namespace, so the release waits for it on
    create and goes first on destroy; Istio as mesh provider, Prometheus at ``prometheus_url`` for the
    checks), installed after ``after`` (the release that brings the PodMonitor CRD its chart uses). The
    chart's templates install Flagger's CRDs (``crd.create``), so Helm's own CRD step is skipped: Helm would
    install them first and then refuse to adopt them (fluxcd/flagger#1199)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        chart: HelmChart,
        namespace: str,
        prometheus_url: str,
        cluster_name: str,
        after: ITerraformDependable,
    ) -> None:
        super().__init__(scope, construct_id)
        helm_release(
            self, "release", chart=chart, namespace=namespace,
            values=flagger_values(prometheus_url=prometheus_url, cluster_name=cluster_name),
            depends_on=[after], skip_crds=True,
        )  # fmt: skip


class ServiceReleases(Construct):
    """In ``istio-system``: the success-rate and p95 metric templates, the Slack provider and the
    ExternalSecret of its webhook (``<env>/delivery/slack``); and a Canary per service in its namespace
    (``namespaces``), public ones on ``gateway`` for ``hosts``, operator ones for ``operator_hosts``, each
    checked and loaded by the load tester during its analysis. ``allow_idle_analysis`` passes analysis
    windows without requests (environments without traffic), which would otherwise roll a release back."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        env: str,
        specs: tuple[MicroserviceProps, ...],
        namespaces: dict[str, str],
        store: str,
        prometheus_url: str,
        gateway: str,
        hosts: tuple[str, ...],
        operator_hosts: tuple[str, ...],
        allow_idle_analysis: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        for template in metric_templates(FLAGGER_NAMESPACE, prometheus_url=prometheus_url):
            custom_resource(self, f"metric_{template['metadata']['name'].replace('-', '_')}", template)
        custom_resource(self, "slack_webhook", slack_webhook_secret(FLAGGER_NAMESPACE, store=store, env=env))
        custom_resource(self, "slack_provider", slack_provider(FLAGGER_NAMESPACE))
        for spec in specs:
            body = canary(
                spec, namespace=namespaces[spec.name], gateway=gateway, hosts=hosts,
                operator_hosts=operator_hosts, port=spec.port, load_tester=LOAD_TESTER_URL,
                allow_idle_analysis=allow_idle_analysis,
            )  # fmt: skip
            # Flagger retries until the Deployment and HPA it takes over exist
            custom_resource(self, f"{spec.name.replace('-', '_')}_canary", body)

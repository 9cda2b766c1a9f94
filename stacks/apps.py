"""<env>-apps: the custom resources of the platform's operators (the private CA issuers, the Secrets Manager
store, the mesh-wide Istio policies and ServiceEntries) and the marketplace services, one namespace each
(workloads arrive in the services issue)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from cdktf import TerraformStack
from constructs import Construct

from environments.base import EnvironmentConfig
from marketplace_constructs import ClusterRef, Namespace, NamespaceProps
from marketplace_constructs.addons.cert_manager import PrivateCertificateAuthority
from marketplace_constructs.addons.external_secrets import SecretsManagerStore
from marketplace_constructs.backup.props import BackupLocation
from marketplace_constructs.backup.resources import read_only_location, velero_schedule
from marketplace_constructs.delivery.loadtester_access import LoadTesterAccess
from marketplace_constructs.delivery.releases import ServiceReleases
from marketplace_constructs.edge.edge import EdgeRef
from marketplace_constructs.manifests import custom_resource
from marketplace_constructs.mesh.ingress import IngressBinding
from marketplace_constructs.mesh.policies import DataEndpoints, MeshPolicies
from marketplace_constructs.naming import PROJECT
from marketplace_constructs.network.subnet_plan import plan_subnets
from marketplace_constructs.observability.dashboards import dashboards
from marketplace_constructs.observability.exporters import DataStoreExporters, MonitoredStores
from marketplace_constructs.observability.grafana import PROMETHEUS_URL, Grafana, GrafanaSources
from marketplace_constructs.observability.logs import LOKI_QUERY_URL
from marketplace_constructs.observability.resources import MonitoringResources
from marketplace_constructs.observability.traces import TracingBackend
from marketplace_constructs.observability.tracing import jaeger_query_url
from marketplace_constructs.workload.microservice import Microservice, ServiceNetwork
from marketplace_constructs.workload.service_props import MicroserviceProps, callees
from stacks.backend import configure_backend
from stacks.charts import ELASTICSEARCH_EXPORTER, GRAFANA, JAEGER, POSTGRES_EXPORTER, REDIS_EXPORTER
from stacks.cluster_access import helm_provider, kubernetes_provider

CERT_MANAGER_NAMESPACE = "cert-manager"  # made by the platform stack; a ClusterIssuer's Secret lives there
INGRESS_NAMESPACE = "istio-ingress"  # made by the platform stack; the ingress gateway runs there
MONITORING_NAMESPACE = "monitoring"  # made by the platform stack; Prometheus and Alertmanager run there


class AppsStack(TerraformStack):
    """Deployed after the platform stack, whose CRDs its custom resources will need."""

    def __init__(
        self,
        scope: Construct,
        stack_id: str,
        *,
        env: EnvironmentConfig,
        cluster: ClusterRef,
        endpoints: DataEndpoints,
        edge: EdgeRef,
        stores: MonitoredStores,
        specs: tuple[MicroserviceProps, ...],
        service_roles: Mapping[str, str],
        images: Mapping[str, str],
        restore_from: BackupLocation | None = None,
    ) -> None:
        """``restore_from``: a standby's read-only view of its primary's Velero backups (the replica)."""
        super().__init__(scope, stack_id)
        configure_backend(self, env, stack_id)
        kubernetes_provider(self, cluster)
        helm_provider(self, cluster)
        self.namespaces = {
            spec.name: Namespace(self, spec.name, props=NamespaceProps(name=spec.name)) for spec in specs
        }
        self.certificate_authority = PrivateCertificateAuthority(
            self, "private_ca", name=f"{PROJECT}-{env.name}", namespace=CERT_MANAGER_NAMESPACE
        )
        self.secret_store = SecretsManagerStore(
            self, "secret_store", name="aws-secrets-manager", region=env.location.region
        )
        IngressBinding(
            self, "ingress", edge=edge, issuer=self.certificate_authority.issuer_name,
            namespace=INGRESS_NAMESPACE,
            route_namespaces=tuple(self.namespaces[spec.name].name for spec in specs if spec.exposed),
        )  # fmt: skip
        Grafana(
            self, "grafana", env=env.name, chart=GRAFANA, namespace=MONITORING_NAMESPACE,
            store=self.secret_store.name, sources=GrafanaSources(
                loki_url=LOKI_QUERY_URL, jaeger_url=jaeger_query_url(MONITORING_NAMESPACE)
            ),
            dashboards=dashboards(tuple(spec.name for spec in specs)),
        )  # fmt: skip
        DataStoreExporters(
            self, "exporters", env=env.name, charts=(POSTGRES_EXPORTER, REDIS_EXPORTER),
            namespace=MONITORING_NAMESPACE, store=self.secret_store.name, stores=stores,
        )  # fmt: skip
        TracingBackend(
            self, "tracing", env=env.name, props=env.tracing, charts=(JAEGER, ELASTICSEARCH_EXPORTER),
            namespace=MONITORING_NAMESPACE, store=self.secret_store.name,
        )  # fmt: skip
        MeshPolicies(
            self, "mesh", props=env.mesh, endpoints=endpoints,
            service_namespaces={
                label.replace("-", "_"): namespace.name for label, namespace in self.namespaces.items()
            },
            callees={spec.name.replace("-", "_"): callees(spec.name, specs) for spec in specs},
        )  # fmt: skip
        network = ServiceNetwork(
            data_store_cidrs=plan_subnets(env.network.cidr, len(env.network.availability_zones)).database
        )
        LoadTesterAccess(
            self, "load_tester", specs=specs, network=network,
            outbound="ALLOW_ANY" if env.mesh.allow_any_outbound else "REGISTRY_ONLY",
            collector_host=env.mesh.collector_host,
        )  # fmt: skip
        objectives = []
        for spec in specs:
            low, high = env.service_sizes(
                spec.name, spec.autoscaling.min_replicas, spec.autoscaling.max_replicas
            )
            service = Microservice(
                self, f"{spec.name.replace('-', '_')}_service", props=spec,
                autoscaling=replace(spec.autoscaling, min_replicas=low, max_replicas=high),
                namespace=self.namespaces[spec.name].name, image=images[spec.name],
                role_arn=service_roles[spec.name], env=env.name, store=self.secret_store.name, specs=specs,
                network=network, operators=env.operators,
            )  # fmt: skip
            objectives.append(service.objective)
        MonitoringResources(
            self, "monitoring", env=env.name, namespace=MONITORING_NAMESPACE,
            thresholds=env.monitoring.thresholds, service_namespaces=tuple(spec.name for spec in specs),
            store=self.secret_store.name, objectives=tuple(objectives),
        )  # fmt: skip
        # Velero's CRDs come with its chart in the platform layer.
        custom_resource(
            self, "velero_schedule", velero_schedule(env.velero, tuple(spec.name for spec in specs))
        )
        if restore_from is not None:
            custom_resource(
                self, "velero_primary_backups", read_only_location(restore_from.prefix, restore_from)
            )
        ServiceReleases(
            self, "releases", env=env.name, specs=specs,
            namespaces={name: namespace.name for name, namespace in self.namespaces.items()},
            store=self.secret_store.name, prometheus_url=PROMETHEUS_URL, gateway=f"{INGRESS_NAMESPACE}/edge",
            hosts=edge.hosts, operator_hosts=edge.operator_hosts, allow_idle_analysis=env.allow_idle_analysis,
        )  # fmt: skip

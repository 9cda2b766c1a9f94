"""The paths of one environment, walked hop by hop over its synthesized stacks: request (every public name,
to each service routed there), service to service (every declared caller), data (every declared store),
release (every Canary), and a way in for every service."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from tools.paths import chart_objects, data_rules, edge_rules, mesh_rules, release_rules
from tools.paths.mesh_rules import Pods, Request, pods_of
from tools.paths.model import Hop, Walk, hop, unproved
from tools.paths.view import EnvView, Obj


@dataclass(frozen=True, slots=True)
class Declared:
    """What the registries declare, which the stacks must make true: each service's callers and stores,
    and who an operator is (the issuer and groups) on which names."""

    callers: dict[str, tuple[str, ...]]
    stores: dict[str, tuple[str, ...]]
    operator_hosts: tuple[str, ...] = ()
    operator_issuer: str | None = None
    operator_groups: tuple[str, ...] = ()
    group_claim: str = "groups"


def _canary(view: EnvView, name: str) -> Obj | None:
    return next((c for c in view.kind("Canary") if c.name == name), None)


def _deployment(view: EnvView, name: str) -> Obj | None:
    return next((d for d in view.kind("Deployment") if d.name == name), None)


def request_paths(
    view: EnvView, declared: Declared, before: EnvView | None, primary: EnvView | None
) -> Iterator[Walk]:
    """Internet -> pod, for every name on the edge's certificate and every service routed there."""
    for host in edge_rules.certificate_names(view):
        walk = Walk("request", host)
        with walk:
            walk(edge_rules.delegation(view))
            lb = walk(edge_rules.dns_record(view, host, before))
            lb_ref, lb_groups = walk(edge_rules.load_balancer(view, lb))
            walk(edge_rules.web_acl(view, lb_ref, host, host in declared.operator_hosts))
            listener = walk(edge_rules.https_listener(view, lb_ref))
            cert = walk(edge_rules.certificate(view, listener, host))
            walk(edge_rules.validation(view, cert, primary))
            group_arn, group = walk(edge_rules.target_group(view, listener))
            walk(edge_rules.alb_reaches_targets(view, lb_groups, group))
            binding = walk(edge_rules.target_group_binding(view, group_arn, group))
            name, port = edge_rules.bound_binding(binding)
            release, target_port = walk(mesh_rules.gateway_service(view, name, binding.namespace, port))
            walk(mesh_rules.health_check(view, release, name, group))
            gateway_pods = walk(mesh_rules.chart_pods(view, release, "gateway pods"))
            gateway, server = walk(mesh_rules.gateway_server(view, gateway_pods, port, target_port))
            routed = walk(mesh_rules.routes(view, gateway, server, host))
        if walk.broken:
            yield walk
            continue
        for canary, paths in routed:
            branch = Walk("request", f"{host}{paths[0] if paths else ''} -> {canary.name}", list(walk.hops))
            with branch:
                _to_service(view, branch, canary, gateway_pods, port, host, declared)
                # and it holds while the gateway itself rolls out
                branch(mesh_rules.gateway_rollout(view, release, group))
                branch(
                    unproved("application answers", "the pods' readiness and answer show only on a cluster")
                )
            yield branch


def _to_service(
    view: EnvView, walk: Walk, canary: Obj, source: Pods, port: int, host: str, declared: Declared
) -> None:
    """The hops from the gateway to the service's pods: Service, NetworkPolicy, identity, authorization,
    and the gateway's own Sidecar."""
    internal = f"{canary.name}.{canary.namespace}.svc.cluster.local"
    walk(mesh_rules.edge_names_only(view, source, port, host, internal))
    _, target, deployment = walk(mesh_rules.service_port(view, canary))
    pods = pods_of(deployment)
    walk(mesh_rules.network_ingress(view, source, canary.namespace, pods.labels, target))
    if host in declared.operator_hosts:
        issuer = declared.operator_issuer or ""
        walk(mesh_rules.request_authentication(view, canary.namespace, pods.labels, issuer))
        request = Request(
            source.principal,
            target,
            request_principal=f"{issuer}/an-operator",
            claims={declared.group_claim: list(declared.operator_groups)},
        )
        walk(_operators_only(view, canary.namespace, pods.labels, request))
    else:
        request = Request(source.principal, target)
    walk(mesh_rules.authorization(view, canary.namespace, pods.labels, request))
    walk(
        mesh_rules.sidecar_egress(
            view, source.namespace, f"{canary.name}.{canary.namespace}.svc.cluster.local"
        )
    )


STRANGER: Final = "cluster.local/ns/elsewhere/sa/anyone"  # a workload of the mesh that is not the gateway


def _operators_only(view: EnvView, namespace: str, pods: dict[str, str], operator: Request) -> Hop:
    """Only the operator's request passes: the gateway without a token is refused on any path and on each
    path an ALLOW rule of the namespace names (a rule for one path must not open it to everyone), and
    another workload of the mesh is refused even with an operator's token."""
    paths = {
        path
        for policy in view.kind("AuthorizationPolicy", namespace)
        for rule in policy.body["spec"].get("rules", [])
        for operation in rule.get("to", [])
        for path in operation.get("operation", {}).get("paths", [])
    }
    anonymous = [Request(operator.principal, operator.port)]
    anonymous += [Request(operator.principal, operator.port, "GET", path) for path in sorted(paths)]
    stranger = Request(
        STRANGER, operator.port, request_principal=operator.request_principal, claims=operator.claims
    )
    admitted = [
        f"{r.principal} {'with' if r.request_principal else 'without'} a token on {r.path or 'any path'}"
        for r in (*anonymous, stranger)
        if mesh_rules.authorization(view, namespace, pods, r).status == "ok"
    ]
    return hop(
        "operators only",
        not admitted,
        f"refused: the gateway without a token on any path and on {sorted(paths)}; {STRANGER} with one"
        + (f"; ADMITTED: {admitted}" if admitted else ""),
    )


def service_paths(view: EnvView, declared: Declared) -> Iterator[Walk]:
    """Caller -> callee inside the mesh, for every declared pair."""
    for callee, callers in declared.callers.items():
        for caller in callers:
            walk = Walk("service", f"{caller} -> {callee}")
            with walk:
                caller_deployment = _deployment(view, caller)
                canary = _canary(view, callee)
                walk(
                    hop(
                        "declared",
                        caller_deployment is not None and canary is not None,
                        f"{caller} calls {callee}",
                    )
                )
                assert caller_deployment is not None and canary is not None
                source = pods_of(caller_deployment)
                _, target, deployment = walk(mesh_rules.service_port(view, canary))
                pods = pods_of(deployment)
                walk(mesh_rules.network_egress(view, source, canary.namespace, target))
                walk(
                    mesh_rules.sidecar_egress(
                        view, source.namespace, f"{callee}.{canary.namespace}.svc.cluster.local"
                    )
                )
                walk(mesh_rules.network_ingress(view, source, canary.namespace, pods.labels, target))
                walk(
                    mesh_rules.authorization(
                        view, canary.namespace, pods.labels, Request(source.principal, target)
                    )
                )
                walk(_mutual_tls(view, canary))
            yield walk


def _mutual_tls(view: EnvView, canary: Obj) -> Hop:
    """Callers' proxies originate Istio mTLS (the DestinationRule Flagger writes from the Canary's
    trafficPolicy) and the mesh accepts nothing else (PeerAuthentication STRICT in the root namespace)."""
    strict = any(
        p.body["spec"].get("mtls", {}).get("mode") == "STRICT"
        for p in view.kind("PeerAuthentication", "istio-system")
    )
    mode = canary.body["spec"]["service"].get("trafficPolicy", {}).get("tls", {}).get("mode")
    return hop(
        "mutual tls",
        strict and mode == "ISTIO_MUTUAL",
        f"PeerAuthentication STRICT {strict}; DestinationRule tls {mode}",
    )


def data_paths(view: EnvView, declared: Declared) -> Iterator[Walk]:
    """Pod -> store, for every declared store of every service."""
    found = data_rules.stores(view)
    for service, kinds in declared.stores.items():
        for kind in kinds:
            walk = Walk("data", f"{service} -> {kind}")
            with walk:
                deployment = _deployment(view, service)
                store = found.get(kind)
                walk(
                    hop(
                        "declared",
                        deployment is not None and store is not None,
                        f"{service} uses {kind}: {store.evidence if store else 'no store'}",
                    )
                )
                assert deployment is not None and store is not None
                pods = pods_of(deployment)
                walk(mesh_rules.network_egress(view, pods, "", store.port, cidrs=list(store.cidrs)))
                walk(data_rules.service_entry(view, pods.namespace, store))
                walk(data_rules.store_security_group(view, store))
            yield walk


def release_paths(view: EnvView) -> Iterator[Walk]:
    """Every Canary: traffic during analysis (reaching the new pods through every policy), queries Istio
    can answer, and the copies Flagger makes."""
    for canary in view.kind("Canary"):
        walk = Walk("release", f"{canary.namespace}/{canary.name}")
        with walk:
            webhook = walk(release_rules.analysis_traffic(view, canary))
            if webhook is not None:
                release = walk(release_rules.webhook_target(view, canary, webhook))
                walk(release_rules.load_tester_pod(view, release))
                walk(release_rules.flagger_reaches_load_tester(view, release))
                host, port, path, method = release_rules.load_target(webhook)
                service_port, target, deployment = walk(mesh_rules.service_port(view, canary))
                expected = f"{canary.name}-canary.{canary.namespace}"
                walk(
                    hop(
                        "load target",
                        host == expected and port == service_port,
                        f"{host}:{port}{path}; the new pods' Service is {expected}:{service_port}",
                    )
                )
                tester = release_rules.chart_pods(view, release)
                pods = pods_of(deployment)
                _proxy_bootstrap(view, walk, tester)
                walk(mesh_rules.network_egress(view, tester, canary.namespace, target))
                walk(mesh_rules.sidecar_egress(view, tester.namespace, f"{expected}.svc.cluster.local"))
                walk(mesh_rules.network_ingress(view, tester, canary.namespace, pods.labels, target))
                walk(
                    mesh_rules.authorization(
                        view, canary.namespace, pods.labels, Request(tester.principal, target, method, path)
                    )
                )
            walk(release_rules.metric_labels(view, canary))
            walk(release_rules.follows_primary(view, canary))
            walk(unproved("promotion", "whether the new pods meet the checks shows only in a real analysis"))
        yield walk


# CoreDNS's pods: the EKS add-on's "k8s-app: kube-dns" (an add-on, not a chart: nothing to render).
DNS: Final = ("kube-system", {"k8s-app": "kube-dns"}, 53)
XDS_PORT: Final = 15012  # istiod's xDS and certificate port (Istio, "Ports used by Istio")


def _istiod(view: EnvView) -> tuple[str, dict[str, str], int]:
    """istiod's pods as the istiod chart renders them, and the port its Service sends xDS to."""
    for release in view.release("istiod"):
        pods = chart_objects.workload(view, release)
        service = next(iter(view.installed(release, "Service")), None)
        if pods is not None and service is not None:
            port = chart_objects.target_port(service, XDS_PORT, pods) or XDS_PORT
            return pods.namespace, chart_objects.pod_labels(pods), port
    return "", {"no istiod release": "rendered"}, XDS_PORT


def _proxy_bootstrap(view: EnvView, walk: Walk, source: Pods) -> None:
    """A sidecar becomes ready only once it resolves names (kube-dns, UDP 53) and has its configuration
    and certificate from istiod (15012); a NetworkPolicy that isolates the pod must let both out."""
    for label, (namespace, labels, port), protocol in (
        ("dns", DNS, "UDP"),
        ("istiod", _istiod(view), "TCP"),
    ):
        walk(
            mesh_rules.network_egress(
                view, source, namespace, port, pods=labels, protocol=protocol, name=f"egress to {label}"
            )
        )


def way_in(view: EnvView, declared: Declared, services: Sequence[str]) -> Iterator[Walk]:
    """Every service is reachable by someone: a route on the edge (its Canary binds a Gateway) or a
    declared caller; a service nobody can reach runs for nothing."""
    for service in services:
        walk = Walk("way in", service)
        with walk:
            canary = _canary(view, service)
            gateways = [
                g
                for g in (canary.body["spec"]["service"].get("gateways", []) if canary else [])
                if g != "mesh"
            ]
            hosts = canary.body["spec"]["service"]["hosts"][:-1] if canary else []
            ways = [f"gateway {g} for {hosts}" for g in gateways]
            ways += [f"caller {caller}" for caller in declared.callers.get(service, ())]
            walk(hop("way in", bool(ways), "; ".join(ways) or "no route on the edge and no declared caller"))
        yield walk


def prove(
    view: EnvView, declared: Declared, before: EnvView | None = None, primary: EnvView | None = None
) -> list[Walk]:
    return [
        *way_in(view, declared, list(declared.callers)),
        *request_paths(view, declared, before, primary),
        *service_paths(view, declared),
        *data_paths(view, declared),
        *release_paths(view),
    ]

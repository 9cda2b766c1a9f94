"""The cluster's hops: chart-made Services and pod labels, the Istio Gateway and routes, NetworkPolicies,
AuthorizationPolicies, Sidecars and ServiceEntries, each evaluated as its controller does."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any, Final

from tools.paths import chart_objects
from tools.paths.edge_rules import in_cidrs
from tools.paths.model import Hop, hop
from tools.paths.view import EnvView, Obj, Release

NAMESPACE_LABEL: Final = "kubernetes.io/metadata.name"  # set by the API server on every namespace
TRUST_DOMAIN: Final = "cluster.local"  # istiod's default; meshConfig.trustDomain is not set
DRAIN_SECONDS: Final = 5  # ProxyConfig terminationDrainDuration's default (istio/api proxy.proto)


@dataclass(frozen=True, slots=True)
class Pods:
    """Where a request comes from or goes to: namespace, pod labels, and the mTLS identity."""

    namespace: str
    labels: dict[str, str]
    service_account: str

    @property
    def principal(self) -> str:
        return f"{TRUST_DOMAIN}/ns/{self.namespace}/sa/{self.service_account}"


@dataclass(frozen=True, slots=True)
class Request:
    """What an AuthorizationPolicy sees: the peer's principal ("" without mTLS), port, method, path and
    Host (None: any), and, for a request carrying a validated JWT, its request principal and claims."""

    principal: str
    port: int
    method: str | None = None
    path: str | None = None
    request_principal: str | None = None
    claims: dict[str, list[str]] = field(default_factory=dict)
    host: str | None = None


def release_pods(view: EnvView, release: Release) -> Pods | None:
    """The pods a release's workload runs, as its chart renders them (None: it renders no workload)."""
    pods = chart_objects.workload(view, release)
    if pods is None:
        return None
    return Pods(pods.namespace, chart_objects.pod_labels(pods), chart_objects.service_account(pods))


def chart_pods(view: EnvView, release: Release, name: str) -> Hop:
    """The pods a release's workload runs, as its chart renders them (found: their namespace, pod labels
    and service account)."""
    pods, found = chart_objects.workload(view, release), release_pods(view, release)
    if pods is None or found is None:
        return hop(name, False, f"{release.address} renders no Deployment, DaemonSet or StatefulSet")
    return hop(
        name,
        True,
        f"{release.address} renders {pods}: labels {found.labels}, account {found.service_account}",
        found=found,
    )


def gateway_service(view: EnvView, name: str, namespace: str, port: int) -> Hop:
    """The Service a TargetGroupBinding names is one a gateway release renders, in its namespace, with
    ``port`` among its ports; found: (release, the container port it targets)."""
    for release in view.release("gateway"):
        service = chart_objects.service(view, release, name, namespace)
        if service is not None:
            target = chart_objects.target_port(service, port, chart_objects.workload(view, release))
            return hop(
                "gateway service",
                target is not None,
                f"{release.address} renders Service {namespace}/{name}: port {port} -> targetPort {target}",
                found=(release, target),
            )
    return hop("gateway service", False, f"no gateway release renders Service {namespace}/{name}")


def health_check(view: EnvView, release: Release, name: str, group: dict[str, Any]) -> Hop:
    """The target group's health check reaches the gateway's status port, where the proxy answers
    ``/healthz/ready`` (Istio, "Health Checking of Istio Services"), through a port the rendered Service
    exposes."""
    check = group.get("health_check", {})
    port = int(check.get("port", 0))
    service = chart_objects.service(view, release, name, release.namespace)
    exposed = chart_objects.target_port(service, port) if service else None
    ok = exposed == port == 15021 and check.get("path") == "/healthz/ready"
    return hop(
        "health check",
        ok,
        f"{check.get('protocol')}:{port}{check.get('path')}; {release.address} renders Service "
        f"{release.namespace}/{name}: port {port} -> {exposed}",
    )


def gateway_rollout(view: EnvView, release: Release, group: dict[str, Any]) -> Hop:
    """A gateway rollout drops no request: the namespace carries the Load Balancer Controller's readiness
    gate label (a new pod is ready only once the ALB finds it healthy; docs/deploy/pod_readiness_gate.md),
    and a stopping pod waits longer than the target group's deregistration delay before its proxy stops
    (AWS EKS best practices, "Ensure Pods are Deregistered from Load Balancers before Termination"); the
    wait and the grace period as the chart renders the gateway's pods."""
    namespaces = [o for o in view.kind("Namespace") if o.name == release.namespace]
    labels = namespaces[0].body["metadata"].get("labels", {}) if namespaces else {}
    gate = labels.get("elbv2.k8s.aws/pod-readiness-gate-inject") == "enabled"
    pods = chart_objects.workload(view, release)
    spec = dict((pods.body["spec"]["template"].get("spec") or {}) if pods else {})
    sleep = max(
        (int(((c.get("lifecycle") or {}).get("preStop") or {}).get("sleep", {}).get("seconds", 0))
         for c in spec.get("containers") or ()),
        default=0,
    )  # fmt: skip
    delay = int(group.get("deregistration_delay", 300))
    grace = int(spec.get("terminationGracePeriodSeconds", 30))
    # after the pre-stop wait the proxy drains for terminationDrainDuration (Istio's default 5 s) and must
    # finish inside the grace period, or the kubelet kills it mid-drain
    ok = gate and delay < sleep and sleep + DRAIN_SECONDS < grace
    return hop(
        "gateway rollout",
        ok,
        f"readiness gate {'on' if gate else 'off'} in {release.namespace}; preStop {sleep} s vs "
        f"deregistration {delay} s, grace {grace} s",
    )


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def accepts_without_sni(server: dict[str, Any]) -> bool:
    """An HTTPS Gateway server matches the TLS handshake on SNI when its hosts name DNS names; a server
    whose hosts are all ``*`` (after the ``namespace/`` part) has no SNI match, so a ClientHello without SNI
    finds its filter chain (istio/istio#31421; Istio, "Configuring SNI routing when not sending SNI").
    The ALB connects to HTTPS targets without SNI."""
    return any(str(host).rsplit("/", 1)[-1] == "*" for host in server.get("hosts", []))


def gateway_server(view: EnvView, pods: Pods, port: int, target_port: int) -> Hop:
    """A Gateway selecting the gateway's pods has an HTTPS server terminating TLS on the Service port (or
    its target port: istiod maps a Service port to its targetPort) whose hosts a handshake without SNI
    matches."""
    for gateway in view.kind("Gateway"):
        if not matches(gateway.body["spec"].get("selector", {}), pods.labels):
            continue
        for server in gateway.body["spec"].get("servers", []):
            if int(server["port"]["number"]) not in (port, target_port):
                continue
            tls = server.get("tls", {})
            ok = (
                server["port"]["protocol"] == "HTTPS"
                and tls.get("mode") == "SIMPLE"
                and accepts_without_sni(server)
            )
            return hop(
                "gateway server",
                ok,
                f"{gateway} :{server['port']['number']} {server['port']['protocol']} {tls.get('mode')} "
                f"hosts {server['hosts']}"
                + ("" if accepts_without_sni(server) else " (matches on SNI; the ALB sends none)"),
                found=(gateway, server),
            )
    return hop("gateway server", False, f"no Gateway selects {pods.labels} on port {port}")


def server_admits_namespace(server: dict[str, Any], namespace: str) -> bool:
    """A VirtualService in ``namespace`` may bind a server whose hosts' namespace part is it, ``*`` or
    absent (Istio Gateway reference, ``hosts``)."""
    for host in server.get("hosts", []):
        part = str(host).split("/", 1)[0] if "/" in str(host) else "*"
        if part in ("*", namespace):
            return True
    return False


def routes(view: EnvView, gateway: Obj, server: dict[str, Any], host: str) -> Hop:
    """Canaries (Flagger writes their VirtualServices from ``spec.service``) that bind the Gateway and list
    ``host``, each with its path matches on the gateway; Envoy routes on ``:authority`` to the virtual
    host of the VirtualService that names it."""
    name = f"{gateway.namespace}/{gateway.name}"
    found = []
    for canary in view.kind("Canary"):
        service = canary.body["spec"]["service"]
        if name in service.get("gateways", []) and host in service.get("hosts", []):
            paths = [
                next(iter(match["uri"].values()))
                for match in service.get("match", [])
                if name in match.get("gateways", []) and "uri" in match
            ]
            if server_admits_namespace(server, canary.namespace):
                found.append((canary, paths))
    evidence = (
        "; ".join(f"{canary} {paths}" for canary, paths in found) or f"no Canary binds {name} for {host}"
    )
    return hop("route", bool(found), evidence, found=found)


def service_port(view: EnvView, canary: Obj) -> Hop:
    """Flagger's Service ``<name>`` forwards ``spec.service.port`` to ``targetPort`` (the port when unset)
    of the pods; the Deployment it targets has a container listening there
    (pkg/router/kubernetes_default.go, reconcileService)."""
    service = canary.body["spec"]["service"]
    port = int(service["port"])
    target = int(service.get("targetPort", port))
    deployment_name = canary.body["spec"]["targetRef"]["name"]
    deployments = [d for d in view.kind("Deployment", canary.namespace) if d.name == deployment_name]
    ports = [
        int(p["container_port"])
        for d in deployments
        for c in d.body["spec"]["template"]["spec"]["container"]
        for p in c.get("port", [])
    ]
    return hop(
        "service port",
        target in ports,
        f"Service {canary.namespace}/{canary.name}:{port} -> {target}; Deployment {deployment_name} "
        f"ports {ports}",
        found=(port, target, deployments[0] if deployments else None),
    )


def _peer_admits(peer: dict[str, Any], source: Pods, namespace_labels: dict[str, str]) -> bool:
    namespaces = peer.get("namespace_selector")
    pods = peer.get("pod_selector")
    if namespaces is None and pods is None:
        return False  # an ipBlock peer: not a pod source here
    if namespaces is not None and not matches(namespaces.get("match_labels", {}), namespace_labels):
        return False
    return pods is None or matches(pods.get("match_labels", {}), source.labels)


def _port_in(ports: list[dict[str, Any]], port: int, protocol: str = "TCP") -> bool:
    return not ports or any(int(p["port"]) == port and p.get("protocol", "TCP") == protocol for p in ports)


def namespace_labels(view: EnvView, namespace: str) -> dict[str, str]:
    for obj in view.kind("Namespace"):
        if obj.name == namespace:
            return {NAMESPACE_LABEL: namespace, **obj.body["metadata"].get("labels", {})}
    return {NAMESPACE_LABEL: namespace}


def network_ingress(
    view: EnvView, source: Pods, namespace: str, pod_labels: dict[str, str], port: int
) -> Hop:
    """NetworkPolicy: pods that some policy selects for Ingress admit only what a rule of one of those
    policies allows (peers: namespaceSelector and podSelector together; ports); policies add up
    (Kubernetes, "Network Policies")."""
    policies = [
        p
        for p in view.kind("NetworkPolicy", namespace)
        if matches(p.body["spec"]["pod_selector"].get("match_labels", {}), pod_labels)
        and "Ingress" in p.body["spec"].get("policy_types", [])
    ]
    if not policies:
        return hop("network ingress", True, f"{namespace}: no policy isolates the pods")
    labels = namespace_labels(view, source.namespace)
    for policy in policies:
        for rule in policy.body["spec"].get("ingress", []):
            if _port_in(rule.get("ports", []), port) and any(
                _peer_admits(peer, source, labels) for peer in rule.get("from", [])
            ):
                return hop(
                    "network ingress", True, f"{policy} admits {source.namespace} {source.labels} on {port}"
                )
    return hop(
        "network ingress",
        False,
        f"no policy of {namespace} admits {source.namespace} {source.labels} on {port}",
    )


def network_egress(
    view: EnvView,
    source: Pods,
    namespace: str,
    port: int,
    cidrs: list[str] | None = None,
    *,
    pods: dict[str, str] | None = None,
    protocol: str = "TCP",
    name: str = "network egress",
) -> Hop:
    """NetworkPolicy egress of the caller: to the pods (labels ``pods``, or any) of ``namespace`` or, for
    ``cidrs``, to ipBlocks covering every one of them, on ``port``/``protocol``; the VPC CNI enforces the
    original destination port, which the sidecar keeps (workload/network_policies.py)."""
    policies = [
        p
        for p in view.kind("NetworkPolicy", source.namespace)
        if matches(p.body["spec"]["pod_selector"].get("match_labels", {}), source.labels)
        and "Egress" in p.body["spec"].get("policy_types", [])
    ]
    if not policies:
        return hop(name, True, f"{source.namespace}: no policy isolates the pods")
    labels = namespace_labels(view, namespace)
    destination = Pods(namespace, pods or {}, "")
    for policy in policies:
        for rule in policy.body["spec"].get("egress", []):
            if not _port_in(rule.get("ports", []), port, protocol):
                continue
            peers = rule.get("to", [])
            if cidrs is not None:
                blocks = [
                    peer["ip_block"]["cidr"]
                    for peer in peers
                    if "ip_block" in peer and not peer["ip_block"].get("except")
                ]
                if blocks and all(in_cidrs(cidr, blocks) for cidr in cidrs):
                    return hop(name, True, f"{policy} to {blocks} on {port}/{protocol}")
            elif any(_peer_admits(peer, destination, labels) for peer in peers):
                return hop(
                    name, True, f"{policy} to {namespace}{f' {pods}' if pods else ''} on {port}/{protocol}"
                )
    target = cidrs if cidrs is not None else f"{namespace}{f' {pods}' if pods else ''}"
    return hop(
        name,
        False,
        f"no policy of {source.namespace} lets {source.labels} reach {target} on {port}/{protocol}",
    )


def _rule_admits(rule: dict[str, Any], request: Request) -> bool:
    for source in [s.get("source", {}) for s in rule.get("from", [])] or [{}]:
        principals = source.get("principals")
        if principals is not None and not any(fnmatch.fnmatchcase(request.principal, p) for p in principals):
            continue
        wanted = source.get("requestPrincipals")
        if wanted is not None and not (
            request.request_principal
            and any(fnmatch.fnmatchcase(request.request_principal, p) for p in wanted)
        ):
            continue
        break
    else:
        return False
    for operation in [t.get("operation", {}) for t in rule.get("to", [])] or [{}]:
        if "ports" in operation and str(request.port) not in operation["ports"]:
            continue
        if "methods" in operation and request.method not in operation["methods"]:
            continue
        if "paths" in operation and request.path not in operation["paths"]:
            continue
        if "hosts" in operation and request.host not in operation["hosts"]:
            continue
        if "notHosts" in operation and (request.host is None or request.host in operation["notHosts"]):
            continue
        break
    else:
        return False
    for condition in rule.get("when", []):
        key = condition["key"]
        claim = key.removeprefix("request.auth.claims[").removesuffix("]")
        if not key.startswith("request.auth.claims[") or not set(request.claims.get(claim, [])) & set(
            condition["values"]
        ):
            return False
    return True


def authorization(view: EnvView, namespace: str, pod_labels: dict[str, str], request: Request) -> Hop:
    """Istio authorization of a request to a workload: any matching DENY policy refuses it; with no ALLOW
    policy applying, it is allowed; otherwise one rule of an ALLOW policy must match all of its from, to
    and when (an ALLOW policy with no rules, ``deny-all``, matches nothing). Policies in the root namespace
    apply mesh-wide (Istio, "Authorization Policy" reference)."""
    applying = [
        p
        for p in [
            *view.kind("AuthorizationPolicy", namespace),
            *view.kind("AuthorizationPolicy", "istio-system"),
        ]
        if matches(p.body["spec"].get("selector", {}).get("matchLabels", {}), pod_labels)
    ]
    who = (request.principal or "a client without a mesh identity") + (
        f" with token {request.request_principal}" if request.request_principal else ""
    )
    host = f" for {request.host}" if request.host else ""
    what = f"{who} {request.method or 'any method'} {request.path or 'any path'} :{request.port}{host}"
    for policy in applying:
        if policy.body["spec"].get("action") == "DENY" and any(
            _rule_admits(r, request) for r in policy.body["spec"].get("rules", [])
        ):
            return hop("authorization", False, f"{policy} denies {what}")
    allows = [p for p in applying if p.body["spec"].get("action", "ALLOW") == "ALLOW"]
    for policy in allows:
        if any(_rule_admits(rule, request) for rule in policy.body["spec"].get("rules", [])):
            return hop("authorization", True, f"{policy} allows {what}")
    if not allows:
        return hop("authorization", True, f"no DENY policy matches and no ALLOW policy applies: {what}")
    return hop("authorization", False, f"no ALLOW policy of {namespace} matches {what}")


def edge_names_only(view: EnvView, gateway: Pods, port: int, host: str, internal: str) -> Hop:
    """The gateway admits a request for ``host`` and refuses one whose Host is the service's in-cluster name
    ``internal``: Flagger adds that name to each VirtualService, so a gateway server that matches any host
    would route it from the internet, past WAF's rules on the edge's names (Istio AuthorizationPolicy,
    ``hosts``/``notHosts``)."""
    edge = authorization(view, gateway.namespace, gateway.labels, Request("", port, host=host))
    inside = authorization(view, gateway.namespace, gateway.labels, Request("", port, host=internal))
    return hop(
        "edge names only",
        edge.status == "ok" and inside.status == "broken",
        f"{host}: {edge.evidence}; {internal}: {inside.evidence}",
    )


def request_authentication(view: EnvView, namespace: str, pod_labels: dict[str, str], issuer: str) -> Hop:
    """A request principal exists only where a RequestAuthentication selecting the workload (in its
    namespace, or the root namespace) validates tokens of its issuer (Istio, "RequestAuthentication")."""
    for policy in [
        *view.kind("RequestAuthentication", namespace),
        *view.kind("RequestAuthentication", "istio-system"),
    ]:
        if not matches(policy.body["spec"].get("selector", {}).get("matchLabels", {}), pod_labels):
            continue
        for rule in policy.body["spec"].get("jwtRules", []):
            if rule.get("issuer") == issuer:
                audiences = rule.get("audiences", [])
                return hop(
                    "token check", bool(audiences), f"{policy} validates {issuer} for audiences {audiences}"
                )
    return hop("token check", False, f"no RequestAuthentication in {namespace} validates {issuer}")


def sidecar_egress(view: EnvView, caller_namespace: str, host: str) -> Hop:
    """A Sidecar without a workload selector limits what every proxy of its namespace knows: a host is
    reachable when an egress ``hosts`` entry matches its namespace (``.`` is the Sidecar's own, ``*`` any)
    and its name (Istio, "Sidecar" reference). Without one, a proxy knows the whole mesh."""
    sidecars = [
        s for s in view.kind("Sidecar", caller_namespace) if not s.body["spec"].get("workloadSelector")
    ]
    if not sidecars:
        return hop("sidecar", True, f"no Sidecar in {caller_namespace}: its proxies know every service")
    _, _, rest = host.partition(".")
    namespace = rest.split(".", 1)[0] if ".svc." in host else None
    for sidecar in sidecars:
        for egress in sidecar.body["spec"].get("egress", []):
            for entry in egress.get("hosts", []):
                part, dns = entry.split("/", 1)
                if part == ".":
                    part = caller_namespace
                if (part == "*" or part == namespace or (namespace is None and part == "istio-system")) and (
                    dns == "*" or fnmatch.fnmatchcase(host, dns)
                ):
                    return hop("sidecar", True, f"{sidecar} lists {entry} for {host}")
    return hop("sidecar", False, f"no Sidecar of {caller_namespace} lists {host}")


def pods_of(deployment: Obj) -> Pods:
    template = deployment.body["spec"]["template"]
    labels = {k: str(v) for k, v in template["metadata"].get("labels", {}).items()}
    return Pods(deployment.namespace, labels, template["spec"].get("service_account_name") or "default")

"""The Istio charts' value trees, rendered from MeshProps in one place (checked against the pinned charts'
values.yaml and schema by tests/stacks/test_chart_values.py)."""

from __future__ import annotations

import json
from typing import Any, Final

from marketplace_constructs.edge.props import DEREGISTRATION_DELAY_SECONDS
from marketplace_constructs.mesh.props import MeshProps

# Istio's release images (the charts in the repository carry test defaults that the release build rewrites).
ISTIO_HUB: Final = "docker.io/istio"
TRACING_PROVIDER: Final = "otel-tracing"
ISTIOD_LABELS: Final = {"app": "istiod"}
# The gateway chart labels its pods istio=<release name without "istio-">: istio=ingressgateway here.
GATEWAY_LABELS: Final = {"istio": "ingressgateway"}
# Longer than the ALB's deregistration delay, plus the seconds the controller takes to deregister the pod.
PRE_STOP_SECONDS: Final = DEREGISTRATION_DELAY_SECONDS + 15


def zone_spread(labels: dict[str, str]) -> list[dict[str, Any]]:
    """Spread replicas over zones, then nodes. ScheduleAnyway: a zone short of capacity delays balance
    instead of leaving a pod Pending (the node groups span all zones, so the autoscaler cannot pick one)."""
    return [
        {
            "maxSkew": 1,
            "topologyKey": key,
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": labels},
        }
        for key in ("topology.kubernetes.io/zone", "kubernetes.io/hostname")
    ]


# Istio's default JSON access log fields (EnvoyJSONLogFormatIstio), plus the request's trace id, so a log
# line links to its trace (Alloy keeps trace_id as structured metadata; Grafana links it to Jaeger).
ACCESS_LOG_FIELDS: Final = {
    "start_time": "%START_TIME%",
    "route_name": "%ROUTE_NAME%",
    "method": "%REQ(:METHOD)%",
    "path": "%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%",
    "protocol": "%PROTOCOL%",
    "response_code": "%RESPONSE_CODE%",
    "response_flags": "%RESPONSE_FLAGS%",
    "response_code_details": "%RESPONSE_CODE_DETAILS%",
    "connection_termination_details": "%CONNECTION_TERMINATION_DETAILS%",
    "upstream_transport_failure_reason": "%UPSTREAM_TRANSPORT_FAILURE_REASON%",
    "bytes_received": "%BYTES_RECEIVED%",
    "bytes_sent": "%BYTES_SENT%",
    "duration": "%DURATION%",
    "upstream_service_time": "%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%",
    "x_forwarded_for": "%REQ(X-FORWARDED-FOR)%",
    "user_agent": "%REQ(USER-AGENT)%",
    "request_id": "%REQ(X-REQUEST-ID)%",
    "authority": "%REQ(:AUTHORITY)%",
    "upstream_host": "%UPSTREAM_HOST%",
    "upstream_cluster": "%UPSTREAM_CLUSTER_RAW%",
    "upstream_local_address": "%UPSTREAM_LOCAL_ADDRESS%",
    "downstream_local_address": "%DOWNSTREAM_LOCAL_ADDRESS%",
    "downstream_remote_address": "%DOWNSTREAM_REMOTE_ADDRESS%",
    "requested_server_name": "%REQUESTED_SERVER_NAME%",
    "trace_id": "%TRACE_ID%",
}


def istiod_values(props: MeshProps, tag: str) -> dict[str, Any]:
    """istiod: HPA, PDB and zone spread when highly available; CNI instead of privileged init containers;
    JSON access logs; OpenTelemetry tracing; apps start after their proxy; the outbound policy."""
    ha = props.highly_available
    return {
        "global": {
            "hub": ISTIO_HUB,
            "tag": tag,
            "logAsJson": True,
            "defaultPodDisruptionBudget": {"enabled": ha},
        },
        "replicaCount": props.istiod_replicas,
        "autoscaleEnabled": props.istiod_max_replicas > props.istiod_replicas,
        "autoscaleMin": props.istiod_replicas,
        "autoscaleMax": props.istiod_max_replicas,
        "resources": {"requests": {"cpu": "500m", "memory": "2Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}},
        "seccompProfile": {"type": "RuntimeDefault"},  # the chart leaves discovery's container Unconfined
        "topologySpreadConstraints": zone_spread(ISTIOD_LABELS) if ha else [],
        "cni": {"enabled": True},
        "meshConfig": {
            "accessLogFile": "/dev/stdout",
            "accessLogEncoding": "JSON",
            "accessLogFormat": json.dumps(ACCESS_LOG_FIELDS, sort_keys=True),
            "enableTracing": True,
            "extensionProviders": [
                {
                    "name": TRACING_PROVIDER,
                    "opentelemetry": {"service": props.collector_host, "port": props.collector_port},
                }
            ],
            "defaultProviders": {"tracing": [TRACING_PROVIDER]},
            "defaultConfig": {"holdApplicationUntilProxyStarts": True},
            "outboundTrafficPolicy": {"mode": "ALLOW_ANY" if props.allow_any_outbound else "REGISTRY_ONLY"},
        },
    }


def cni_values(tag: str) -> dict[str, Any]:
    """The CNI node agent, chained after the VPC CNI: it sets up each pod's traffic redirection, so pods
    need no privileged istio-init container (the services' namespaces enforce "restricted")."""
    return {
        "global": {"hub": ISTIO_HUB, "tag": tag, "logAsJson": True},
        "resources": {"requests": {"cpu": "100m", "memory": "100Mi"}, "limits": {"memory": "256Mi"}},
    }


def gateway_values(props: MeshProps) -> dict[str, Any]:
    """The ingress gateway behind the ALB: a ClusterIP Service (the ALB targets pod IPs), HPA, PDB and zone
    spread when highly available.

    A stopping gateway pod keeps serving for ``PRE_STOP_SECONDS`` first: Kubernetes takes it out of the
    Service's ready endpoints when it starts terminating, the Load Balancer Controller then deregisters it,
    and the ALB lets requests already sent to it finish for the target group's deregistration delay; only
    then does the proxy get SIGTERM (AWS EKS best practices, "Ensure Pods are Deregistered from Load
    Balancers before Termination"). Kubernetes' own sleep action, so no shell is needed in the image.
    """
    ha = props.gateway_replicas > 1
    return {
        "service": {"type": "ClusterIP"},
        "lifecycle": {"preStop": {"sleep": {"seconds": PRE_STOP_SECONDS}}},
        # The pre-stop wait, then Envoy's own drain (5 s by default) before the kill.
        "terminationGracePeriodSeconds": PRE_STOP_SECONDS + 20,
        "autoscaling": {
            "enabled": props.gateway_max_replicas > props.gateway_replicas,
            "minReplicas": props.gateway_replicas,
            "maxReplicas": props.gateway_max_replicas,
            "targetCPUUtilizationPercentage": 70,
        },
        "replicaCount": props.gateway_replicas,
        "podDisruptionBudget": {"maxUnavailable": 1} if ha else {},
        "topologySpreadConstraints": zone_spread(GATEWAY_LABELS) if ha else [],
        "resources": {
            "requests": {"cpu": "500m", "memory": "512Mi"},
            "limits": {"cpu": "2000m", "memory": "1024Mi"},
        },
    }

"""Flagger's load tester: the traffic a release's analysis measures, so an idle canary is not mistaken for a
broken one.

Flagger 1.44 counts a metric query that returns no value as a failed check, and the services see no
traffic of their own while a canary starts (the canary Service is new and takes a share only after a
passing window). The load tester (the ``loadtester`` chart of Flagger's repository) runs the commands each
Canary's webhooks send it: a blocking ``bash`` command before the rollout (an acceptance request, whose
failure stops the release) and a background ``cmd`` during it (``hey`` at the service's declared rate against
``<name>-canary``; a command already running is not started twice, pkg/loadtester/runner.go).

Platform layer: its namespace (restricted, in the mesh), a service account without an API token, and the
release. Apps layer (``LoadTesterAccess``): the policies that let it reach each service's declared path and
nothing else, and let Flagger, outside the mesh, reach it.
"""

from __future__ import annotations

from typing import Any, Final

from cdktf import ITerraformDependable
from cdktf_cdktf_provider_kubernetes.service_account_v1 import ServiceAccountV1, ServiceAccountV1Metadata
from constructs import Construct

from marketplace_constructs.helm import HelmChart, helm_release
from marketplace_constructs.workload.namespace import Namespace
from marketplace_constructs.workload.props import NamespaceProps

NAMESPACE: Final = "loadtester"
RELEASE: Final = "flagger-loadtester"
# The chart names its Deployment and Service after the release when the release name contains the chart's
# name ("loadtester.fullname" in templates/_helpers.tpl), and labels its pods app=<chart name>.
SERVICE: Final = RELEASE
SERVICE_PORT: Final = 80  # the chart's service.port; targetPort "http", the container's 8080
WEBHOOK_PORT: Final = 8080  # the loadtester binary's -port (templates/deployment.yaml)
POD_LABELS: Final = {"app": "loadtester"}
SERVICE_ACCOUNT: Final = RELEASE
URL: Final = f"http://{SERVICE}.{NAMESPACE}/"
FLAGGER_POD_LABELS: Final = {"app.kubernetes.io/name": "flagger", "app.kubernetes.io/instance": "flagger"}
UID, GID = 100, 101  # the image's "app" user and group (Dockerfile.loadtester: adduser -S), as the chart's
NAMESPACE_PROPS: Final = NamespaceProps(name=NAMESPACE)  # restricted, sidecar injected


def load_tester_values(*, canary_namespaces: tuple[str, ...]) -> dict[str, Any]:
    """Values of the ``loadtester`` chart (0.38.0).

    - One replica: a second would take every other webhook call and start a second ``hey`` of the same
      command, doubling the rate (the "already running" check is per pod).
    - ``cmd.namespaceRegexp``: only Canaries of ``canary_namespaces`` may have it run commands.
    - The webhook port (8080) is left out of the sidecar's capture: Flagger runs outside the mesh and calls
      in plain HTTP, which STRICT mTLS would refuse; the NetworkPolicies admit only Flagger's pod to it.
      Everything the load tester sends goes through its sidecar, with its mesh identity.
    - The restricted profile (the chart leaves it off): non-root as the image's user, no privilege
      escalation, no capabilities, RuntimeDefault seccomp, read-only root with an emptyDir /tmp.
    """
    pattern = "^(" + "|".join(sorted(canary_namespaces)) + ")$"
    return {
        "replicaCount": 1,
        "serviceAccountName": SERVICE_ACCOUNT,
        "cmd": {"timeout": "1h", "namespaceRegexp": pattern},
        "podAnnotations": {"traffic.sidecar.istio.io/excludeInboundPorts": str(WEBHOOK_PORT)},
        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}},
        "securityContext": {
            "enabled": True,
            "context": {
                "runAsNonRoot": True,
                "runAsUser": UID,
                "runAsGroup": GID,
                "readOnlyRootFilesystem": True,
                "allowPrivilegeEscalation": False,
                "capabilities": {"drop": ["ALL"]},
                "seccompProfile": {"type": "RuntimeDefault"},
            },
        },
        "podSecurityContext": {
            "enabled": True,
            "context": {"runAsNonRoot": True, "fsGroup": GID, "seccompProfile": {"type": "RuntimeDefault"}},
        },
        "volumes": [{"name": "tmp", "emptyDir": {}}],
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
    }


class LoadTester(Construct):
    """Namespace ``loadtester``, its service account (no API token: it calls services, never the API
    server) and the ``flagger-loadtester`` release, installed after ``after`` (the mesh, whose injector
    gives its pod a sidecar)."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        chart: HelmChart,
        canary_namespaces: tuple[str, ...],
        after: ITerraformDependable,
    ) -> None:
        super().__init__(scope, construct_id)
        namespace = Namespace(self, "namespace", props=NAMESPACE_PROPS)
        account = ServiceAccountV1(
            self, "service_account",
            metadata=ServiceAccountV1Metadata(name=SERVICE_ACCOUNT, namespace=namespace.name),
            automount_service_account_token=False,
        )  # fmt: skip
        self.release = helm_release(
            self, "release", chart=chart, release_name=RELEASE, namespace=namespace.name,
            values=load_tester_values(canary_namespaces=canary_namespaces), depends_on=[after, account],
        )  # fmt: skip

"""Flagger's chart values: the Istio provider reading the cluster's Prometheus, CRDs owned by the release,
its own metrics scraped, the restricted container profile, and no notifier of its own (each Canary names
the AlertProvider its alerts go to)."""

from __future__ import annotations

from typing import Any, Final

from marketplace_constructs.security.contexts import RESTRICTED_CONTAINER

# Flagger's own namespace, and that of the objects every Canary shares (metric templates, alert provider):
# Flagger's documented home with Istio, outside the mesh (no injection), so it reaches Prometheus, which is
# outside the mesh too, in plain HTTP, and labelled for the ClusterSecretStore.
FLAGGER_NAMESPACE: Final = "istio-system"
FLAGGER_UID: Final = 10001  # the image's user, as the chart's default securityContext sets it
# Secrets Manager secret (``<env>/<path>``, JSON ``{"webhook_url"}``): the Slack incoming webhook of the
# release notifications, created empty by the AWS layer and filled by its owner. Kept here, free of provider
# imports, so the AWS layer can read it.
SLACK_PATH: Final = "delivery/slack"
DELIVERY_SECRETS: Final = {SLACK_PATH: "Slack incoming webhook of Flagger's release notifications"}

FLAGGER_CONTAINER: Final = {**RESTRICTED_CONTAINER, "runAsUser": FLAGGER_UID}


def flagger_values(*, prometheus_url: str, cluster_name: str | None = None) -> dict[str, Any]:
    """Values of the ``flagger`` chart (1.44.0).

    - ``meshProvider: istio``: Flagger writes each Canary's VirtualService and DestinationRules; the
      builtin checks and the default metrics server are ``prometheus_url``.
    - ``crd.create``: the CRDs are templates of the release, so a chart bump upgrades them (Helm never
      upgrades a chart's ``crds/`` folder) and they carry ``helm.sh/resource-policy: keep``, so an uninstall
      keeps every Canary. The chart ships the same CRDs in ``crds/`` as well, which Helm installs first
      and then refuses to adopt ("invalid ownership metadata", fluxcd/flagger#1199): the release MUST set
      ``skip_crds = true``.
    - One replica, no leader election (the chart's default): a controller that pauses for a reschedule
      only delays an analysis; two would need ``leaderElection.enabled``.
    - ``configTracking`` off: with it, Flagger copies every Secret a Deployment mounts to ``<name>-primary``
      and runs each change as a release. Secrets here come from External Secrets and are rotated out of
      band, so the primary would keep a frozen copy of a revoked credential until a promotion; without it,
      both Deployments read the live Secret and only a pod template change starts an analysis.
    - A PodMonitor for Flagger's own metrics (``flagger_canary_status`` and friends), scraped every 30 s
      like the rest; the release must come after kube-prometheus-stack, which installs that CRD.
    - No Slack or Teams URL: alerts go only to the AlertProviders the Canaries name. ``cluster_name`` adds
      a "Cluster" field to each message, so environments sharing a channel stay apart.
    """
    values: dict[str, Any] = {
        "meshProvider": "istio",
        "metricsServer": prometheus_url,
        "crd": {"create": True},
        "leaderElection": {"enabled": False, "replicaCount": 1},
        "configTracking": {"enabled": False},
        "podMonitor": {"enabled": True, "interval": "30s"},
        "securityContext": {"enabled": True, "context": FLAGGER_CONTAINER},
    }
    if cluster_name:
        values["clusterName"] = cluster_name
    return values

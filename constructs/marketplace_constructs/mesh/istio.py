"""IstioMesh: Istio's CRDs, control plane, CNI node agent and ingress gateway, from the official charts."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from marketplace_constructs.helm import HelmChart, helm_release
from marketplace_constructs.mesh._render import cni_values, gateway_values, istiod_values
from marketplace_constructs.mesh.props import MeshProps


@dataclass(frozen=True, slots=True, kw_only=True)
class IstioCharts:
    """The four charts of one Istio release (same version; the image tag is that version)."""

    base: HelmChart
    istiod: HelmChart
    cni: HelmChart
    gateway: HelmChart


@dataclass(frozen=True, slots=True, kw_only=True)
class MeshNamespaces:
    """Where each part runs (tokens of the namespaces, so the releases wait for them)."""

    control_plane: str
    cni: str
    ingress: str


class IstioMesh(Construct):
    """base (CRDs) → istiod → CNI node agent → ingress gateway ``istio-ingressgateway``, in that order.

    The gateway waits for istiod, whose injection webhook gives it its proxy; the CNI agent comes before any
    workload of the mesh. ``release`` is the last release, for what must wait for the whole mesh.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        props: MeshProps,
        charts: IstioCharts,
        namespaces: MeshNamespaces,
    ) -> None:
        super().__init__(scope, construct_id)
        tag = charts.istiod.version
        base = helm_release(
            self, "base", chart=charts.base, release_name="istio-base", namespace=namespaces.control_plane,
            values={"defaultRevision": "default"},
        )  # fmt: skip
        istiod = helm_release(
            self, "istiod", chart=charts.istiod, namespace=namespaces.control_plane,
            values=istiod_values(props, tag), depends_on=[base],
        )  # fmt: skip
        cni = helm_release(
            self, "cni", chart=charts.cni, release_name="istio-cni", namespace=namespaces.cni,
            values=cni_values(tag), depends_on=[istiod],
        )  # fmt: skip
        self.release = helm_release(
            self, "gateway", chart=charts.gateway, release_name="istio-ingressgateway",
            namespace=namespaces.ingress, values=gateway_values(props), depends_on=[cni],
        )  # fmt: skip

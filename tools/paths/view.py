"""One environment as its synthesized stacks say it is: resources, Kubernetes objects and Helm releases,
with Terraform references followed (within a stack, and across stacks through cdktf's remote-state outputs)
so that a proof compares what Terraform will wire together, not the strings that name it.

A reference to a value only the cloud knows (an ARN, a DNS name) stays a ``Ref`` to its resource and
attribute: two references to the same ``Ref`` are the same value at apply, whatever it turns out to be.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Final

from policy.chart_values import ISTIO_DEFAULTS_KEY, coalesce, load_chart
from tools.charts.render import Manifest, ReleaseInput, render_environment

TOKEN: Final = re.compile(r"\$\{[^{}]*\}")
REMOTE: Final = re.compile(
    r"\$\{data\.terraform_remote_state\.cross-stack-reference-input-([\w-]+)\.outputs\.([\w-]+)\}"
)
REFERENCE: Final = re.compile(r"\$\{([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_.\[\]]+)\}")
LOCAL: Final = re.compile(r"\$\{local\.([A-Za-z0-9_-]+)\}")
LAYERS: Final = ("bootstrap", "foundation", "platform", "apps")


@dataclass(frozen=True, slots=True)
class Ref:
    """A value known only at apply: attribute ``attribute`` of resource ``address`` in stack ``stack``."""

    stack: str
    address: str
    attribute: str

    def __str__(self) -> str:
        return f"{self.stack}:{self.address}.{self.attribute}"


@dataclass(frozen=True, slots=True)
class Obj:
    """A Kubernetes object a stack creates: its kind, namespace, name and body (references resolved), and
    the Terraform address that creates it."""

    kind: str
    namespace: str
    name: str
    body: Mapping[str, Any]
    address: str

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True)
class Release:
    """A Helm release: its name, namespace, chart, the values it passes merged over the pinned chart's
    defaults (how Helm merges them), its Terraform address, and what it passes Helm (``source``, to render
    what it installs)."""

    name: str
    namespace: str
    chart: str
    version: str
    values: Mapping[str, Any]
    address: str
    source: ReleaseInput


# kubernetes provider resource types -> Kubernetes kinds (the ones the proofs read)
KINDS: Final = {
    "kubernetes_namespace_v1": "Namespace",
    "kubernetes_network_policy_v1": "NetworkPolicy",
    "kubernetes_deployment_v1": "Deployment",
    "kubernetes_horizontal_pod_autoscaler_v2": "HorizontalPodAutoscaler",
    "kubernetes_pod_disruption_budget_v1": "PodDisruptionBudget",
    "kubernetes_service_account_v1": "ServiceAccount",
}


class Synth:
    """Every stack of one synthesis (``cdktf.out/stacks/*/cdk.tf.json``), read once."""

    def __init__(self, stacks: Mapping[str, Mapping[str, Any]]) -> None:
        self.stacks = dict(stacks)

    @classmethod
    def read(cls, synth_dir: Path) -> Synth:
        return cls(
            {
                path.parent.name: json.loads(path.read_text())
                for path in (synth_dir / "stacks").glob("*/cdk.tf.json")
            }
        )

    def resources(self, stack: str, resource_type: str) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = (
            self.stacks.get(stack, {}).get("resource", {}).get(resource_type, {})
        )
        return found

    def resolve(self, stack: str, value: Any) -> Any:
        """``value`` with every reference followed: a literal where Terraform's configuration holds one, a
        ``Ref`` where only apply knows it, the text with each reference written as its ``Ref`` otherwise."""
        if isinstance(value, dict):
            return {key: self.resolve(stack, item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(stack, item) for item in value]
        if not isinstance(value, str) or "${" not in value:
            return value
        if TOKEN.fullmatch(value):
            return self._follow(stack, value)
        return TOKEN.sub(lambda match: str(self._follow(stack, match.group(0))), value)

    def _follow(self, stack: str, token: str) -> Any:
        remote = REMOTE.fullmatch(token)
        if remote:
            producer, output = remote.groups()
            outputs = self.stacks.get(producer, {}).get("output", {})
            if output not in outputs:
                return Ref(producer, "output", output)
            return self.resolve(producer, outputs[output]["value"])
        local = LOCAL.fullmatch(token)
        if local:
            locals_ = self.stacks.get(stack, {}).get("locals", {})
            return self.resolve(stack, locals_[local.group(1)]) if local.group(1) in locals_ else token
        reference = REFERENCE.fullmatch(token)
        if not reference or reference.group(1) == "data":
            return token  # an expression (for, one(), a function): kept as written
        resource_type, name, attribute = reference.groups()
        node: Any = self.resources(stack, resource_type).get(name)
        if node is None:
            return Ref(stack, f"{resource_type}.{name}", attribute)
        for part in re.findall(r"[A-Za-z0-9_-]+|\[\d+\]", attribute):
            if part.startswith("["):
                index = int(part[1:-1])
                if isinstance(node, list) and index < len(node):
                    node = node[index]
                continue  # cdktf writes single nested blocks as objects: [0] of an object is the object
            if isinstance(node, dict) and part in node:
                node = node[part]
            else:
                return Ref(stack, f"{resource_type}.{name}", attribute)
        return self.resolve(stack, node)


class EnvView:
    """One environment's stacks (``<env>-<layer>``) in ``synth``; ``primary`` names the environment whose
    stacks a standby's proofs may read (its zone and validation records), when synthesized alongside."""

    def __init__(self, synth: Synth, env: str) -> None:
        self.synth = synth
        self.env = env

    def stack(self, layer: str) -> str:
        return f"{self.env}-{layer}"

    @property
    def present(self) -> bool:
        return self.stack("foundation") in self.synth.stacks

    def resources(self, layer: str, resource_type: str) -> dict[str, dict[str, Any]]:
        return self.synth.resources(self.stack(layer), resource_type)

    def resource(self, ref: Ref) -> dict[str, Any] | None:
        resource_type, name = ref.address.split(".", 1)
        return self.synth.resources(ref.stack, resource_type).get(name)

    def resolve(self, layer: str, value: Any) -> Any:
        return self.synth.resolve(self.stack(layer), value)

    def removed(self, layer: str) -> list[str]:
        """Addresses the stack forgets (``removed`` blocks that keep the cloud object)."""
        blocks = self.synth.stacks.get(self.stack(layer), {}).get("removed", [])
        return [block["from"] for block in blocks if block.get("lifecycle", {}).get("destroy") is False]

    @cached_property
    def objects(self) -> list[Obj]:
        """Every Kubernetes object the platform and apps stacks create, references resolved."""
        found: list[Obj] = []
        for layer in ("platform", "apps"):
            stack = self.stack(layer)
            for name, resource in self.synth.resources(stack, "kubernetes_manifest").items():
                body = self.synth.resolve(stack, resource["manifest"])
                meta = body.get("metadata", {})
                found.append(
                    Obj(
                        body["kind"],
                        str(meta.get("namespace", "")),
                        str(meta["name"]),
                        body,
                        f"{stack}:kubernetes_manifest.{name}",
                    )
                )
            for resource_type, kind in KINDS.items():
                for name, resource in self.synth.resources(stack, resource_type).items():
                    body = self.synth.resolve(stack, resource)
                    meta = body.get("metadata", {})
                    found.append(
                        Obj(
                            kind,
                            str(meta.get("namespace", "")),
                            str(meta["name"]),
                            body,
                            f"{stack}:{resource_type}.{name}",
                        )
                    )
        return found

    def kind(self, kind: str, namespace: str | None = None) -> list[Obj]:
        return [o for o in self.objects if o.kind == kind and (namespace is None or o.namespace == namespace)]

    @cached_property
    def releases(self) -> list[Release]:
        found: list[Release] = []
        for layer in ("platform", "apps"):
            stack = self.stack(layer)
            for name, resource in self.synth.resources(stack, "helm_release").items():
                given: dict[str, Any] = {}
                for document in resource.get("values", []):
                    given = coalesce(given, json.loads(document))
                chart = load_chart(resource["chart"], resource["version"])
                defaults = chart.values.get(ISTIO_DEFAULTS_KEY, chart.values)
                source = ReleaseInput(
                    stack=stack,
                    key=name,
                    name=resource["name"],
                    namespace=str(self.synth.resolve(stack, resource["namespace"])),
                    chart=resource["chart"],
                    version=resource["version"],
                    values=self.synth.resolve(stack, given),
                    skip_crds=bool(resource.get("skip_crds")),
                )
                found.append(
                    Release(
                        name=source.name,
                        namespace=source.namespace,
                        chart=source.chart,
                        version=source.version,
                        values=self.synth.resolve(stack, coalesce(defaults, given)),
                        address=source.address,
                        source=source,
                    )
                )
        return found

    @property
    def kubernetes_version(self) -> str:
        """The environment's cluster version ("1.35"), as its foundation stack creates the cluster."""
        (cluster,) = self.resources("foundation", "aws_eks_cluster").values()
        return str(cluster["version"])

    @cached_property
    def rendered(self) -> Mapping[ReleaseInput, tuple[Manifest, ...]]:
        """What every release installs, rendered by Helm against this environment's cluster."""
        return render_environment((release.source for release in self.releases), self.kubernetes_version)

    def installed(self, release: Release, kind: str | None = None) -> list[Manifest]:
        """The objects ``release`` installs (of ``kind``), as its chart renders them."""
        return [m for m in self.rendered[release.source] if kind is None or m.kind == kind]

    def release(self, chart: str) -> Iterator[Release]:
        return (release for release in self.releases if release.chart == chart)

"""Render what each ``helm_release`` of the synthesized stacks installs, with Helm's own engine, offline.

``helm-python-sdk`` binds Helm v4's Go SDK. Each release renders its vendored chart (``charts/``) with exactly
the values, name and namespace the stack passes, and with the cluster's capabilities
(``tools/charts/capabilities.py``): its Kubernetes version and the API versions it serves, the CRDs of every
chart of the environment included (two passes: CRDs first, then every release with them).

Terraform references in the values render as the reference they resolve to
(``<stack>:<resource>.<attribute>``): what a template does with a value only the cloud knows, it does with
that text. Releases render as an upgrade (``.Release.IsUpgrade``): the steady state every deploy after the
first one meets. Objects Helm would never install through a ``helm_release`` (test hooks) are left out;
CRDs of the chart's ``crds/`` folder are kept unless the release skips them, as Helm installs them first.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

import helm_python
import yaml
from helm_python import _native

from tools.charts.capabilities import Capabilities, capabilities
from tools.charts.vendor import CHARTS_DIR, chart_folder

# Helm's own manifest splitter (helm/helm pkg/release/v1/util/manifest.go, SplitManifests): a document
# separator may follow text on the line before ("---# comment" is a separator too).
SEPARATOR: Final = re.compile(r"(?:^|\s*\n)---\s*")
TEST_HOOKS: Final = frozenset({"test", "test-success"})  # `helm test` only; never run by helm_release
HOOK: Final = "helm.sh/hook"


class _Loader(yaml.CSafeLoader):  # type: ignore[misc]
    """YAML as Kubernetes reads it: the merge-key-like "=" (YAML's value tag, used as a plain key in some
    CRDs' descriptions and enums) is a string."""


_Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


class RenderError(Exception):
    """A release that Helm cannot render; the message names the release, its chart and Helm's error (which
    names the template and line)."""


@dataclass(frozen=True, slots=True, eq=False)
class ReleaseInput:
    """What one ``helm_release`` passes Helm (compared by identity: one per release)."""

    stack: str
    key: str
    name: str
    namespace: str
    chart: str
    version: str
    values: Mapping[str, Any]
    skip_crds: bool = False

    @property
    def address(self) -> str:
        return f"{self.stack}:helm_release.{self.key}"

    @property
    def label(self) -> str:
        return f"{self.address} ({self.chart} {self.version})"


@dataclass(frozen=True, slots=True)
class Manifest:
    """One object a release installs, with the template that made it."""

    template: str
    body: Mapping[str, Any]
    namespace: str

    @property
    def kind(self) -> str:
        return str(self.body.get("kind", ""))

    @property
    def name(self) -> str:
        return str((self.body.get("metadata") or {}).get("name", ""))

    @property
    def installed(self) -> dict[str, Any]:
        """The object as the API server stores it: a namespaced object carries its namespace."""
        body = dict(self.body)
        if self.namespace:
            body["metadata"] = {**(body.get("metadata") or {}), "namespace": self.namespace}
        return body

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace + '/' if self.namespace else ''}{self.name}"


def loaded(chart: str, version: str, charts_dir: Path = CHARTS_DIR) -> helm_python.Chart:
    """The vendored chart, freshly loaded: Helm drops the subcharts a render's conditions switch off from
    the loaded chart itself, so a loaded chart serves one render only."""
    folder = chart_folder(chart, version, charts_dir)
    if not (folder / "Chart.yaml").is_file():
        raise RenderError(f"chart {chart} {version} is not vendored in {folder} (see charts/README.md)")
    with quiet_stderr():
        return helm_python.Chart.load(folder)


@contextmanager
def quiet_stderr() -> Iterator[None]:
    """Helm's loader logs one INFO line per symlinked subchart through Go's default logger, straight to the
    process's stderr (helm-python-sdk routes only a Config's logs); a load error still raises."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


@cache
def documents(text: str) -> tuple[dict[str, Any], ...]:
    """The objects of one rendered template, parsed once per distinct text (environments and the two
    capability passes render many identical templates, CRDs above all). Callers never change them."""
    parsed = (yaml.load(part, Loader=_Loader) for part in SEPARATOR.split(text))
    return tuple(body for body in parsed if isinstance(body, dict) and body)


def flattened(bodies: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """A ``v1`` ``List``'s items in its place: Helm builds resources with the API machinery's flattening
    resource builder, so a List installs its items."""
    for body in bodies:
        if body.get("apiVersion") == "v1" and body.get("kind") == "List":
            yield from (item for item in body.get("items") or () if isinstance(item, dict))
        else:
            yield body


def installed(body: Mapping[str, Any]) -> bool:
    hooks = str(((body.get("metadata") or {}).get("annotations") or {}).get(HOOK, ""))
    return not hooks or not {hook.strip() for hook in hooks.split(",")} <= TEST_HOOKS


def render(
    release: ReleaseInput, cluster: Capabilities, charts_dir: Path = CHARTS_DIR
) -> tuple[Manifest, ...]:
    """Every object ``release`` installs on ``cluster``: its chart's CRDs (unless skipped), then its
    templates' objects in template order. Namespaced objects without a namespace get the release's."""
    values = json.dumps(release.values, sort_keys=True, default=str)
    # a chart that never asks which APIs are served renders the same whatever they are
    served = cluster.api_versions if reads_api_versions(release.chart, release.version, charts_dir) else ()
    key = (release.chart, release.version, release.name, release.namespace, release.skip_crds, values)
    bodies = _objects(key, cluster.kube_version, served, release, cluster, charts_dir)
    return tuple(
        Manifest(template, body, namespace_of(body, release, cluster)) for template, body in bodies
    )


def namespace_of(body: Mapping[str, Any], release: ReleaseInput, cluster: Capabilities) -> str:
    """The object's namespace as Helm installs it: its own, else the release's unless its kind has none."""
    namespace = str((body.get("metadata") or {}).get("namespace") or "")
    if not namespace and body.get("kind") not in cluster.cluster_scoped:
        return release.namespace
    return namespace


@cache
def reads_api_versions(chart: str, version: str, charts_dir: Path) -> bool:
    """Whether any template of the chart or of its subcharts (symlinked copies) asks
    ``.Capabilities.APIVersions``."""
    for directory, _, names in os.walk(chart_folder(chart, version, charts_dir), followlinks=True):
        if "templates" in Path(directory).parts:
            if any("APIVersions" in Path(directory, n).read_text(errors="replace") for n in names):
                return True
    return False


_OBJECTS: dict[tuple[object, ...], tuple[tuple[str, dict[str, Any]], ...]] = {}


def _objects(
    key: tuple[object, ...],
    kube_version: str,
    served: tuple[str, ...],
    release: ReleaseInput,
    cluster: Capabilities,
    charts_dir: Path,
) -> tuple[tuple[str, dict[str, Any]], ...]:
    """(template, object) of one rendering, once per distinct input (environments' releases often pass
    the same values; the two capability passes often render alike)."""
    cache_key = (*key, kube_version, served, charts_dir)
    if cache_key not in _OBJECTS:
        _OBJECTS[cache_key] = _render_now(release, cluster, charts_dir, str(key[-1]))
    return _OBJECTS[cache_key]


def _render_now(
    release: ReleaseInput, cluster: Capabilities, charts_dir: Path, values: str
) -> tuple[tuple[str, dict[str, Any]], ...]:
    options = {
        "name": release.name,
        "namespace": release.namespace,
        "is_upgrade": True,  # steady state: what a deploy does to a release that exists
        "kube_version": cluster.kube_version,
        "api_versions": list(cluster.api_versions),
    }
    with loaded(release.chart, release.version, charts_dir) as chart:
        try:
            # helm-python-sdk's Chart.render does not pass kube_version/api_versions on; the native
            # helm_render takes them in its options (strictly decoded: a renamed key fails loudly).
            rendered: dict[str, str] = json.loads(
                _native.call_string("helm_render", chart._raw(), values, json.dumps(options))
            )
        except helm_python.HelmError as error:
            raise RenderError(f"{release.label}: {error}") from None
        crds = [] if release.skip_crds else [(crd["filename"], crd["data"]) for crd in chart.crds]
    sources = crds
    sources += sorted((path, text) for path, text in rendered.items() if not path.endswith("NOTES.txt"))
    found: list[tuple[str, dict[str, Any]]] = []
    for template, text in sources:
        try:
            bodies = documents(text)
        except yaml.YAMLError as error:
            raise RenderError(f"{release.label}: {template} renders invalid YAML: {error}") from None
        found += [(template, body) for body in flattened(bodies) if installed(body)]
    return tuple(found)


def render_environment(
    releases: Iterable[ReleaseInput], kubernetes_version: str, charts_dir: Path = CHARTS_DIR
) -> dict[ReleaseInput, tuple[Manifest, ...]]:
    """Every release of one environment, rendered against its cluster in steady state: the built-in APIs and
    every CRD the environment's charts install (rendered once without them to find them)."""
    releases = tuple(releases)
    bare = capabilities(kubernetes_version)
    crds = (manifest.body for release in releases for manifest in render(release, bare, charts_dir))
    cluster = capabilities(kubernetes_version, crds)
    return {release: render(release, cluster, charts_dir) for release in releases}

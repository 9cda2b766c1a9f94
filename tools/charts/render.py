"""Render what each ``helm_release`` of the synthesized stacks installs, with Helm's own engine, offline.

``helm-python-sdk`` binds Helm v4's Go SDK. Each release renders its vendored chart (``charts/``) with exactly
the values, name and namespace the stack passes, and with the cluster's capabilities
(``tools/charts/capabilities.py``): its Kubernetes version and the API versions it serves, the CRDs of every
chart of the environment included (two passes: CRDs first, then every release with them).

Terraform references in the values (``${aws_iam_role.x.arn}``) render as the reference text: what a template
does with a value only the cloud knows, it does with that text. Objects Helm would never install through a
``helm_release`` (test hooks) are left out; CRDs of the chart's ``crds/`` folder are kept unless the release
skips them, as Helm installs them first.
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

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace + '/' if self.namespace else ''}{self.name}"


@cache
def loaded(chart: str, version: str, charts_dir: Path = CHARTS_DIR) -> helm_python.Chart:
    """The vendored chart, loaded once per process."""
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


def documents(text: str) -> Iterator[dict[str, Any]]:
    for part in SEPARATOR.split(text):
        body = yaml.load(part, Loader=_Loader)
        if isinstance(body, dict) and body:
            yield body


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
    key = (release.chart, release.version, release.name, release.namespace, release.skip_crds, values)
    return _render(key, release, cluster, charts_dir)


_CACHE: dict[tuple[object, ...], tuple[Manifest, ...]] = {}


def _render(
    key: tuple[object, ...], release: ReleaseInput, cluster: Capabilities, charts_dir: Path
) -> tuple[Manifest, ...]:
    """Render once per distinct input (releases of several environments often pass the same)."""
    cache_key = (*key, cluster, charts_dir)
    if cache_key not in _CACHE:
        _CACHE[cache_key] = _render_now(release, cluster, charts_dir, str(key[-1]))
    return _CACHE[cache_key]


def _render_now(
    release: ReleaseInput, cluster: Capabilities, charts_dir: Path, values: str
) -> tuple[Manifest, ...]:
    chart = loaded(release.chart, release.version, charts_dir)
    options = {
        "name": release.name,
        "namespace": release.namespace,
        "kube_version": cluster.kube_version,
        "api_versions": list(cluster.api_versions),
    }
    try:
        # helm-python-sdk's Chart.render does not pass kube_version/api_versions on; the native helm_render
        # takes them in its options (strictly decoded: a renamed key fails loudly).
        rendered: dict[str, str] = json.loads(
            _native.call_string("helm_render", chart._raw(), values, json.dumps(options))
        )
    except helm_python.HelmError as error:
        raise RenderError(f"{release.label}: {error}") from None
    sources = [] if release.skip_crds else [(crd["filename"], crd["data"]) for crd in chart.crds]
    sources += sorted((path, text) for path, text in rendered.items() if not path.endswith("NOTES.txt"))
    manifests: list[Manifest] = []
    for template, text in sources:
        try:
            bodies = list(documents(text))
        except yaml.YAMLError as error:
            raise RenderError(f"{release.label}: {template} renders invalid YAML: {error}") from None
        for body in flattened(bodies):
            if installed(body):
                namespace = str((body.get("metadata") or {}).get("namespace") or "")
                if not namespace and body.get("kind") not in cluster.cluster_scoped:
                    namespace = release.namespace
                manifests.append(Manifest(template, body, namespace))
    return tuple(manifests)


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

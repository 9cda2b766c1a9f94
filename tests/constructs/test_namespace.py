"""Namespace: Pod Security labels and mesh injection."""

from __future__ import annotations

import pytest

from marketplace_constructs import ConfigError, Namespace, NamespaceProps
from tests.constructs.synth import synth_construct


def labels_of(props: NamespaceProps) -> dict[str, str]:
    resources = synth_construct(lambda scope: Namespace(scope, "ns", props=props))
    (namespace,) = resources["kubernetes_namespace_v1"].values()
    labels: dict[str, str] = namespace["metadata"]["labels"]
    return labels


def test_default_namespace_is_restricted_and_meshed() -> None:
    labels = labels_of(NamespaceProps(name="shop"))
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"
    assert labels["istio-injection"] == "enabled"


def test_a_weaker_level_still_audits_and_warns_against_restricted() -> None:
    labels = labels_of(
        NamespaceProps(name="monitoring", allow_pod_security="privileged", mesh_injection=False)
    )
    assert labels["pod-security.kubernetes.io/enforce"] == "privileged"
    assert (
        labels["pod-security.kubernetes.io/audit"]
        == labels["pod-security.kubernetes.io/warn"]
        == "restricted"
    )
    assert "istio-injection" not in labels


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "Shop"}, r"NamespaceProps.name must be a DNS-1123 label"),
        (
            {"allow_pod_security": "open"},
            r"NamespaceProps.allow_pod_security must be one of 'restricted', 'baseline', 'privileged'",
        ),
    ],
)
def test_rejects_bad_values(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        NamespaceProps(**{"name": "shop", **overrides})  # type: ignore[arg-type]

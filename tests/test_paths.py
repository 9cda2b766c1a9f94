"""Path proofs (tools/paths) over the synthesized stacks: every path of every environment connects, a
standby's in both roles; each kind of path is walked for everything the registries declare; and a proof
names the hop that one changed port, label, host, principal, endpoint or webhook breaks."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import environments
import services
from environments.base import EnvironmentConfig
from tools.paths.__main__ import declared, main
from tools.paths.model import Walk
from tools.paths.proofs import prove
from tools.paths.view import EnvView, Synth

STANDBYS = [env for env in environments.ALL if env.standby]
LABELS = [env.name for env in environments.ALL] + [f"{env.name} (active)" for env in STANDBYS]
PUBLIC = next(env for env in environments.ALL if env.standby is None and env.deletion_protection)


@pytest.fixture(scope="session")
def proofs(synth: Synth, failed_over_dir: Path) -> dict[str, list[Walk]]:
    """Every environment's walks; a standby's also as the failover deploy synthesizes it."""
    switched = Synth({**synth.stacks, **Synth.read(failed_over_dir).stacks})
    found = {}
    for env in environments.ALL:
        primary = EnvView(synth, env.standby.primary) if env.standby else None
        found[env.name] = prove(EnvView(synth, env.name), declared(env), primary=primary)
        if env.standby:
            found[f"{env.name} (active)"] = prove(
                EnvView(switched, env.name), declared(env), before=EnvView(synth, env.name), primary=primary
            )
    return found


@pytest.mark.parametrize("label", LABELS)
def test_every_path_connects(proofs: dict[str, list[Walk]], label: str) -> None:
    broken = [
        f"{w.kind} {w.subject}: {w.broken.name}: {w.broken.evidence}" for w in proofs[label] if w.broken
    ]
    assert broken == []


@pytest.mark.parametrize("label", LABELS)
def test_every_declared_path_is_walked(proofs: dict[str, list[Walk]], label: str) -> None:
    """A way in and a release per service, a request per routed service on each of its names, a walk per
    declared caller and per declared store: nothing the registries declare goes unproved."""
    env = next(e for e in environments.ALL if label.startswith(e.name))
    kinds: dict[str, list[str]] = {}
    for walk in proofs[label]:
        kinds.setdefault(walk.kind, []).append(walk.subject)
    specs = services.SPECS
    assert sorted(kinds["way in"]) == sorted(spec.name for spec in specs)
    assert len(kinds["release"]) == len(specs)
    assert len(kinds["service"]) == sum(len(spec.callers) for spec in specs)
    assert len(kinds["data"]) == sum(len(spec.data_stores) for spec in specs)
    names = 2 if env.standby else 1  # each name of the environment, and its primary's for a standby
    routed = sum(1 for spec in specs if spec.routes or spec.operator_routes)
    assert len(kinds["request"]) == routed * names


@pytest.mark.parametrize("label", LABELS)
def test_what_only_a_cluster_shows_is_reported_unproved_never_passing(
    proofs: dict[str, list[Walk]], label: str
) -> None:
    for walk in proofs[label]:
        for step in walk.unproved:
            assert step.evidence and step.name in ("zone delegation", "application answers", "promotion")
    assert all(walk.unproved for walk in proofs[label] if walk.kind in ("request", "release"))


# --- mutations: one hop of each kind, and the proof names it ---------------------------------------------


def mutated(synth: Synth, stack: str, change: Callable[[dict[str, Any]], None]) -> Synth:
    stacks = dict(synth.stacks)
    stacks[stack] = copy.deepcopy(stacks[stack])
    change(stacks[stack])
    return Synth(stacks)


def manifests(doc: dict[str, Any], kind: str, name: str | None = None) -> list[dict[str, Any]]:
    bodies = [resource["manifest"] for resource in doc["resource"]["kubernetes_manifest"].values()]
    return [b for b in bodies if b["kind"] == kind and (name is None or b["metadata"]["name"] == name)]


def broken_hops(synth: Synth, env: EnvironmentConfig, kind: str) -> dict[str, str]:
    """Subject -> first broken hop of every ``kind`` walk of ``env`` over ``synth``."""
    primary = EnvView(synth, env.standby.primary) if env.standby else None
    walks = prove(EnvView(synth, env.name), declared(env), primary=primary)
    return {w.subject: w.broken.name for w in walks if w.kind == kind and w.broken}


def _first_public(doc: dict[str, Any]) -> dict[str, Any]:
    return next(m for m in manifests(doc, "Canary") if "match" in m["spec"]["service"])


def test_a_wrong_port_on_the_target_group_binding_breaks_at_the_gateway_service(synth: Synth) -> None:
    def change(doc: dict[str, Any]) -> None:
        (binding,) = manifests(doc, "TargetGroupBinding")
        binding["spec"]["serviceRef"]["port"] = 8443

    hops = broken_hops(mutated(synth, f"{PUBLIC.name}-apps", change), PUBLIC, "request")
    assert set(hops.values()) == {"gateway service"}


def test_a_gateway_label_the_service_policy_does_not_select_breaks_at_network_ingress(synth: Synth) -> None:
    service = next(spec for spec in services.SPECS if spec.routes)

    def change(doc: dict[str, Any]) -> None:
        for policy in doc["resource"]["kubernetes_network_policy_v1"].values():
            for rule in (
                policy["spec"].get("ingress", []) if policy["metadata"]["name"] == "allow-ingress" else []
            ):
                for peer in rule["from"]:
                    if peer.get("pod_selector", {}).get("match_labels") == {"istio": "ingressgateway"}:
                        peer["pod_selector"]["match_labels"] = {"istio": "gateway"}

    hops = broken_hops(mutated(synth, f"{PUBLIC.name}-apps", change), PUBLIC, "request")
    assert hops and set(hops.values()) == {"network ingress"}
    assert any(subject.endswith(f"-> {service.name}") for subject in hops)


def test_a_gateway_server_that_names_its_host_breaks_on_the_albs_handshake_without_sni(synth: Synth) -> None:
    def change(doc: dict[str, Any]) -> None:
        (gateway,) = manifests(doc, "Gateway")
        gateway["spec"]["servers"][0]["hosts"] = [PUBLIC.edge.domain]

    hops = broken_hops(mutated(synth, f"{PUBLIC.name}-apps", change), PUBLIC, "request")
    assert set(hops.values()) == {"gateway server"}


def test_a_callers_principal_the_callee_does_not_admit_breaks_at_authorization(synth: Synth) -> None:
    callee = next(spec for spec in services.SPECS if spec.callers)
    caller = callee.callers[0]

    def change(doc: dict[str, Any]) -> None:
        for policy in manifests(doc, "AuthorizationPolicy", "allow-callers"):
            for rule in policy["spec"]["rules"]:
                sources = rule["from"][0]["source"]
                sources["principals"] = [
                    p.replace(f"/sa/{caller}", "/sa/impostor") for p in sources["principals"]
                ]

    hops = broken_hops(mutated(synth, f"{PUBLIC.name}-apps", change), PUBLIC, "service")
    assert hops[f"{caller} -> {callee.name}"] == "authorization"


def test_a_store_endpoint_missing_from_the_service_entries_breaks_the_data_path(synth: Synth) -> None:
    def change(doc: dict[str, Any]) -> None:
        (entry,) = manifests(doc, "ServiceEntry", "redis")
        entry["spec"]["hosts"] = entry["spec"]["hosts"][:1]  # the primary endpoint only: readers black-holed

    hops = broken_hops(mutated(synth, f"{PUBLIC.name}-apps", change), PUBLIC, "data")
    users = {spec.name for spec in services.SPECS if "redis" in spec.data_stores}
    assert hops == {f"{user} -> redis": "service entry" for user in users}


def test_a_canary_without_load_where_idle_windows_fail_breaks_the_release_path(synth: Synth) -> None:
    assert not PUBLIC.allow_idle_analysis

    def change(doc: dict[str, Any]) -> None:
        for canary in manifests(doc, "Canary"):
            canary["spec"]["analysis"].pop("webhooks")

    hops = broken_hops(mutated(synth, f"{PUBLIC.name}-apps", change), PUBLIC, "release")
    assert set(hops.values()) == {"analysis traffic"} and len(hops) == len(services.SPECS)


def test_a_standby_certificate_validating_only_its_own_names_breaks_at_validation(synth: Synth) -> None:
    (standby,) = STANDBYS

    def change(doc: dict[str, Any]) -> None:
        (validation,) = doc["resource"]["aws_acm_certificate_validation"].values()
        validation["validation_record_fqdns"] = [
            f for f in validation["validation_record_fqdns"] if "aws_route53_record" in f
        ]

    hops = broken_hops(mutated(synth, f"{standby.name}-foundation", change), standby, "request")
    assert hops and set(hops.values()) == {"certificate validation"}


def _webhooks_blocking(doc: dict[str, Any]) -> None:
    for canary in manifests(doc, "Canary"):
        for hook in canary["spec"]["analysis"]["webhooks"]:
            hook["metadata"]["type"] = "bash"  # a 5-minute run inside a 15 s webhook call: every call fails


def _no_load_in_the_first_window(doc: dict[str, Any]) -> None:
    for canary in manifests(doc, "Canary"):
        hooks = canary["spec"]["analysis"]["webhooks"]
        canary["spec"]["analysis"]["webhooks"] = [h for h in hooks if h["name"] != "load-first-window"]


def _no_host_allowlist(doc: dict[str, Any]) -> None:
    manifest = doc["resource"]["kubernetes_manifest"]
    for name in [n for n, r in manifest.items() if r["manifest"]["metadata"]["name"] == "edge-hosts-only"]:
        del manifest[name]


def _operators_from_anywhere(doc: dict[str, Any]) -> None:
    for policy in manifests(doc, "AuthorizationPolicy", "allow-operators"):
        policy["spec"]["rules"][0]["from"][0]["source"]["principals"] = ["*"]


def _token_check_on_no_pod(doc: dict[str, Any]) -> None:
    for policy in manifests(doc, "RequestAuthentication"):
        policy["spec"]["selector"] = {"matchLabels": {"app": "nobody"}}


def _database_as_tls(doc: dict[str, Any]) -> None:
    (entry,) = manifests(doc, "ServiceEntry", "postgres")
    entry["spec"]["ports"][0]["protocol"] = "TLS"


def _load_tester_outside_the_mesh(doc: dict[str, Any]) -> None:
    for namespace in doc["resource"]["kubernetes_namespace_v1"].values():
        if namespace["metadata"]["name"] == "loadtester":
            del namespace["metadata"]["labels"]["istio-injection"]


def _load_tester_for_other_namespaces(doc: dict[str, Any]) -> None:
    for release in doc["resource"]["helm_release"].values():
        if release["chart"] == "loadtester":
            values = json.loads(release["values"][0])
            values["cmd"]["namespaceRegexp"] = "^(nobody)$"
            release["values"] = [json.dumps(values)]


def _no_time_to_drain(doc: dict[str, Any]) -> None:
    for release in doc["resource"]["helm_release"].values():
        if release["chart"] == "gateway":
            values = json.loads(release["values"][0])
            values["terminationGracePeriodSeconds"] = values["lifecycle"]["preStop"]["sleep"]["seconds"] + 1
            release["values"] = [json.dumps(values)]


@pytest.mark.parametrize(
    ("layer", "change", "kind", "hop"),
    [
        ("apps", _webhooks_blocking, "release", "analysis traffic"),
        ("apps", _no_load_in_the_first_window, "release", "analysis traffic"),
        ("apps", _no_host_allowlist, "request", "edge names only"),
        ("apps", _operators_from_anywhere, "request", "operators only"),
        ("apps", _token_check_on_no_pod, "request", "token check"),
        ("apps", _database_as_tls, "data", "service entry"),
        ("platform", _load_tester_outside_the_mesh, "release", "load tester pod"),
        ("platform", _load_tester_for_other_namespaces, "release", "load tester"),
        ("platform", _no_time_to_drain, "request", "gateway rollout"),
    ],
    ids=lambda value: getattr(value, "__name__", str(value)),
)
def test_a_change_the_cluster_would_refuse_is_named_at_its_hop(
    synth: Synth, layer: str, change: Callable[[dict[str, Any]], None], kind: str, hop: str
) -> None:
    hops = broken_hops(mutated(synth, f"{PUBLIC.name}-{layer}", change), PUBLIC, kind)
    assert hops and set(hops.values()) == {hop}


# --- the command ---------------------------------------------------------------------------------------


def test_the_command_prints_every_hop_and_refuses_an_unknown_environment(
    synth_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CDKTF_OUTDIR", str(synth_dir))
    assert main([PUBLIC.name]) == 0
    out = capsys.readouterr().out
    assert f"== {PUBLIC.name}: " in out and "  ok        dns record" in out and "BROKEN" not in out
    assert main(["nowhere"]) == 2
    assert "error: unknown environment 'nowhere'" in capsys.readouterr().err
    assert main([PUBLIC.name, "--format", "json"]) == 0
    labels = json.loads(capsys.readouterr().out)
    assert [entry["label"] for entry in labels] == [PUBLIC.name, "CI identities and deploy boundaries"]
    walks = labels[0]["walks"]
    assert walks and all(w["connects"] for w in walks)
    assert {"name": "dns record", "status": "ok"}.items() <= next(
        h for w in walks for h in w["hops"] if h["name"] == "dns record"
    ).items()

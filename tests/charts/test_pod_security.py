"""Each Pod Security control (tools/charts/pod_security.py) refuses what the Pod Security Standards refuse
and admits what they allow, at the level that holds it: one allowed and one refused pod per control."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tools.charts.pod_security import violations

Spec = dict[str, Any]

# A pod the restricted level admits: every later case changes one thing.
RESTRICTED: Spec = {
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [
        {
            "name": "app",
            "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
            "ports": [{"containerPort": 8080}],
        }
    ],
    "volumes": [{"name": "tmp", "emptyDir": {}}],
}


def pod(change: Callable[[Spec], object]) -> Spec:
    spec = copy.deepcopy(RESTRICTED)
    change(spec)
    return spec


def container(spec: Spec) -> dict[str, Any]:
    first: dict[str, Any] = spec["containers"][0]
    return first


def ctx(spec: Spec) -> dict[str, Any]:
    """The container's security context."""
    context: dict[str, Any] = container(spec)["securityContext"]
    return context


def caps(spec: Spec) -> dict[str, Any]:
    capabilities: dict[str, Any] = ctx(spec)["capabilities"]
    return capabilities


def windows_without_escalation_setting(spec: Spec) -> None:
    spec["os"] = {"name": "windows"}  # "Linux only" controls do not apply
    ctx(spec).pop("allowPrivilegeEscalation")


# control: (level, a change it allows, a change it refuses)
CASES: dict[str, tuple[str, Callable[[Spec], object], Callable[[Spec], object]]] = {
    "host_process": (
        "baseline",
        lambda s: s["securityContext"].update(windowsOptions={"hostProcess": False}),
        lambda s: s["securityContext"].update(windowsOptions={"hostProcess": True}),
    ),
    "host_namespaces": ("baseline", lambda s: s.update(hostNetwork=False), lambda s: s.update(hostPID=True)),
    "privileged": (
        "baseline",
        lambda s: ctx(s).update(privileged=False),
        lambda s: ctx(s).update(privileged=True),
    ),
    "baseline_capabilities": (
        "baseline",
        lambda s: caps(s).update(add=["CHOWN"]),
        lambda s: caps(s).update(add=["NET_ADMIN"]),
    ),
    "host_path_volumes": (
        "baseline",
        lambda s: s["volumes"].append({"name": "c", "configMap": {"name": "c"}}),
        lambda s: s["volumes"].append({"name": "h", "hostPath": {"path": "/"}}),
    ),
    "host_ports": (
        "baseline",
        lambda s: container(s)["ports"][0].update(hostPort=0),
        lambda s: container(s)["ports"][0].update(hostPort=8080),
    ),
    "app_armor": (
        "baseline",
        lambda s: ctx(s).update(appArmorProfile={"type": "RuntimeDefault"}),
        lambda s: ctx(s).update(appArmorProfile={"type": "Unconfined"}),
    ),
    "se_linux": (
        "baseline",
        lambda s: s["securityContext"].update(seLinuxOptions={"type": None, "level": "s0"}),
        lambda s: s["securityContext"].update(seLinuxOptions={"type": "spc_t"}),
    ),
    "proc_mount": (
        "baseline",
        lambda s: ctx(s).update(procMount="Default"),
        lambda s: ctx(s).update(procMount="Unmasked"),
    ),
    "seccomp_not_unconfined": (
        "baseline",
        lambda s: s["securityContext"].update(seccompProfile={"type": "Localhost", "localhostProfile": "p"}),
        lambda s: ctx(s).update(seccompProfile={"type": "Unconfined"}),
    ),
    "sysctls": (
        "baseline",
        lambda s: s["securityContext"].update(sysctls=[{"name": "net.ipv4.tcp_syncookies", "value": "1"}]),
        lambda s: s["securityContext"].update(sysctls=[{"name": "kernel.msgmax", "value": "1"}]),
    ),
    "host_probes": (
        "baseline",
        lambda s: container(s).update(livenessProbe={"httpGet": {"path": "/", "port": 8080}}),
        lambda s: container(s).update(lifecycle={"preStop": {"tcpSocket": {"host": "10.0.0.1", "port": 1}}}),
    ),
    "volume_types": (
        "restricted",
        lambda s: s["volumes"].append({"name": "p", "projected": {"sources": []}}),
        lambda s: s["volumes"].append({"name": "n", "nfs": {"server": "x", "path": "/"}}),
    ),
    "privilege_escalation": (
        "restricted",
        windows_without_escalation_setting,
        lambda s: ctx(s).pop("allowPrivilegeEscalation"),
    ),
    "run_as_non_root": (
        "restricted",
        lambda s: ctx(s).update(runAsNonRoot=None),
        lambda s: ctx(s).update(runAsNonRoot=False),
    ),
    "run_as_user": (
        "restricted",
        lambda s: s["securityContext"].update(runAsUser=1000),
        lambda s: ctx(s).update(runAsUser=0),
    ),
    "seccomp_required": (
        "restricted",
        lambda s: ctx(s).update(seccompProfile=None),
        lambda s: s["securityContext"].pop("seccompProfile"),
    ),
    "restricted_capabilities": (
        "restricted",
        lambda s: caps(s).update(add=["NET_BIND_SERVICE"]),
        lambda s: caps(s).update(add=["CHOWN"]),
    ),
}


def test_the_reference_pod_meets_every_level() -> None:
    assert [violations(RESTRICTED, level) for level in ("privileged", "baseline", "restricted")] == [
        [],
        [],
        [],
    ]


@pytest.mark.parametrize("control", sorted(CASES))
def test_each_control_admits_what_it_allows_and_refuses_what_it_forbids(control: str) -> None:
    level, allowed, refused = CASES[control]
    assert violations(pod(allowed), level) == []
    found = violations(pod(refused), level)
    assert found and all(v.startswith(f"{control}: ") for v in found), found
    assert violations(pod(refused), "privileged") == []  # privileged admits anything


def test_baseline_admits_what_only_restricted_refuses() -> None:
    loosened = pod(
        lambda s: container(s)["securityContext"].update(allowPrivilegeEscalation=True, runAsUser=0)
    )
    assert violations(loosened, "baseline") == []
    assert [v.split(":")[0] for v in violations(loosened, "restricted")] == [
        "privilege_escalation",
        "run_as_user",
    ]


def test_app_armor_annotations_allow_runtime_default_and_localhost_only() -> None:
    key = "container.apparmor.security.beta.kubernetes.io/app"
    assert violations(RESTRICTED, "baseline", {key: "localhost/profile"}) == []
    assert violations(RESTRICTED, "baseline", {key: "unconfined"}) == [
        f"app_armor: metadata.annotations[{key}]"
    ]


def test_the_newer_relaxations_hold() -> None:
    """v1.32 added two TCP buffer sysctls to the safe set; an empty AppArmor annotation is the default
    profile; since v1.35 a pod in its own user namespace (``hostUsers: false``) may run as root."""
    buffers = pod(lambda s: s["securityContext"].update(sysctls=[{"name": "net.ipv4.tcp_rmem", "value": "4096"}]))
    assert violations(buffers, "baseline") == []
    key = "container.apparmor.security.beta.kubernetes.io/app"
    assert violations(RESTRICTED, "baseline", {key: ""}) == []
    rooted = pod(lambda s: ctx(s).update(runAsUser=0, runAsNonRoot=False))
    assert [v.split(":")[0] for v in violations(rooted, "restricted")] == ["run_as_non_root", "run_as_user"]
    rooted["hostUsers"] = False
    assert violations(rooted, "restricted") == []

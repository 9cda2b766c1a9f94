"""The Pod Security Standards (baseline and restricted), checked on a pod template the way the Pod Security
admission controller checks it at the level its namespace enforces (label
``pod-security.kubernetes.io/enforce``; a namespace without one admits anything: the cluster default is
"privileged").

Each control is one function returning the offending fields; the controls and their allowed values are those
of https://kubernetes.io/docs/concepts/security/pod-security-standards/ for the "latest" version the project's
namespaces enforce (Kubernetes 1.35): host probes and lifecycle hooks (v1.34+) included, AppArmor through the
field and the older annotations, the controls marked "Linux only" skipped for ``spec.os.name: windows``, the
user controls relaxed for pods in their own user namespace, and a container's unset or null setting falling
back to the pod's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

Spec = Mapping[str, Any]
LEVELS: Final = ("privileged", "baseline", "restricted")
ENFORCE_LABEL: Final = "pod-security.kubernetes.io/enforce"
APP_ARMOR_ANNOTATION: Final = "container.apparmor.security.beta.kubernetes.io/"

BASELINE_CAPABILITIES: Final = frozenset(
    {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE",
     "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
)  # fmt: skip
SAFE_SYSCTLS: Final = frozenset(
    {"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
     "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
     "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
     "net.ipv4.tcp_keepalive_probes", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}
)  # fmt: skip
SELINUX_TYPES: Final = frozenset(
    {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}
)
RESTRICTED_VOLUMES: Final = frozenset(
    {
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "persistentVolumeClaim",
        "projected",
        "secret",
    }
)
POD_TEMPLATE_PATHS: Final = {
    "Pod": ("spec",),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}  # every other workload kind: spec.template.spec
WORKLOADS: Final = frozenset(
    {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"}
)


def pod_spec(body: Mapping[str, Any]) -> Spec | None:
    """The pod template's spec of a workload object, or None for other kinds."""
    kind = body.get("kind")
    if kind not in WORKLOADS:
        return None
    node: Any = body
    for key in POD_TEMPLATE_PATHS.get(str(kind), ("spec", "template", "spec")):
        node = (node or {}).get(key)
    return node or {}


def pod_annotations(body: Mapping[str, Any]) -> Mapping[str, str]:
    """The pod template's annotations of a workload object (a Pod's own)."""
    kind = body.get("kind")
    path = {"Pod": ("metadata",), "CronJob": ("spec", "jobTemplate", "spec", "template", "metadata")}.get(
        str(kind), ("spec", "template", "metadata")
    )
    node: Any = body
    for key in path:
        node = (node or {}).get(key)
    return dict((node or {}).get("annotations") or {})


def linux(spec: Spec) -> bool:
    """Controls marked "Linux only" skip pods that declare ``spec.os.name: windows`` (v1.25+)."""
    return (spec.get("os") or {}).get("name") != "windows"


def containers(spec: Spec) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for field in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(field) or ():
            yield f"{field}[{container.get('name')}]", container


def _context(spec: Spec) -> Mapping[str, Any]:
    return spec.get("securityContext") or {}


def _ctx(container: Mapping[str, Any]) -> Mapping[str, Any]:
    return container.get("securityContext") or {}


def host_process(spec: Spec) -> list[str]:
    found = ["securityContext.windowsOptions.hostProcess"] if _windows_host(_context(spec)) else []
    return found + [f"{at}.securityContext.windowsOptions.hostProcess" for at, c in containers(spec)
                    if _windows_host(_ctx(c))]  # fmt: skip


def _windows_host(context: Mapping[str, Any]) -> bool:
    return bool((context.get("windowsOptions") or {}).get("hostProcess"))


def host_namespaces(spec: Spec) -> list[str]:
    return [field for field in ("hostNetwork", "hostPID", "hostIPC") if spec.get(field)]


def privileged(spec: Spec) -> list[str]:
    return [f"{at}.securityContext.privileged" for at, c in containers(spec) if _ctx(c).get("privileged")]


def baseline_capabilities(spec: Spec) -> list[str]:
    return [
        f"{at}.securityContext.capabilities.add[{cap}]"
        for at, c in containers(spec)
        for cap in (_ctx(c).get("capabilities") or {}).get("add") or ()
        if cap not in BASELINE_CAPABILITIES
    ]


def host_path_volumes(spec: Spec) -> list[str]:
    return [f"volumes[{v.get('name')}].hostPath" for v in spec.get("volumes") or () if "hostPath" in v]


def host_ports(spec: Spec) -> list[str]:
    return [
        f"{at}.ports[{port.get('containerPort')}].hostPort"
        for at, c in containers(spec)
        for port in c.get("ports") or ()
        if port.get("hostPort")
    ]


def app_armor(spec: Spec) -> list[str]:
    bad = []
    for at, context in (("securityContext", _context(spec)), *((a, _ctx(c)) for a, c in containers(spec))):
        if (context.get("appArmorProfile") or {}).get("type") not in (None, "RuntimeDefault", "Localhost"):
            bad.append(f"{at}.appArmorProfile.type")
    return bad


def app_armor_annotations(annotations: Mapping[str, str]) -> list[str]:
    """The pre-1.30 AppArmor annotations: only ``runtime/default`` and ``localhost/*`` are allowed."""
    return [
        f"metadata.annotations[{key}]"
        for key, value in annotations.items()
        if key.startswith(APP_ARMOR_ANNOTATION)
        and not (value in ("", "runtime/default") or str(value).startswith("localhost/"))
    ]


def se_linux(spec: Spec) -> list[str]:
    bad = []
    for at, context in (("securityContext", _context(spec)), *((a, _ctx(c)) for a, c in containers(spec))):
        options = context.get("seLinuxOptions") or {}
        if (options.get("type") or "") not in SELINUX_TYPES or options.get("user") or options.get("role"):
            bad.append(f"{at}.seLinuxOptions")
    return bad


def host_probes(spec: Spec) -> list[str]:
    """Probes and lifecycle hooks may not name a host (v1.34+): only the pod's own address is allowed."""
    bad = []
    for at, container in containers(spec):
        handlers = {f"{p}": container.get(p) for p in ("livenessProbe", "readinessProbe", "startupProbe")}
        lifecycle = container.get("lifecycle") or {}
        handlers |= {f"lifecycle.{h}": lifecycle.get(h) for h in ("postStart", "preStop")}
        for name, handler in handlers.items():
            for action in ("httpGet", "tcpSocket"):
                if ((handler or {}).get(action) or {}).get("host"):
                    bad.append(f"{at}.{name}.{action}.host")
    return bad


def user_namespaced(spec: Spec) -> bool:
    """A pod with ``hostUsers: false`` runs in its own user namespace: since v1.35 Pod Security relaxes the
    non-root, user and /proc mount controls for it (kubernetes/kubernetes#132157)."""
    return spec.get("hostUsers") is False


def proc_mount(spec: Spec) -> list[str]:
    if user_namespaced(spec):
        return []
    return [f"{at}.securityContext.procMount" for at, c in containers(spec)
            if _ctx(c).get("procMount") not in (None, "Default")]  # fmt: skip


def seccomp_not_unconfined(spec: Spec) -> list[str]:
    bad = []
    for at, context in (("securityContext", _context(spec)), *((a, _ctx(c)) for a, c in containers(spec))):
        if (context.get("seccompProfile") or {}).get("type") == "Unconfined":
            bad.append(f"{at}.seccompProfile.type")
    return bad


def sysctls(spec: Spec) -> list[str]:
    return [f"securityContext.sysctls[{s.get('name')}]" for s in _context(spec).get("sysctls") or ()
            if s.get("name") not in SAFE_SYSCTLS]  # fmt: skip


def volume_types(spec: Spec) -> list[str]:
    return [
        f"volumes[{volume.get('name')}].{kind}"
        for volume in spec.get("volumes") or ()
        for kind in volume
        if kind != "name" and kind not in RESTRICTED_VOLUMES
    ]


def privilege_escalation(spec: Spec) -> list[str]:
    if not linux(spec):
        return []
    return [f"{at}.securityContext.allowPrivilegeEscalation" for at, c in containers(spec)
            if _ctx(c).get("allowPrivilegeEscalation") is not False]  # fmt: skip


def run_as_non_root(spec: Spec) -> list[str]:
    if user_namespaced(spec):
        return []
    pod = _context(spec).get("runAsNonRoot")
    bad = [f"{at}.securityContext.runAsNonRoot" for at, c in containers(spec)
           if _own_or(_ctx(c).get("runAsNonRoot"), pod) is not True]  # fmt: skip
    return ["securityContext.runAsNonRoot"] if pod is False else bad


def _own_or(value: Any, inherited: Any) -> Any:
    """A container's setting, else (unset or null) the pod's."""
    return inherited if value is None else value


def run_as_user(spec: Spec) -> list[str]:
    if user_namespaced(spec):
        return []
    bad = ["securityContext.runAsUser"] if _context(spec).get("runAsUser") == 0 else []
    return bad + [
        f"{at}.securityContext.runAsUser" for at, c in containers(spec) if _ctx(c).get("runAsUser") == 0
    ]


def seccomp_required(spec: Spec) -> list[str]:
    if not linux(spec):
        return []
    pod = (_context(spec).get("seccompProfile") or {}).get("type")
    return [
        f"{at}.securityContext.seccompProfile.type"
        for at, c in containers(spec)
        if _own_or((_ctx(c).get("seccompProfile") or {}).get("type"), pod) not in ("RuntimeDefault", "Localhost")
    ]


def restricted_capabilities(spec: Spec) -> list[str]:
    if not linux(spec):
        return []
    bad = []
    for at, c in containers(spec):
        capabilities = _ctx(c).get("capabilities") or {}
        if "ALL" not in (capabilities.get("drop") or ()):
            bad.append(f"{at}.securityContext.capabilities.drop")
        bad += [f"{at}.securityContext.capabilities.add[{cap}]" for cap in capabilities.get("add") or ()
                if cap != "NET_BIND_SERVICE"]  # fmt: skip
    return bad


Control = Callable[[Spec], list[str]]
BASELINE: Final[tuple[Control, ...]] = (
    host_process, host_namespaces, privileged, baseline_capabilities, host_path_volumes, host_ports,
    app_armor, se_linux, proc_mount, seccomp_not_unconfined, sysctls, host_probes,
)  # fmt: skip
RESTRICTED: Final[tuple[Control, ...]] = (
    *BASELINE, volume_types, privilege_escalation, run_as_non_root, run_as_user, seccomp_required,
    restricted_capabilities,
)  # fmt: skip
CONTROLS: Final = {"privileged": (), "baseline": BASELINE, "restricted": RESTRICTED}


def violations(spec: Spec, level: str, annotations: Mapping[str, str] | None = None) -> list[str]:
    """``control: field`` for every field of the pod ``spec`` (and its template's ``annotations``) that the
    ``level`` forbids."""
    found = [f"{control.__name__}: {field}" for control in CONTROLS[level] for field in control(spec)]
    if level != "privileged":
        found += [f"app_armor: {field}" for field in app_armor_annotations(annotations or {})]
    return found


def enforced_level(namespace_labels: Mapping[str, str] | None) -> str:
    """The level a namespace enforces; without the label, the cluster default admits everything."""
    return (namespace_labels or {}).get(ENFORCE_LABEL, "privileged")

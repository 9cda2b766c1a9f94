"""Files a chart's release build generates when it packages the chart, which its repository does not hold.

external-secrets' repository keeps only a README in ``deploy/charts/external-secrets/templates/crds/``:
``make helm.generate`` (hack/helm.generate.sh) writes the CRD templates from ``deploy/crds/bundle.yaml``
before ``helm package``. ``external_secrets_crds`` is that script's steps, line for line: one template per
CRD, named after its singular name; ``served: {{ .Values.crds.unsafeServeV1Beta1 }}`` for the v1beta1
version of the ExternalSecret and SecretStore kinds; the whole CRD inside ``installCRDs`` (and, for the
Cluster* and PushSecret kinds, their own ``crds.create<Kind>`` flag); the conversion webhook's Service and
namespace templated; the ``crds.annotations`` and cert-manager injection lines after the first annotations
line. (Its v1alpha1 wrapping step changes nothing at 2.9.0: no such CRD version has a conversion.)
"""

from __future__ import annotations

from typing import Any, Final

import yaml

ANNOTATION_LINES: Final = (
    "    {{- with .Values.crds.annotations }}",
    "    {{- toYaml . | nindent 4}}",
    "    {{- end }}",
    "    {{- if and .Values.crds.conversion.enabled .Values.webhook.certManager.enabled "
    ".Values.webhook.certManager.addInjectorAnnotations }}",
    '    cert-manager.io/inject-ca-from: {{ .Release.Namespace }}/{{ include "external-secrets.fullname" . }}-webhook',
    "    {{- end }}",
)


def external_secrets_crds(bundle: str) -> dict[str, str]:
    """``templates/crds/<singular>.yaml`` -> template text, from the CRD bundle's text."""
    templates: dict[str, str] = {}
    for crd in yaml.safe_load_all(bundle):
        if crd:
            templates[f"templates/crds/{crd['spec']['names']['singular']}.yaml"] = _template(crd)
    return templates


def _template(crd: dict[str, Any]) -> str:
    kind = crd["spec"]["names"]["kind"]
    lines = yaml.safe_dump(crd, sort_keys=False, width=10_000).splitlines()
    if "ExternalSecret" in kind or "SecretStore" in kind:
        lines = _serve_v1beta1_by_value(lines)
    flag = f"create{kind}"
    if "Cluster" in kind or "PushSecret" in kind:
        opening = f"{{{{- if and (.Values.installCRDs) (.Values.crds.{flag}) }}}}"
    else:
        opening = "{{- if .Values.installCRDs }}"
    lines = [opening, *lines, "{{- end }}"]
    lines = [
        line.replace("name: kubernetes", 'name: {{ include "external-secrets.fullname" . }}-webhook').replace(
            "namespace: default", "namespace: {{ .Release.Namespace | quote }}"
        )
        for line in lines
    ]
    first = next(i for i, line in enumerate(lines) if "annotations" in line)
    return "\n".join([*lines[: first + 1], *ANNOTATION_LINES, *lines[first + 1 :]]) + "\n"


def _serve_v1beta1_by_value(lines: list[str]) -> list[str]:
    """sed's ``/name: v1beta1/,/served: false/{s/served: false/served: {{ .Values.crds.unsafeServeV1Beta1 }}/}``."""
    out, inside = [], False
    for line in lines:
        if not inside and "name: v1beta1" in line:
            inside = True
        if inside and "served: false" in line:
            line = line.replace("served: false", "served: {{ .Values.crds.unsafeServeV1Beta1 }}")
            inside = False
        out.append(line)
    return out

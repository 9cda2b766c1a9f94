"""Drift check of the runbooks (docs/runbooks/*.md) against the synthesized app and ``bin/dev``.

A runbook that names a stack, a task, a bucket or a namespace which no longer exists sends an operator, in
the middle of an incident, to something that is not there. This module reads every name a runbook writes in
code, inline spans (text between backticks) and every line of fenced code blocks, and checks it against what
the app really synthesizes, so a rename fails the test suite (tests/test_runbooks.py) instead.
Prose is never checked: write a thing that does not exist yet (work in progress) in prose, not in backticks.

Each pattern below names a kind of name and where it must exist. ENV is an environment of the synthesized
manifest (each stack id is ``<env>-<layer>``). A token ends before the first character its pattern does not
allow; trailing ``.``, ``-``, ``_`` and ``/`` are dropped. A token running into a placeholder (``<...>``,
``$VAR``, ``{...}``) is a prefix: ``production-eks-svc-<service>`` must begin some whole name
(``production-eks-svc-admin``), so an invented ``production-postgres-copy-<date>`` fails while
``production-postgres-<date>`` passes. ``<env>`` and other ``<placeholders>`` match nothing, and a word
without lower-case letters (``ENV``, ``20``) is a placeholder.

- task: ``bin/dev TASK``: a label of bin/dev's ``case`` list. ``bin/dev rollback ENV SERVICE`` and
  ``bin/dev dr-report ENV``: a known environment, and a service (a Canary of the apps layer).
- stack: ``ENV-bootstrap``, ``ENV-foundation``, ``ENV-platform``, ``ENV-apps``: a stack of the manifest.
  ``ENV-*`` in a ``cdktf`` command: an environment with stacks.
- cloud name: a token ``ENV-x`` (never right after ``<``, a letter, a digit, ``_``, ``.`` or ``-``, but
  ``/`` may precede it, so ARNs, log group paths and ``s3://`` URLs count; no ``/`` inside, as in bucket
  and role names), ``ENV/x`` (secret paths: ``/`` inside, none before), ``llm-marketplace-x``,
  ``llm-marketplace/x`` or ``alias/x``: a whole name inside some string of the synthesized JSON, that is
  with no letter, digit, ``_`` or ``-`` right before or after it (``production-postgres`` is inside
  ``/aws/rds/instance/production-postgres/postgresql``; ``production-postgresql`` is inside nothing).
  Stack names are checked as stacks only.
- namespace: ``-n X``, ``--namespace X`` or ``--namespace=X`` in a ``kubectl`` or ``helm`` command: a
  namespace the stacks create or deploy into, or a built-in one (``default``, ``kube-system``, ...).
- Helm release: ``helm status|history|rollback|uninstall|upgrade R`` and ``helm get <what> R``: a
  ``helm_release`` of a stack.
- object: ``KIND/NAME`` where KIND is a kind the apps layer creates as ``kubernetes_manifest``, a namespace
  or a StorageClass (``canary/publishing``, ``externalsecret/alerting-receivers``): an object of that kind and
  name. Kinds that charts create too (ServiceMonitor, PrometheusRule) are checked the same way, so name a
  chart's object as ``kubectl get KIND NAME``. Deployments, Services and Pods are never checked: Flagger and
  the charts make most of them.
- alert: a PascalCase word ending in High, Down, Exhausted or Missed (``ServiceDown``): an ``alert`` of a
  synthesized PrometheusRule.

    .venv/bin/python -m tools.runbook_check [SYNTH_DIR]   # default cdktf.out; exit 1 on a problem
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parents[1]
RUNBOOKS_DIR: Final = ROOT / "docs" / "runbooks"
BIN_DEV: Final = ROOT / "bin" / "dev"
LAYERS: Final = ("bootstrap", "foundation", "platform", "apps")
BUILTIN_NAMESPACES: Final = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})
ALERT_SUFFIXES: Final = ("High", "Down", "Exhausted", "Missed")
_NAME_BOUNDARY: Final = "A-Za-z0-9_-"  # characters that would make a match part of a longer name
_TRAILING: Final = ".-_/"
_PLACEHOLDER_STARTS: Final = ("<", "$", "{")
_FENCE: Final = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_INLINE: Final = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_TASK: Final = re.compile(r"(?<![\w/.-])bin/dev\s+([a-z][a-z0-9-]*)((?:[ \t]+[^\s|;&]+)*)")
_ALERT: Final = re.compile(rf"\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*(?:{'|'.join(ALERT_SUFFIXES)})\b")
_GLOB: Final = re.compile(r"(?<![<A-Za-z0-9_.-])([a-z][a-z0-9]*)-\*")
_OBJECT: Final = re.compile(r"(?<![\w./-])([a-z]+)/([a-z0-9][a-z0-9.-]*)")
_NAMESPACE_FLAG: Final = re.compile(r"(?:^|\s)(?:-n|--namespace)(?:=|\s+)([^\s'\"]+)")
_HELM_VALUE_FLAGS: Final = frozenset(
    {"-n", "--namespace", "--kube-context", "--kubeconfig", "-o", "--output", "--revision", "--timeout"}
)
_HELM_RELEASE_VERBS: Final = frozenset({"status", "history", "rollback", "uninstall", "upgrade"})


@dataclass(frozen=True, slots=True)
class Problem:
    """A name in a runbook that the synthesized app (or bin/dev) does not have."""

    source: str
    line: int
    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.kind} {self.name!r} does not exist"


@dataclass(frozen=True, slots=True)
class CodeText:
    """One piece of code from a runbook: an inline span or a line of a fenced block, with its line."""

    line: int
    text: str


@dataclass(frozen=True)
class Facts:
    """What exists: read from a synthesized app (``cdktf.out``) and ``bin/dev``."""

    stacks: frozenset[str]
    tasks: frozenset[str]
    strings: str  # every string (key or value) of every stack, one per line
    namespaces: frozenset[str]
    releases: frozenset[str]
    objects: Mapping[str, frozenset[str]]  # lower-case kind -> object names
    alerts: frozenset[str]
    services: frozenset[str]
    _found: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def envs(self) -> frozenset[str]:
        """The environments: each stack id is ``<env>-<layer>``."""
        return frozenset(stack.rsplit("-", 1)[0] for stack in self.stacks)

    @cached_property
    def _patterns(self) -> tuple[re.Pattern[str], ...]:
        envs = "|".join(re.escape(env) for env in sorted(self.envs, key=len, reverse=True))
        return (
            re.compile(rf"(?<![<A-Za-z0-9_.-])(?:{envs})-[A-Za-z0-9][A-Za-z0-9._-]*"),
            re.compile(rf"(?<![<A-Za-z0-9_./-])(?:{envs})/[A-Za-z0-9][A-Za-z0-9._/-]*"),
            re.compile(r"(?<![<A-Za-z0-9_.-])llm-marketplace-[A-Za-z0-9][A-Za-z0-9._-]*"),
            re.compile(r"(?<![<A-Za-z0-9_./-])llm-marketplace/[A-Za-z0-9][A-Za-z0-9._-]*"),
            re.compile(r"(?<![<A-Za-z0-9_.-])alias/[A-Za-z0-9][A-Za-z0-9/_-]*"),
        )

    @cached_property
    def stack_pattern(self) -> re.Pattern[str]:
        """A stack id of a known environment and layer (whether or not the stack exists)."""
        envs = "|".join(re.escape(env) for env in self.envs)
        return re.compile(rf"(?:{envs})-(?:{'|'.join(LAYERS)})")

    def cloud_tokens(self, text: str) -> Iterator[tuple[str, bool]]:
        """(name, is_prefix) for each name ``text`` holds by the cloud-name patterns (stack names included);
        a name running into a placeholder is a prefix and keeps its trailing separator."""
        for pattern in self._patterns:
            for match in pattern.finditer(text):
                prefix = text[match.end() : match.end() + 1] in _PLACEHOLDER_STARTS
                token = match.group() if prefix else match.group().rstrip(_TRAILING)
                if "-" in token or "/" in token:
                    yield token, prefix

    def in_strings(self, name: str, prefix: bool = False) -> bool:
        """True when ``name`` is a whole name inside some string of the synthesized JSON (with ``prefix``:
        the beginning of one)."""
        key = f"{name}\0{prefix}"
        if key not in self._found:
            boundary = f"[{_NAME_BOUNDARY}]"
            end = "" if prefix else f"(?!{boundary})"
            pattern = re.compile(rf"(?<!{boundary}){re.escape(name)}{end}")
            self._found[key] = pattern.search(self.strings) is not None
        return self._found[key]


def load_facts(synth_dir: Path, bin_dev: Path = BIN_DEV) -> Facts:
    """Facts of the app synthesized into ``synth_dir`` (its manifest.json and stacks/*/cdk.tf.json)."""
    manifest = json.loads((synth_dir / "manifest.json").read_text(encoding="utf-8"))
    docs = {
        stack: json.loads((synth_dir / "stacks" / stack / "cdk.tf.json").read_text(encoding="utf-8"))
        for stack in manifest["stacks"]
    }
    return facts_of(docs, bin_dev)


def facts_of(docs: Mapping[str, Mapping[str, Any]], bin_dev: Path = BIN_DEV) -> Facts:
    """Facts of synthesized stacks (stack id -> its cdk.tf.json document)."""
    stacks = frozenset(docs)
    strings: list[str] = []
    namespaces: set[str] = set()
    releases: set[str] = set()
    objects: dict[str, set[str]] = {}
    alerts: set[str] = set()
    for stack in sorted(stacks):
        doc = docs[stack]
        strings.extend(_strings(doc))
        resources: dict[str, dict[str, Any]] = doc.get("resource", {})
        for namespace in resources.get("kubernetes_namespace_v1", {}).values():
            namespaces.add(_metadata(namespace).get("name", ""))
        for release in resources.get("helm_release", {}).values():
            releases.add(release["name"])
            namespaces.add(release.get("namespace", ""))
        typed_kinds = (
            ("kubernetes_storage_class_v1", "storageclass"),
            ("kubernetes_namespace_v1", "namespace"),
        )
        for typed, kind in typed_kinds:
            for resource in resources.get(typed, {}).values():
                objects.setdefault(kind, set()).add(_metadata(resource).get("name", ""))
        for resource in resources.get("kubernetes_manifest", {}).values():
            manifest_object = resource["manifest"]
            metadata = manifest_object.get("metadata", {})
            objects.setdefault(manifest_object["kind"].lower(), set()).add(metadata.get("name", ""))
            namespaces.add(metadata.get("namespace", ""))
            if manifest_object["kind"] == "PrometheusRule":
                for group in manifest_object["spec"]["groups"]:
                    alerts.update(rule["alert"] for rule in group["rules"] if "alert" in rule)
    return Facts(
        stacks=stacks,
        tasks=frozenset(bin_dev_tasks(bin_dev.read_text(encoding="utf-8"))),
        strings="\n".join(strings),
        namespaces=frozenset(name for name in namespaces if name and "${" not in name) | BUILTIN_NAMESPACES,
        releases=frozenset(releases),
        objects={kind: frozenset(names) for kind, names in objects.items()},
        alerts=frozenset(alerts),
        services=frozenset(objects.get("canary", set())),
    )


def bin_dev_tasks(script: str) -> list[str]:
    """The task labels of bin/dev's ``case "$task" in ... esac`` (``*`` excluded)."""
    body = script.split('case "$task" in', 1)[1].split("esac", 1)[0]
    labels = re.findall(r"^\s*([a-z][a-z0-9|-]*)\)", body, flags=re.MULTILINE)
    return [task for label in labels for task in label.split("|")]


def code_texts(markdown: str) -> Iterator[CodeText]:
    """Every inline code span (paragraphs joined, so a span may wrap) and every fenced code line."""
    fence: str | None = None
    paragraph: list[tuple[int, str]] = []
    lines = markdown.splitlines()
    for number, line in enumerate(lines, start=1):
        opener = _FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            else:
                yield CodeText(number, line)
            continue
        if opener:
            yield from _spans(paragraph)
            paragraph, fence = [], opener.group(1)
        elif line.strip():
            paragraph.append((number, line))
        else:
            yield from _spans(paragraph)
            paragraph = []
    yield from _spans(paragraph)


def _spans(paragraph: list[tuple[int, str]]) -> Iterator[CodeText]:
    if not paragraph:
        return
    first = paragraph[0][0]
    text = "\n".join(line for _, line in paragraph)
    for match in _INLINE.finditer(text):
        yield CodeText(first + text.count("\n", 0, match.start()), match.group(2).replace("\n", " ").strip())


def check_code(code: CodeText, facts: Facts, source: str) -> list[Problem]:
    """The problems of one span or code line."""
    problems: list[Problem] = []
    text = code.text

    def report(kind: str, name: str) -> None:
        problems.append(Problem(source, code.line, kind, name))

    for match in _TASK.finditer(text):
        task, args = match.group(1), match.group(2).split()
        if task not in facts.tasks:
            report("bin/dev task", task)
        _check_task_args(task, args, facts, report)
        # the task word (dr-report) is no cloud name; its arguments are still read (bin/dev diff STACK)
        text = text[: match.start()] + " " * (match.end(1) - match.start()) + text[match.end(1) :]
    for command in re.split(r"\||;|&&", text):
        if re.search(r"\bcdktf\b", command):
            for match in _GLOB.finditer(command):
                if match.group(1) not in facts.envs:
                    report("stack glob", match.group())
    for token, prefix in dict.fromkeys(facts.cloud_tokens(text)):
        if facts.stack_pattern.fullmatch(token) and not prefix:
            if token not in facts.stacks:
                report("stack", token)
        elif not facts.in_strings(token, prefix):
            report("cloud name prefix" if prefix else "cloud name", token)
    for command in re.split(r"\||;|&&", text):
        if re.search(r"\b(?:kubectl|helm)\b", command):
            for namespace in _NAMESPACE_FLAG.findall(command):
                if not _placeholder(namespace) and namespace not in facts.namespaces:
                    report("namespace", namespace)
    for release in _helm_releases(text):
        if release not in facts.releases:
            report("Helm release", release)
    for kind, name in _OBJECT.findall(text):
        known = facts.objects.get(kind) or facts.objects.get(kind.removesuffix("s"))
        if known is not None and name not in known:
            report(f"{kind} object", name)
    for alert in _ALERT.findall(text):
        if alert not in facts.alerts:
            report("alert", alert)
    return problems


def _check_task_args(task: str, args: list[str], facts: Facts, report: Callable[[str, str], None]) -> None:
    words = [arg for arg in args if not arg.startswith("-")]
    if task in ("rollback", "dr-report") and words and not _placeholder(words[0]):
        for env in words if task == "dr-report" else words[:1]:
            if not _placeholder(env) and env not in facts.envs:
                report("environment", env)
    if (
        task == "rollback"
        and len(words) > 1
        and not _placeholder(words[1])
        and words[1] not in facts.services
    ):
        report("service", words[1])


def _placeholder(word: str) -> bool:
    """A placeholder or a value that is no name: <env>, $VAR, {x}, quoted text, ENV, 20."""
    return word.startswith(("<", "$", "{", "[", "'", '"')) or word.upper() == word


def _helm_releases(text: str) -> Iterator[str]:
    """Release names of ``helm`` commands in ``text``."""
    for command in re.findall(r"\bhelm\s+([^|;&]+)", text):
        words, skip = [], False
        for word in command.split():
            if skip:
                skip = False
            elif word in _HELM_VALUE_FLAGS:
                skip = True
            elif not word.startswith("-"):
                words.append(word)
        if words and words[0] in _HELM_RELEASE_VERBS and len(words) > 1:
            release = words[1]
        elif len(words) > 2 and words[0] == "get":
            release = words[2]
        else:
            continue
        if not _placeholder(release):
            yield release


def check_text(markdown: str, facts: Facts, source: str = "<text>") -> list[Problem]:
    """Every problem of one runbook's text."""
    return [problem for code in code_texts(markdown) for problem in check_code(code, facts, source)]


def check_runbooks(facts: Facts, directory: Path = RUNBOOKS_DIR) -> list[Problem]:
    """Every problem of every ``*.md`` in ``directory``."""
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.md")):
        source = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        problems += check_text(path.read_text(encoding="utf-8"), facts, source)
    return problems


def failover_steps(markdown: str) -> list[tuple[str, float]]:
    """(step, minutes) of the table under the heading that starts with "Failover steps": the rows whose first
    cell is a step number, read from the columns headed "step" and "minutes"."""
    lines = markdown.splitlines()
    start = next((index for index, line in enumerate(lines) if re.match(r"#+\s+Failover steps", line)), None)
    if start is None:
        return []
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in _first_table(lines[start + 1 :])
    ]
    if len(rows) < 2:
        return []
    header = [cell.lower() for cell in rows[0]]
    step, minutes = header.index("step"), header.index("minutes")
    return [
        (row[step].replace("**", ""), float(row[minutes])) for row in rows[2:] if row and row[0].isdigit()
    ]


def _first_table(lines: Sequence[str]) -> list[str]:
    table: list[str] = []
    for line in lines:
        if line.lstrip().startswith("|"):
            table.append(line)
        elif table or line.startswith("#"):
            break
    return table


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _metadata(resource: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = resource.get("metadata", {})
    found: Mapping[str, Any] = metadata[0] if isinstance(metadata, list) else metadata
    return found


def main(argv: Sequence[str]) -> int:
    synth_dir = Path(argv[0]) if argv else ROOT / "cdktf.out"
    problems = check_runbooks(load_facts(synth_dir))
    for problem in problems:
        print(problem)
    print(f"{len(problems)} problem(s) in {RUNBOOKS_DIR.relative_to(ROOT)} against {synth_dir}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

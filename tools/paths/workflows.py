"""The runs GitHub will start from this repository's workflows: every job, each matrix entry and each call of
a reusable workflow expanded, with the expressions of ``runs-on``, ``environment`` and the AWS credentials
step evaluated as GitHub would, from the contexts it has at that point.

GitHub evaluates ``runs-on`` and ``environment`` before the job starts: only ``github``, ``needs``,
``strategy``, ``matrix``, ``inputs`` and repository-level ``vars`` exist then ("Contexts: context
availability"). A variable set on the job's own GitHub environment is not there yet (github/docs#33389), so
a ``vars.`` reference in ``runs-on`` is refused: a runner label must not depend on where the variable lives.
Expressions here are the forms the workflows use, ``${{ a.b.c }}`` inside a string; anything else is
reported as unevaluable, never guessed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml

EXPRESSION: Final = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
PATH: Final = re.compile(r"[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*")
BEFORE_JOB: Final = ("github", "needs", "strategy", "matrix", "inputs")
MATRIX_SOURCE: Final = re.compile(r"fromJSON\(needs\.([\w-]+)\.outputs\.([\w-]+)\)")
# The tools a matrix's source job runs, with the arguments that list every entry any run can have: every
# plannable stack (a pull request plans a subset), every environment some branch deploys (a push deploys
# those of its branch).
MATRIX_TOOLS: Final[dict[str, tuple[str, ...]]] = {
    "tools.changed_stacks": (),
    "tools.deploy_order": ("--every-branch",),
}
CREDENTIALS_ACTION: Final = "aws-actions/configure-aws-credentials@"


class Unevaluable(ValueError):
    """An expression this module does not evaluate, or one naming a context that is not available."""


def evaluate(value: Any, context: Mapping[str, Any], allowed: tuple[str, ...] = BEFORE_JOB) -> Any:
    """``value`` with each ``${{ path }}`` replaced by its value in ``context`` (a whole-string expression
    keeps its type: a list stays a list). A path outside ``allowed`` contexts or absent raises."""
    if isinstance(value, list):
        return [evaluate(item, context, allowed) for item in value]
    if not isinstance(value, str):
        return value
    whole = EXPRESSION.fullmatch(value.strip())
    if whole:
        return _lookup(whole.group(1), context, allowed)
    return EXPRESSION.sub(lambda match: str(_lookup(match.group(1), context, allowed)), value)


def _lookup(expression: str, context: Mapping[str, Any], allowed: tuple[str, ...]) -> Any:
    if not PATH.fullmatch(expression):
        raise Unevaluable(f"`{expression}` is not a plain context path")
    head, *rest = expression.split(".")
    if head not in allowed:
        raise Unevaluable(
            f"`{expression}`: the {head} context is not available here (only {', '.join(allowed)})"
        )
    node: Any = context.get(head)
    for part in rest:
        if not isinstance(node, Mapping) or part not in node:
            raise Unevaluable(f"`{expression}` has no value here")
        node = node[part]
    return node


@dataclass(frozen=True, slots=True)
class Credentials:
    """One configure-aws-credentials step: the role and region expressions as written."""

    role: str
    region: str


@dataclass(frozen=True, slots=True)
class Run:
    """One job GitHub starts: where it is written, its label, its ``runs-on`` and ``environment`` as
    written, the contexts known before it starts, its credentials steps and the text of its commands."""

    workflow: str
    job: str
    label: str
    runs_on: Any
    environment: Any
    context: Mapping[str, Any]
    credentials: tuple[Credentials, ...]
    commands: str
    permissions: Mapping[str, str] = field(default_factory=dict)

    @property
    def oidc(self) -> bool:
        return self.permissions.get("id-token") == "write"


def load(directory: Path) -> dict[str, dict[Any, Any]]:
    """Every workflow of ``directory`` by file name."""
    return {path.name: yaml.safe_load(path.read_text()) for path in sorted(directory.glob("*.yml"))}


def _credentials(job: Mapping[str, Any]) -> tuple[Credentials, ...]:
    return tuple(
        Credentials(
            role=str(step["with"].get("role-to-assume", "")), region=str(step["with"].get("aws-region", ""))
        )
        for step in job.get("steps", [])
        if str(step.get("uses", "")).startswith(CREDENTIALS_ACTION)
    )


def _commands(job: Mapping[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in job.get("steps", []))


def _called(uses: str) -> str | None:
    """The file of a local reusable workflow (``./`` or GitHub's ``$/`` self-repository form)."""
    match = re.fullmatch(r"(?:\./|\$/)\.github/workflows/([\w.-]+\.ya?ml)", uses)
    return match.group(1) if match else None


def _matrix_entries(
    workflow: Mapping[str, Any], job: Mapping[str, Any], synth_dir: Path, root: Path
) -> list[dict[str, Any]]:
    """The matrix of ``job``: ``{}`` without one; for a matrix read from ``fromJSON(needs.J.outputs.O)``,
    every entry job J's step can compute: the MATRIX_TOOLS command it runs, from the checkout at ``root``,
    over the synthesis."""
    matrix = job.get("strategy", {}).get("matrix")
    if not matrix:
        return [{}]
    (name, value), *others = matrix.items()
    source = MATRIX_SOURCE.search(str(value))
    if others or not source:
        raise Unevaluable(f"matrix {matrix!r} is not one list read from a job's output")
    producer = workflow["jobs"].get(source.group(1), {})
    command = _output_command(producer, source.group(2))
    tool = next((tool for tool in MATRIX_TOOLS if tool in command), None)
    if tool is None:
        where = f"{source.group(1)}.outputs.{source.group(2)}"
        raise Unevaluable(f"matrix source {where} runs none of {', '.join(MATRIX_TOOLS)}")
    # the command the job runs, from the checkout the workflows belong to, over the synthesis
    result = subprocess.run(
        [sys.executable, "-m", tool, str(synth_dir.resolve()), *MATRIX_TOOLS[tool]],
        cwd=root, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise Unevaluable(f"{tool} failed: {result.stderr.strip().splitlines()[-1:]}")
    return [{name: entry} for entry in json.loads(result.stdout)]


def runs(
    directory: Path, synth_dir: Path, checkout: Path | None = None
) -> Iterator[Run | tuple[str, str, Unevaluable]]:
    """Every run of the workflows in ``directory`` over the synthesis in ``synth_dir``; a job whose runs
    cannot be enumerated yields (workflow, job, the reason). Workflows triggered only by ``workflow_call``
    run through their callers here (this repository's); ``service-image.yml``, called from the services'
    repositories, is proved by its own path (``tools.paths.identity``). ``checkout``: the working tree whose
    ``tools.changed_stacks`` computes matrices (default: the one holding ``directory``)."""
    workflows = load(directory)
    for name, workflow in workflows.items():
        triggers = workflow.get(True, workflow.get("on", {}))  # YAML 1.1 reads the key `on` as True
        if set(triggers) == {"workflow_call"}:
            continue
        for job_id, job in workflow["jobs"].items():
            try:
                entries = _matrix_entries(workflow, job, synth_dir, checkout or directory.parents[1])
            except Unevaluable as error:
                yield (name, job_id, error)
                continue
            called = _called(str(job.get("uses", "")))
            if called:
                for entry in entries:
                    inputs = {key: _input(value, entry) for key, value in job.get("with", {}).items()}
                    label = " ".join([job_id, *(str(value) for value in entry.values())])
                    for called_id, called_job in workflows[called]["jobs"].items():
                        yield _run(
                            called,
                            called_id,
                            f"{label} ({called}: {called_id})",
                            called_job,
                            {"inputs": inputs},
                        )
                continue
            for entry in entries:
                target = next(iter(entry.values()), None)
                stack = target.get("stack") if isinstance(target, Mapping) else target
                label = f"{job_id} {stack}" if stack else job_id
                yield _run(name, job_id, label, job, {"matrix": entry})


def _output_command(job: Mapping[str, Any], output: str) -> str:
    """The command of the step that computes ``job``'s ``output`` (``${{ steps.S.outputs.O }}``); "" when
    the output is not one step's."""
    step = re.fullmatch(
        r"\$\{\{\s*steps\.([\w-]+)\.outputs\.[\w-]+\s*\}\}", str(job.get("outputs", {}).get(output, ""))
    )
    if not step:
        return ""
    return next((str(s.get("run", "")) for s in job.get("steps", []) if s.get("id") == step.group(1)), "")


def _input(value: Any, entry: Mapping[str, Any]) -> Any:
    """A reusable workflow's input as its call evaluates it from the matrix ``entry``; an expression beyond a
    plain path (``contains(...)``) stays as written, for the checks that read it to refuse."""
    try:
        return evaluate(value, {"matrix": entry})
    except Unevaluable:
        return value


def _run(workflow: str, job_id: str, label: str, job: Mapping[str, Any], context: Mapping[str, Any]) -> Run:
    return Run(
        workflow=workflow,
        job=job_id,
        label=label,
        runs_on=job.get("runs-on"),
        environment=job.get("environment"),
        context=context,
        credentials=_credentials(job),
        commands=_commands(job),
        permissions={str(k): str(v) for k, v in (job.get("permissions") or {}).items()},
    )

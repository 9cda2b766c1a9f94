"""A small IAM policy evaluator for one account: identity policies and a permissions boundary, for a request
(action, resource, context keys), in the order AWS evaluates them (IAM user guide, "Policy evaluation logic"):

1. an explicit Deny in any policy (identity or boundary) that matches refuses the request;
2. otherwise it is allowed only when an identity policy allows it AND, where a boundary is set, the boundary
   allows it too (a boundary grants nothing; it caps; "Permissions boundaries for IAM entities");
3. anything else is an implicit deny.

Resource-based policies are the callers' (``tools.paths.identity`` applies the state buckets' and keys'
policies); SCPs and session policies do not take part (the project sets none). A statement matches when its
Action (or NotAction), Resource (or NotResource) and every Condition match; wildcards ``*`` and ``?`` as IAM
defines them, actions case-insensitively. Condition operators: StringEquals, StringNotEquals, StringLike,
StringNotLike, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike, Bool, with the ``ForAnyValue:``/``ForAllValues:``
set qualifiers; a key missing from the request fails a positive operator and satisfies a negated one ("IAM
JSON policy elements: Condition operators"), fails any ``ForAnyValue`` and satisfies any ``ForAllValues``
("Set operators for multivalued context keys"). Context key names match whatever their case, values as the
operator says (IAM user guide, "IAM JSON policy elements: Condition": key names are case-insensitive). A
statement needs exactly one of Action and NotAction; one without Resource or NotResource is a trust policy's
(its principal is checked by the caller). Anything else is refused as unsupported rather than guessed.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

Decision = Literal["allow", "explicit deny", "implicit deny"]
NEGATED: Final = ("StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike")


@dataclass(frozen=True, slots=True)
class Request:
    action: str
    resource: str
    context: Mapping[str, str | Sequence[str]] = field(default_factory=dict)


def _glob(pattern: str, value: str, *, case: bool = True) -> bool:
    """IAM's wildcards: ``*`` any run of characters, ``?`` one; nothing else is special."""
    escaped = pattern.replace("[", "[[]")
    return (
        fnmatch.fnmatchcase(value, escaped) if case else fnmatch.fnmatchcase(value.lower(), escaped.lower())
    )


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _operator_matches(operator: str, wanted: list[str], given: str | Sequence[str] | None) -> bool:
    qualifier, _, base = operator.rpartition(":")
    if base not in (
        "StringEquals", "StringNotEquals", "StringLike", "StringNotLike", "ArnEquals", "ArnLike",
        "ArnNotEquals", "ArnNotLike", "Bool",
    ):  # fmt: skip
        raise ValueError(f"condition operator {operator!r} is not supported by this evaluator")
    negated = base in NEGATED
    if given is None:  # an absent key: ForAnyValue never holds, ForAllValues always, else only a negation
        return qualifier == "ForAllValues" or (negated and qualifier != "ForAnyValue")
    values = _listed(given)

    def one(value: str) -> bool:
        if base in ("StringEquals", "StringNotEquals", "Bool", "ArnEquals", "ArnNotEquals"):
            hit = value in wanted if base != "Bool" else value.lower() in [w.lower() for w in wanted]
        else:
            hit = any(_glob(w, value) for w in wanted)
        return not hit if negated else hit

    if qualifier == "ForAnyValue":
        return any(one(value) for value in values)
    if qualifier == "ForAllValues":
        return all(one(value) for value in values)
    return all(one(value) for value in values) if negated else any(one(value) for value in values)


def _statement_matches(statement: Mapping[str, Any], request: Request) -> bool:
    if ("Action" in statement) == ("NotAction" in statement):
        raise ValueError(f"statement {statement.get('Sid', '')!r} needs exactly one of Action and NotAction")
    context = {key.lower(): value for key, value in request.context.items()}  # key names ignore case
    if "Action" in statement:
        if not any(_glob(a, request.action, case=False) for a in _listed(statement["Action"])):
            return False
    elif any(_glob(a, request.action, case=False) for a in _listed(statement.get("NotAction", []))):
        return False
    if "Resource" in statement:
        if not any(_glob(r, request.resource) for r in _listed(statement["Resource"])):
            return False
    elif any(_glob(r, request.resource) for r in _listed(statement.get("NotResource", []))):
        return False
    for operator, keys in statement.get("Condition", {}).items():
        for key, wanted in keys.items():
            if not _operator_matches(operator, _listed(wanted), context.get(key.lower())):
                return False
    return True


def statements(documents: Iterable[str | Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    found: list[Mapping[str, Any]] = []
    for document in documents:
        parsed = json.loads(document) if isinstance(document, str) else document
        listed = parsed["Statement"]
        found += [listed] if isinstance(listed, dict) else listed
    return found


def evaluate(
    identity: Iterable[str | Mapping[str, Any]], boundary: str | Mapping[str, Any] | None, request: Request
) -> tuple[Decision, str]:
    """The decision for ``request`` and the statement (Sid) that decided it."""
    granted = statements(identity)
    capped = statements([boundary]) if boundary is not None else []
    for statement in (*granted, *capped):
        if statement["Effect"] == "Deny" and _statement_matches(statement, request):
            return "explicit deny", str(statement.get("Sid", "a Deny"))
    allowing = next((s for s in granted if s["Effect"] == "Allow" and _statement_matches(s, request)), None)
    if allowing is None:
        return "implicit deny", "no identity policy allows it"
    if boundary is not None and not any(
        s["Effect"] == "Allow" and _statement_matches(s, request) for s in capped
    ):
        return "implicit deny", "the permissions boundary does not allow it"
    return "allow", str(allowing.get("Sid", "an Allow"))

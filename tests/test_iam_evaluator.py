"""tools/paths/iam.py against the evaluation rules and examples AWS documents in the IAM user guide:
"Policy evaluation logic" (explicit deny first; an allow needs the identity policy and, where set, the
permissions boundary), "Permissions boundaries for IAM entities" (a boundary grants nothing), "IAM JSON policy
elements: Condition operators" (absent keys) and "Set operators for multivalued context keys"."""

from __future__ import annotations

from typing import Any

import pytest

from tools.paths.iam import Request, evaluate

S3_READ = {"Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_a_boundary_grants_nothing_the_identity_policy_does_not() -> None:
    """The guide's example: a boundary allowing S3, CloudWatch and EC2, an identity policy allowing
    iam:CreateUser: the user may do neither (the effective permissions are the intersection)."""
    boundary = doc({"Effect": "Allow", "Action": ["s3:*", "cloudwatch:*", "ec2:*"], "Resource": "*"})
    identity = doc({"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"})
    assert evaluate([identity], boundary, Request("iam:CreateUser", "arn:aws:iam::1:user/x"))[0] == (
        "implicit deny"
    )
    assert evaluate([identity], boundary, Request("s3:GetObject", "arn:aws:s3:::b/k"))[0] == "implicit deny"
    assert evaluate([S3_READ], boundary, Request("s3:GetObject", "arn:aws:s3:::b/k")) == ("allow", "Read")


def test_an_explicit_deny_in_either_policy_wins_over_any_allow() -> None:
    deny = {"Sid": "No", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    request = Request("s3:GetObject", "arn:aws:s3:::b/k")
    assert evaluate([S3_READ, doc(deny)], None, request) == ("explicit deny", "No")
    assert evaluate([S3_READ], doc({"Effect": "Allow", "Action": "*", "Resource": "*"}, deny), request) == (
        "explicit deny",
        "No",
    )


def test_without_any_allow_the_request_is_implicitly_denied() -> None:
    assert evaluate([], None, Request("s3:GetObject", "arn:aws:s3:::b/k"))[0] == "implicit deny"


def test_not_action_allows_everything_but_the_named_service_and_actions_ignore_case() -> None:
    boundary = doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})
    admin = doc({"Effect": "Allow", "Action": "*", "Resource": "*"})
    assert (
        evaluate([admin], boundary, Request("IAM:CreateRole", "arn:aws:iam::1:role/r"))[0] == "implicit deny"
    )
    assert evaluate([admin], boundary, Request("ec2:RunInstances", "*"))[0] == "allow"
    assert evaluate([S3_READ], None, Request("S3:getobject", "arn:aws:s3:::b/k"))[0] == "allow"


def test_resources_match_with_iam_wildcards_only() -> None:
    policy = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*.tflock"})
    assert evaluate([policy], None, Request("s3:GetObject", "arn:aws:s3:::b/x/s.tflock"))[0] == "allow"
    assert (
        evaluate([policy], None, Request("s3:GetObject", "arn:aws:s3:::b/x/s.tfstate"))[0] == "implicit deny"
    )
    literal = doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/[ab]"})
    assert evaluate([literal], None, Request("s3:GetObject", "arn:aws:s3:::b/a"))[0] == "implicit deny"


@pytest.mark.parametrize(
    ("operator", "context", "matches"),
    [
        # "If the key ... is not present in the request context, the values do not match" ...
        ("StringEquals", {}, False),
        # ... "and a condition with a negated operator (StringNotEquals, ArnNotLike...) evaluates to true"
        ("StringNotEquals", {}, True),
        ("StringEquals", {"iam:PermissionsBoundary": "arn:aws:iam::1:policy/wb"}, True),
        ("StringNotEquals", {"iam:PermissionsBoundary": "arn:aws:iam::1:policy/wb"}, False),
        ("StringNotEquals", {"iam:PermissionsBoundary": "arn:aws:iam::1:policy/other"}, True),
        ("StringLike", {"iam:PermissionsBoundary": "arn:aws:iam::1:policy/wb"}, True),
        ("ArnNotLike", {}, True),
    ],
)
def test_condition_operators_and_absent_keys(operator: str, context: dict[str, str], matches: bool) -> None:
    policy = doc(
        {
            "Effect": "Allow",
            "Action": "iam:CreateRole",
            "Resource": "*",
            "Condition": {operator: {"iam:PermissionsBoundary": "arn:aws:iam::1:policy/wb"}},
        }
    )
    decision, _ = evaluate([policy], None, Request("iam:CreateRole", "arn:aws:iam::1:role/r", context))
    assert (decision == "allow") is matches


def test_set_operators_over_multivalued_keys() -> None:
    """ForAnyValue: some value matches (false without the key); ForAllValues: every value matches (true
    without the key, which is why AWS recommends pairing it with a Null check)."""
    any_alias = doc(
        {
            "Effect": "Deny",
            "Action": "kms:ScheduleKeyDeletion",
            "Resource": "*",
            "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": ["alias/state"]}},
        }
    )
    request = Request("kms:ScheduleKeyDeletion", "k", {"kms:ResourceAliases": ["alias/other", "alias/state"]})
    assert evaluate([any_alias], None, request)[0] == "explicit deny"
    assert evaluate([any_alias], None, Request("kms:ScheduleKeyDeletion", "k"))[0] == "implicit deny"
    all_tags = doc(
        {
            "Effect": "Allow",
            "Action": "ec2:CreateTags",
            "Resource": "*",
            "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "cost"]}},
        }
    )
    assert evaluate([all_tags], None, Request("ec2:CreateTags", "i", {"aws:TagKeys": ["team"]}))[0] == "allow"
    assert evaluate([all_tags], None, Request("ec2:CreateTags", "i", {"aws:TagKeys": ["team", "x"]}))[0] == (
        "implicit deny"
    )
    assert evaluate([all_tags], None, Request("ec2:CreateTags", "i"))[0] == "allow"


def test_several_keys_must_all_match_and_any_listed_value_of_one_key_matches() -> None:
    trust = doc(
        {
            "Effect": "Allow",
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {"host:aud": "sts.amazonaws.com", "host:sub": ["repo:o/r:a", "repo:o/r:b"]}
            },
        }
    )
    request = Request(
        "sts:AssumeRoleWithWebIdentity", "*", {"host:aud": "sts.amazonaws.com", "host:sub": "repo:o/r:b"}
    )
    assert evaluate([trust], None, request)[0] == "allow"
    wrong = Request("sts:AssumeRoleWithWebIdentity", "*", {"host:aud": "other", "host:sub": "repo:o/r:b"})
    assert evaluate([trust], None, wrong)[0] == "implicit deny"


def test_an_operator_it_does_not_know_is_refused_rather_than_guessed() -> None:
    policy = doc(
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"DateLessThan": {"aws:x": "1"}}}
    )
    with pytest.raises(ValueError, match="DateLessThan"):
        evaluate([policy], None, Request("s3:GetObject", "r"))


def test_context_key_names_ignore_case_and_values_do_not() -> None:
    policy = doc(
        {
            "Effect": "Deny",
            "Action": "s3:*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    )
    assert evaluate([policy], None, Request("s3:GetObject", "r", {"AWS:SECURETRANSPORT": "false"}))[0] == (
        "explicit deny"
    )
    exact = doc(
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"k": "Ab"}}}
    )
    assert evaluate([exact], None, Request("s3:GetObject", "r", {"K": "ab"}))[0] == "implicit deny"


def test_for_any_value_never_holds_without_the_key_even_negated() -> None:
    policy = doc(
        {
            "Effect": "Deny",
            "Action": "kms:DisableKey",
            "Resource": "*",
            "Condition": {"ForAnyValue:StringNotEquals": {"kms:ResourceAliases": ["alias/a"]}},
        }
    )
    assert evaluate([policy], None, Request("kms:DisableKey", "k"))[0] == "implicit deny"


def test_a_statement_without_action_or_with_both_forms_is_refused() -> None:
    for statement in (
        {"Effect": "Allow", "Resource": "*"},
        {"Effect": "Allow", "Action": "*", "NotAction": "s3:*"},
    ):
        with pytest.raises(ValueError, match="exactly one of Action and NotAction"):
            evaluate([doc(statement)], None, Request("s3:GetObject", "r"))

"""IAM and state as the synthesized stacks will make them: every role (its trust, boundary and policies),
every managed policy the stacks create, every Terraform state a stack keeps or reads, with each reference
written as the ARN it will have at apply, so that ``tools.paths.iam`` can evaluate a request against them.

ARNs of what a stack creates are derived from names (IAM roles, policies and OIDC providers, ECR
repositories, S3 buckets, log groups: ``arn:aws:iam::<account>:role/<path><name>``...); other references stay
unknown (``{?}``).
A KMS key's ARN is known only at apply; every key here has an alias, so a key is written as
``arn:aws:kms:<region>:<account>:key/<alias name>``, a stand-in key id that every reference to the same key
shares: a key ARN read from the alias (``data.aws_kms_alias``), the key resource itself, or the backend's
``kms_key_id`` alias. An alias ARN written in a policy stays an alias ARN and matches no key, as in IAM
(policies name keys by key ARN; AWS KMS developer guide, "Using aliases to control access").

AWS managed policies are modeled, not read (their documents are not available offline):
``AdministratorAccess`` allows everything; ``ReadOnlyAccess`` allows ``*:Get*``, ``*:List*`` and
``*:Describe*``, which holds ``s3:GetObject`` and ``s3:ListBucket`` but no ``kms:Decrypt`` (the gap the plan
roles' own policies fill). Any other managed policy is reported as unknown rather than guessed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Final

from tools.paths.view import TOKEN, Synth

ADMINISTRATOR: Final = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY: Final = "arn:aws:iam::aws:policy/ReadOnlyAccess"
MANAGED: Final[Mapping[str, Mapping[str, Any]]] = {
    ADMINISTRATOR: {
        "Statement": [{"Sid": "AdministratorAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}]
    },
    READ_ONLY: {
        "Statement": [
            {
                "Sid": "ReadOnlyAccess",
                "Effect": "Allow",
                "Action": ["*:Get*", "*:List*", "*:Describe*"],
                "Resource": "*",
            }
        ]
    },
}
REFERENCE: Final = re.compile(r"\$\{(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}")


@dataclass(frozen=True, slots=True)
class Role:
    """An IAM role a stack creates: its ARN, where, its trust policy, its boundary's ARN and document
    (None without one), and its identity policies (inline and managed)."""

    arn: str
    stack: str
    address: str
    trust: Mapping[str, Any]
    boundary_arn: str | None
    boundary: Mapping[str, Any] | None
    policies: tuple[Mapping[str, Any], ...]
    unknown_managed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class State:
    """A Terraform state object: bucket, key, the KMS key encrypting it (stand-in ARN) and its region."""

    bucket: str
    key: str
    key_arn: str
    region: str

    @property
    def object_arn(self) -> str:
        return f"arn:aws:s3:::{self.bucket}/{self.key}"

    @property
    def bucket_arn(self) -> str:
        return f"arn:aws:s3:::{self.bucket}"


def alias_key_arn(alias_arn: str) -> str:
    """The stand-in ARN of the key that ``alias_arn`` (``arn:aws:kms:<region>:<account>:alias/<name>``)
    names."""
    prefix, _, name = alias_arn.partition(":alias/")
    return f"{prefix}:key/{name}"


class Accounts:
    """The roles, managed policies and states of one synthesis."""

    def __init__(self, synth: Synth) -> None:
        self.synth = synth

    def provider(self, stack: str, alias: str | None = None) -> Mapping[str, Any]:
        """The aws provider block of ``stack`` with ``alias`` (the default one without)."""
        providers = self.synth.stacks[stack].get("provider", {}).get("aws", [])
        found: Mapping[str, Any] = next((p for p in providers if p.get("alias") == alias), {})
        return found

    def account(self, stack: str) -> str:
        return str(self.provider(stack).get("allowed_account_ids", ["?"])[0])

    def region_of(self, stack: str, node: Mapping[str, Any]) -> str:
        """The region of the resource ``node`` of ``stack``: its provider's."""
        reference = str(node.get("provider", ""))
        alias = reference.split(".", 1)[1] if reference.startswith("aws.") else None
        return str(self.provider(stack, alias).get("region", "?"))

    def write(self, stack: str, text: str) -> str:
        """``text`` with every reference to an IAM object, a KMS key or an alias written as its ARN (the
        stand-in key ARN for keys); any other reference becomes ``{?}`` (quotes inside it removed, so a
        policy stays valid JSON)."""
        return TOKEN.sub(lambda match: self._arn(stack, match.group(0)) or "{?}", text)

    def _arn(self, stack: str, token: str) -> str | None:
        match = REFERENCE.fullmatch(token)
        if not match:
            return None
        data, kind, name, attribute = match.groups()
        section = self.synth.stacks[stack].get("data" if data else "resource", {})
        node = section.get(kind, {}).get(name)
        if node is None:
            return None
        account = self.account(stack)
        iam = f"arn:aws:iam::{account}:"
        if kind == "aws_iam_role" and not data:
            path = str(node.get("path", "/"))
            return {"arn": f"{iam}role{path}{node['name']}", "name": node["name"], "id": node["name"]}.get(
                attribute
            )
        if kind == "aws_iam_policy" and not data and attribute == "arn":
            return f"{iam}policy{node.get('path', '/')}{node['name']}"
        if kind == "aws_iam_openid_connect_provider" and attribute == "arn":
            return f"{iam}oidc-provider/{str(node['url']).removeprefix('https://')}"
        if kind == "aws_kms_alias" and data and attribute in ("target_key_arn", "arn"):
            alias = f"arn:aws:kms:{self.region_of(stack, node)}:{account}:{node['name']}"
            return alias_key_arn(alias) if attribute == "target_key_arn" else alias
        if kind == "aws_ecr_repository" and not data and attribute == "arn":
            return f"arn:aws:ecr:{self.region_of(stack, node)}:{account}:repository/{node['name']}"
        if kind == "aws_cloudwatch_log_group" and not data and attribute == "arn":
            return f"arn:aws:logs:{self.region_of(stack, node)}:{account}:log-group:{node['name']}"
        if kind == "aws_s3_bucket" and not data and attribute == "arn":
            return f"arn:aws:s3:::{node['bucket']}"
        if kind == "aws_kms_key" and not data and attribute == "arn":
            return self.key_arn(stack, name, node)
        return None

    def key_arn(self, stack: str, name: str, key: Mapping[str, Any]) -> str | None:
        """The stand-in ARN of key ``name`` of ``stack`` (from its alias), None without an alias."""
        for alias in self.synth.resources(stack, "aws_kms_alias").values():
            if str(alias.get("target_key_id", "")).startswith(f"${{aws_kms_key.{name}."):
                return alias_key_arn(
                    f"arn:aws:kms:{self.region_of(stack, key)}:{self.account(stack)}:{alias['name']}"
                )
        return None

    def document(self, stack: str, text: str) -> Mapping[str, Any]:
        parsed: Mapping[str, Any] = json.loads(self.write(stack, text))
        return parsed

    @cached_property
    def policies(self) -> Mapping[str, Mapping[str, Any]]:
        """Every managed policy a stack creates, by ARN."""
        found: dict[str, Mapping[str, Any]] = {}
        for stack in self.synth.stacks:
            for name, policy in self.synth.resources(stack, "aws_iam_policy").items():
                arn = self._arn(stack, f"${{aws_iam_policy.{name}.arn}}")
                if arn:
                    found[arn] = self.document(stack, policy["policy"])
        return found

    @cached_property
    def key_policies(self) -> Mapping[str, Mapping[str, Any]]:
        """Every KMS key a stack creates (stand-in key ARN) -> its key policy."""
        found: dict[str, Mapping[str, Any]] = {}
        for stack in self.synth.stacks:
            for name, key in self.synth.resources(stack, "aws_kms_key").items():
                arn = self.key_arn(stack, name, key)
                if arn and "policy" in key:
                    found[arn] = self.document(stack, key["policy"])
        return found

    @cached_property
    def bucket_policies(self) -> Mapping[str, Mapping[str, Any]]:
        """Every bucket policy a stack sets, by the bucket's ARN."""
        found: dict[str, Mapping[str, Any]] = {}
        for stack in self.synth.stacks:
            for policy in self.synth.resources(stack, "aws_s3_bucket_policy").values():
                bucket = self.write(
                    stack, str(policy["bucket"]).replace(".id}", ".arn}").replace(".bucket}", ".arn}")
                )
                found[bucket] = self.document(stack, policy["policy"])
        return found

    @cached_property
    def roles(self) -> Mapping[str, Role]:
        """Every role a stack creates, by ARN."""
        return {role.arn: role for role in self._roles()}

    def _roles(self) -> Iterator[Role]:
        for stack in self.synth.stacks:
            attached: dict[str, list[str]] = {}
            inline: dict[str, list[Mapping[str, Any]]] = {}
            for attachment in self.synth.resources(stack, "aws_iam_role_policy_attachment").values():
                attached.setdefault(self.write(stack, attachment["role"]), []).append(
                    self.write(stack, attachment["policy_arn"])
                )
            for policy in self.synth.resources(stack, "aws_iam_role_policy").values():
                inline.setdefault(self.write(stack, policy["role"]), []).append(
                    self.document(stack, policy["policy"])
                )
            for name, role in self.synth.resources(stack, "aws_iam_role").items():
                arn = str(self._arn(stack, f"${{aws_iam_role.{name}.arn}}"))
                managed = attached.get(role["name"], [])
                boundary_arn = (
                    self.write(stack, role["permissions_boundary"])
                    if "permissions_boundary" in role
                    else None
                )
                yield Role(
                    arn=arn,
                    stack=stack,
                    address=f"aws_iam_role.{name}",
                    trust=self.document(stack, role["assume_role_policy"]),
                    boundary_arn=boundary_arn,
                    boundary=self.boundary(boundary_arn),
                    policies=(
                        *inline.get(role["name"], []),
                        *(MANAGED[m] if m in MANAGED else self.policies.get(m, {}) for m in managed),
                        *(self.document(stack, p["policy"]) for p in role.get("inline_policy", []) or []),
                    ),
                    unknown_managed=tuple(m for m in managed if m not in MANAGED and m not in self.policies),
                )

    def boundary(self, arn: str | None) -> Mapping[str, Any] | None:
        """The document of the boundary ``arn``: a policy some stack creates; a boundary no stack creates
        caps everything (an empty document: IAM refuses to attach a boundary that does not exist)."""
        if arn is None:
            return None
        return self.policies.get(arn, {"Statement": []})

    def state(self, stack: str) -> State | None:
        """Where ``stack`` keeps its state; None for a local backend."""
        backend = self.synth.stacks[stack]["terraform"].get("backend", {}).get("s3")
        return self._state(backend) if backend else None

    def reads(self, stack: str) -> list[tuple[str, State]]:
        """(name, state) of each ``terraform_remote_state`` ``stack`` reads."""
        found = []
        for name, remote in (
            self.synth.stacks[stack].get("data", {}).get("terraform_remote_state", {}).items()
        ):
            if remote.get("backend") == "s3":
                found.append((name, self._state(remote["config"])))
        return found

    @staticmethod
    def _state(config: Mapping[str, Any]) -> State:
        return State(
            bucket=config["bucket"],
            key=config["key"],
            key_arn=alias_key_arn(str(config.get("kms_key_id", "arn:aws:kms:?:?:alias/aws/s3"))),
            region=config["region"],
        )

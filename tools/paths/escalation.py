"""Boundary proof: each environment's deploy role (its policies within its permissions boundary, evaluated by
``tools.paths.iam`` in AWS's order) refuses every escalation below, and so does the strongest role it may
make (AdministratorAccess within the workload boundary, under the project's path), while it still allows
what its deploys do. The account's guarded objects are read from the stacks: the CI roles (those GitHub's
provider may assume for this repository), the boundaries, the trail with its bucket and key, the state
buckets and keys.

Refused, in groups (one walk each):

- unbounded roles: creating a role without the workload boundary, with another one or outside the
  project's path; setting another boundary or removing one; changing, tagging or passing a role made
  outside the project (an Organizations access role, say);
- users and sessions: creating a user, keys or a password for one, extending a group; assuming another
  role; the identity services outside IAM (IAM Identity Center, its identity store, Organizations);
- CI identities: changing any CI role (its policies, its trust, passing it), any boundary, GitHub's OIDC
  provider;
- trail: stopping or deleting it (at its ARN in its home region); deleting a log file's version or
  bypassing its Object Lock; destroying its key, or deleting or moving the key's alias first;
- state: deleting a state bucket or changing its settings; deleting a state file's version; destroying or
  re-policying a state key, or deleting or moving its alias first.

Allowed, derived from what the environment's foundation, platform and apps stacks create: creating each of
their roles with the boundary and path it carries, attaching and writing its policies, passing it to a
service; creating and updating the trail (the provider's create follows CreateTrail with PutEventSelectors);
creating the cluster's OIDC provider and service-linked roles; scheduling the deletion of a key that is not
protected.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from environments.base import EnvironmentConfig
from marketplace_constructs.security.boundary import WORKLOAD_PATH
from marketplace_constructs.security.ci_identity import GITHUB_OIDC_HOST
from tools.paths.accounts import ADMINISTRATOR, MANAGED, Accounts, Role, alias_key_arn
from tools.paths.iam import Request, evaluate
from tools.paths.model import Hop, Walk, hop

BOUNDARY_KEY: Final = "iam:PermissionsBoundary"
CI_ROLE_CHANGES: Final = (
    "iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:PassRole",
    "iam:DeleteRole",
)  # fmt: skip
PROVIDER_CHANGES: Final = (
    "iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider",
    "iam:DeleteOpenIDConnectProvider",
)  # fmt: skip
LAYERS: Final = ("foundation", "platform", "apps")


@dataclass(frozen=True, slots=True)
class Trail:
    """The account's trail, its bucket and its key (stand-in ARN and alias), read from the stacks."""

    arn: str
    bucket: str
    key: str
    alias: str
    log_group: str


@dataclass(frozen=True, slots=True)
class Account:
    """What the deploy roles of one account must not touch, read from the stacks."""

    id: str
    ci_roles: tuple[Role, ...]
    boundaries: tuple[str, ...]
    trails: tuple[Trail, ...]
    state_buckets: tuple[str, ...]
    state_keys: tuple[tuple[str, str], ...]  # (alias, stand-in key ARN)
    workload_boundary: str | None = None
    provider: str = ""

    @property
    def protected_aliases(self) -> set[str]:
        return {alias for alias, _ in self.state_keys} | {trail.alias for trail in self.trails}


def account_of(accounts: Accounts, account: str, repository: str) -> Account:
    stacks = [s for s in accounts.synth.stacks if accounts.account(s) == account]
    provider = f"arn:aws:iam::{account}:oidc-provider/{GITHUB_OIDC_HOST}"
    ci_roles = tuple(
        role
        for role in accounts.roles.values()
        if role.arn.split(":")[4] == account and _trusts_repository(role, provider, repository)
    )
    workload = [
        r.boundary_arn
        for r in accounts.roles.values()
        if r.boundary_arn and r not in ci_roles and r.arn.split(":")[4] == account
    ]
    boundaries = sorted({r.boundary_arn for r in ci_roles if r.boundary_arn} | set(workload))
    trails = tuple(_trail(accounts, stack, trail) for stack in stacks
                   for trail in accounts.synth.resources(stack, "aws_cloudtrail").values())  # fmt: skip
    bootstraps = [s for s in stacks if s.endswith("-bootstrap")]
    buckets = tuple(
        str(bucket["bucket"])
        for stack in bootstraps
        for bucket in accounts.synth.resources(stack, "aws_s3_bucket").values()
    )
    keys = tuple(
        (
            str(alias["name"]),
            alias_key_arn(f"arn:aws:kms:{accounts.region_of(stack, alias)}:{account}:{alias['name']}"),
        )
        for stack in bootstraps
        for alias in accounts.synth.resources(stack, "aws_kms_alias").values()
    )
    return Account(
        id=account,
        ci_roles=ci_roles,
        boundaries=tuple(boundaries),
        trails=trails,
        state_buckets=buckets,
        state_keys=keys,
        workload_boundary=max(set(workload), key=workload.count) if workload else None,
        provider=provider,
    )


def _trail(accounts: Accounts, stack: str, trail: Mapping[str, Any]) -> Trail:
    account = accounts.account(stack)
    key = accounts.write(stack, str(trail.get("kms_key_id", "")))
    return Trail(
        arn=f"arn:aws:cloudtrail:{accounts.region_of(stack, trail)}:{account}:trail/{trail['name']}",
        bucket=str(accounts.synth.resolve(stack, trail["s3_bucket_name"])),
        key=key,
        alias=f"alias/{key.rsplit('/', 1)[-1]}",
        log_group=accounts.write(stack, str(trail.get("cloud_watch_logs_group_arn", ""))).removesuffix(":*"),
    )


def _trusts_repository(role: Role, provider: str, repository: str) -> bool:
    for statement in role.trust.get("Statement", []):
        if statement.get("Principal", {}).get("Federated") == provider:
            subjects = [v for cond in statement.get("Condition", {}).values() for k, v in cond.items()
                        if k.endswith(":sub")]  # fmt: skip
            if any(str(s).startswith(f"repo:{repository}:") for value in subjects
                   for s in ([value] if isinstance(value, str) else value)):  # fmt: skip
                return True
    return False


def escalations(account: Account, own: Role) -> Iterator[tuple[str, str, Request]]:
    """(group, what is attempted, the request) of every escalation the deploy role must be refused."""
    iam = f"arn:aws:iam::{account.id}:"
    probe, outsider = f"{iam}role{WORKLOAD_PATH}escalation-probe", f"{iam}role/OrganizationAccountAccessRole"
    workload = {BOUNDARY_KEY: account.workload_boundary or ""}
    roles = "unbounded roles"
    yield roles, "create a role without a boundary", Request("iam:CreateRole", probe)
    for what, boundary in (
        ("its own boundary", own.boundary_arn or ""),
        ("AdministratorAccess", ADMINISTRATOR),
    ):
        yield (
            roles,
            f"create a role bounded by {what}",
            Request("iam:CreateRole", probe, {BOUNDARY_KEY: boundary}),
        )
    yield (
        roles,
        "create a bounded role outside the project's path",
        Request("iam:CreateRole", f"{iam}role/escalation-probe", workload),
    )
    yield (
        roles,
        "set another boundary on a role",
        Request("iam:PutRolePermissionsBoundary", probe, {BOUNDARY_KEY: ADMINISTRATOR}),
    )
    yield roles, "remove a role's boundary", Request("iam:DeleteRolePermissionsBoundary", probe, workload)
    for action in ("iam:UpdateAssumeRolePolicy", "iam:PassRole", "iam:AttachRolePolicy", "iam:TagRole"):
        what = f"{action.split(':')[1]} on a role made outside the project"
        yield roles, what, Request(action, outsider)
    sessions = "users and sessions"
    yield sessions, "assume a role made outside the project", Request("sts:AssumeRole", outsider)
    yield sessions, "create a user", Request("iam:CreateUser", f"{iam}user/escalation-probe", workload)
    for action in ("iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:AttachUserPolicy"):
        yield sessions, f"{action.split(':')[1]} for an existing user", Request(action, f"{iam}user/someone")
    yield sessions, "AttachGroupPolicy", Request("iam:AttachGroupPolicy", f"{iam}group/admins")
    for action in ("sso:CreatePermissionSet", "identitystore:CreateUser", "organizations:LeaveOrganization"):
        yield sessions, action, Request(action, "*")
    saml = f"{iam}saml-provider/AWSSSO_0123456789abcdef_DO_NOT_DELETE"
    yield sessions, "UpdateSAMLProvider (IAM Identity Center's)", Request("iam:UpdateSAMLProvider", saml)
    yield sessions, "CreateSAMLProvider", Request("iam:CreateSAMLProvider", f"{iam}saml-provider/escalation")
    other = f"{iam}oidc-provider/accounts.example.com"
    yield (
        sessions,
        "AddClientIDToOpenIDConnectProvider (another issuer)",
        Request("iam:AddClientIDToOpenIDConnectProvider", other),
    )
    for role in account.ci_roles:
        name = role.arn.rsplit("/", 1)[-1]
        context = {BOUNDARY_KEY: role.boundary_arn} if role.boundary_arn else {}
        for action in CI_ROLE_CHANGES:
            yield "CI identities", f"{action.split(':')[1]} on {name}", Request(action, role.arn, context)
    for boundary in account.boundaries:
        for action in ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy"):
            what = f"{action.split(':')[1]} on {boundary.rsplit('/', 1)[-1]}"
            yield "CI identities", what, Request(action, boundary)
    for action in PROVIDER_CHANGES:
        yield (
            "CI identities",
            f"{action.split(':')[1]} on GitHub's provider",
            Request(action, account.provider),
        )
    for trail in account.trails:
        yield from _trail_attempts(account, trail)
    for bucket in account.state_buckets:
        for action in ("s3:DeleteBucket", "s3:PutBucketPolicy", "s3:PutBucketVersioning",
                       "s3:PutLifecycleConfiguration", "s3:PutBucketPublicAccessBlock"):  # fmt: skip
            yield "state", f"{action.split(':')[1]} {bucket}", Request(action, f"arn:aws:s3:::{bucket}")
        for action in ("s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"):
            yield "state", f"{action.split(':')[1]} in {bucket}", Request(action, f"arn:aws:s3:::{bucket}/x")
    for alias, key in account.state_keys:
        yield from _key_attempts("state", account, alias, key, ("kms:ScheduleKeyDeletion", "kms:DisableKey",
                                                               "kms:PutKeyPolicy"))  # fmt: skip


def _trail_attempts(account: Account, trail: Trail) -> Iterator[tuple[str, str, Request]]:
    for action in ("cloudtrail:StopLogging", "cloudtrail:DeleteTrail"):
        yield "trail", f"{action.split(':')[1]} {trail.arn}", Request(action, trail.arn)
    for action in ("s3:DeleteObjectVersion", "s3:BypassGovernanceRetention"):
        yield (
            "trail",
            f"{action.split(':')[1]} of a log file",
            Request(action, f"arn:aws:s3:::{trail.bucket}/x"),
        )
    for action in ("logs:DeleteLogGroup", "logs:DeleteLogStream"):
        yield "trail", f"{action.split(':')[1]} of its CloudWatch Logs copy", Request(action, trail.log_group)
    yield from _key_attempts(
        "trail", account, trail.alias, trail.key, ("kms:ScheduleKeyDeletion", "kms:DisableKey")
    )


def _key_attempts(
    group: str, account: Account, alias: str, key: str, actions: tuple[str, ...]
) -> Iterator[tuple[str, str, Request]]:
    """Destroying a key while it carries its alias, and deleting or moving the alias first."""
    for action in actions:
        yield group, f"{action.split(':')[1]} {alias}", Request(action, key, {"kms:ResourceAliases": [alias]})
    region = key.split(":")[3]
    for action in ("kms:DeleteAlias", "kms:UpdateAlias"):
        what = f"{action.split(':')[1]} {alias}"
        yield group, what, Request(action, f"arn:aws:kms:{region}:{account.id}:{alias}")


def everyday(accounts: Accounts, env: EnvironmentConfig, guarded: Account) -> Iterator[tuple[str, Request]]:
    """(what the deploy does, the request) for what ``env``'s deployed layers create (a protected key's
    deletion aside)."""
    account = env.location.account_id
    stacks = [f"{env.name}-{layer}" for layer in LAYERS if f"{env.name}-{layer}" in accounts.synth.stacks]
    for role in accounts.roles.values():
        if role.stack not in stacks:
            continue
        name = role.arn.rsplit("/", 1)[-1]
        context = {BOUNDARY_KEY: role.boundary_arn} if role.boundary_arn else {}
        for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PassRole"):
            yield f"{action.split(':')[1]} {name}", Request(action, role.arn, context)
    for stack in stacks:
        for trail in accounts.synth.resources(stack, "aws_cloudtrail").values():
            arn = f"arn:aws:cloudtrail:{accounts.region_of(stack, trail)}:{account}:trail/{trail['name']}"
            for action in (
                "cloudtrail:CreateTrail",
                "cloudtrail:PutEventSelectors",
                "cloudtrail:StartLogging",
                "cloudtrail:UpdateTrail",
            ):
                yield f"{action.split(':')[1]} {trail['name']}", Request(action, arn)
        if accounts.synth.resources(stack, "aws_iam_openid_connect_provider"):
            issuer = f"oidc.eks.{env.location.region}.amazonaws.com/id/EXAMPLE"
            provider = f"arn:aws:iam::{account}:oidc-provider/{issuer}"
            yield (
                "CreateOpenIDConnectProvider (the cluster's)",
                Request("iam:CreateOpenIDConnectProvider", provider),
            )
        aliases = {
            str(alias.get("target_key_id", "")).split(".")[1]: str(alias["name"])
            for alias in accounts.synth.resources(stack, "aws_kms_alias").values()
        }
        for name, key in accounts.synth.resources(stack, "aws_kms_key").items():
            key_arn = accounts.key_arn(stack, name, key)
            if key_arn and name in aliases and aliases[name] not in guarded.protected_aliases:
                aliased: dict[str, str | list[str]] = {"kms:ResourceAliases": [aliases[name]]}
                yield (
                    f"ScheduleKeyDeletion {aliases[name]}",
                    Request("kms:ScheduleKeyDeletion", key_arn, aliased),
                )
    linked = "aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"
    yield (
        "CreateServiceLinkedRole",
        Request("iam:CreateServiceLinkedRole", f"arn:aws:iam::{account}:role/{linked}"),
    )


def made_role(accounts: Accounts, account: Account) -> Role:
    """The strongest role the deploy role may make: AdministratorAccess attached, the workload boundary."""
    return Role(
        arn=f"arn:aws:iam::{account.id}:role{WORKLOAD_PATH}made-by-the-deploy",
        stack="",
        address="",
        trust={},
        boundary_arn=account.workload_boundary,
        boundary=accounts.boundary(account.workload_boundary),
        policies=(MANAGED[ADMINISTRATOR],),
        unknown_managed=(),
    )


def decided(what: str, role: Role, request: Request, *, refused: bool) -> Hop:
    """The hop ``what``: connects when the role is refused (``refused``) or allowed the request."""
    decision, why = evaluate(role.policies, role.boundary, request)
    ok = (decision != "allow") == refused
    return hop(what, ok, f"{request.action} on {request.resource}: {decision} ({why})")


def boundary_paths(accounts: Accounts, envs: Sequence[EnvironmentConfig], repository: str) -> list[Walk]:
    """Per environment's deploy role: its boundary and the account's guarded objects, then one walk per
    group of escalations (each refused) and one of everyday deploy actions (each allowed)."""
    found = []
    by_account: dict[str, Account] = {}
    for env in envs:
        subject = f"{env.name} deploy role"
        walk = Walk("boundary", subject)
        role = accounts.roles.get(env.deploy_role_arn)
        account = by_account.setdefault(
            env.location.account_id, account_of(accounts, env.location.account_id, repository)
        )
        with walk:
            walk(hop("role", role is not None, env.deploy_role_arn))
            assert role is not None
            walk(
                hop(
                    "boundary", bool(role.boundary and role.boundary.get("Statement")), str(role.boundary_arn)
                )
            )
            guarded = bool(account.trails and account.state_buckets and account.ci_roles)
            evidence = (
                f"{len(account.ci_roles)} CI roles, {len(account.boundaries)} boundaries, trails "
                f"{[trail.arn for trail in account.trails]}, {len(account.state_buckets)} state buckets"
            )
            walk(hop("account guard", guarded, evidence))
        found.append(walk)
        if walk.broken or role is None:
            continue
        # what the deploy role could do through a role it makes: AdministratorAccess within the workload
        # boundary, under the project's path (the most its own boundary lets it create)
        made = made_role(accounts, account)
        groups: dict[str, list[Hop]] = {}
        for group, what, request in escalations(account, role):
            groups.setdefault(f"refuses {group}", []).extend(
                [
                    decided(what, role, request, refused=True),
                    decided(f"{what}, through a role it makes", made, request, refused=True),
                ]
            )
        for what, request in everyday(accounts, env, account):
            groups.setdefault("allows everyday deploys", []).append(
                decided(what, role, request, refused=False)
            )
        for group, hops in groups.items():
            walk = Walk("boundary", f"{subject} {group}")
            with walk:
                for step in hops:
                    walk(step)
            found.append(walk)
    return found

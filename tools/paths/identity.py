"""Identity paths: for every run of every workflow (each matrix entry, each environment a reusable workflow
is called for), the runner it lands on, the GitHub environment it runs in, the role it assumes and every
read and write its Terraform needs, walked hop by hop:

runner (``runs-on`` evaluated from what GitHub knows before the job; a stack that talks to its cluster's
private API, and every deploy, must land on the environment's in-VPC runner, whose subnets the cluster's
security group admits on 443) -> GitHub environment (plans and drift in ``<env>-plan``, never one a reviewer
gates) -> role (the variable that environment holds, ``stacks.ci.github_environments``, names a role a stack
creates) -> trust (GitHub's OIDC provider of the account, ``aud`` sts, ``sub``
``repo:<repository>:environment:<environment>``) -> state (list the bucket, read the object, decrypt with
its key; a deploy also writes it, its lock and data keys; a plan without ``-lock=false`` needs the lock
too) -> each remote state the stack reads and that state's key -> cluster access (an EKS access entry for
the role with the policy the job needs: view, Secrets included, for plans; cluster admin for deploys).

Each IAM hop is decided by ``tools.paths.iam`` over the role's policies and boundary as the stacks make them
(``tools.paths.accounts``). The services' image pipeline, called from the services' repositories, is walked
per service and environment: the push role its caller passes, trusted for the service repository's main
branch, may push to that service's registry.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import IPv4Network
from pathlib import Path
from typing import Any, Final

from environments.base import EnvironmentConfig
from marketplace_constructs.security.ci_identity import AUDIENCE, GITHUB_OIDC_HOST
from stacks.ci import GithubEnvironment, RunnerPurpose, github_environments, in_vpc_labels
from tools.paths.accounts import Accounts, Role, State
from tools.paths.iam import Request, evaluate
from tools.paths.model import Hop, Walk, hop
from tools.paths.view import Synth
from tools.paths.workflows import BEFORE_JOB, Run, Unevaluable, load, runs
from tools.paths.workflows import evaluate as expand

HOSTED_PREFIXES: Final = ("ubuntu-", "windows-", "macos-")
IMAGE_WORKFLOW: Final = "service-image.yml"
PLAN_ACCESS: Final = ("AmazonEKSAdminViewPolicy", "AmazonEKSClusterAdminPolicy")
DEPLOY_ACCESS: Final = ("AmazonEKSClusterAdminPolicy",)
LAYERS: Final = ("foundation", "platform", "apps")  # what a deploy applies (tools/deploy_layers.py)
PUSH_ACTIONS: Final = (
    "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload", "ecr:PutImage",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Job:
    """What one run is for: the environment, the stacks its Terraform touches, and whether it deploys."""

    env: EnvironmentConfig
    stacks: tuple[str, ...]
    deploys: bool


def reaches_cluster(synth: Synth, stack: str) -> bool:
    """True when ``stack`` configures the kubernetes or helm provider (it talks to its cluster's API)."""
    providers = synth.stacks[stack].get("provider", {})
    return "kubernetes" in providers or "helm" in providers


def _job(run: Run, synth: Synth, envs: Mapping[str, EnvironmentConfig]) -> Job | None:
    matrix = run.context.get("matrix", {})
    target = next(iter(matrix.values()), None)
    if isinstance(target, Mapping) and target.get("stack") in synth.stacks:
        stack = str(target["stack"])
        return Job(envs[_env_of(stack, envs)], (stack,), deploys=False)
    environment = run.context.get("inputs", {}).get("environment")
    if isinstance(environment, str) and environment in envs:
        stacks = tuple(s for s in (f"{environment}-{layer}" for layer in LAYERS) if s in synth.stacks)
        return Job(envs[environment], stacks, deploys=True)
    return None


def _env_of(stack: str, envs: Mapping[str, EnvironmentConfig]) -> str:
    return max((name for name in envs if stack.startswith(f"{name}-")), key=len)


def runner(run: Run, job: Job | None, synth: Synth) -> Hop:
    """The labels ``runs-on`` evaluates to, and whether that runner reaches what the job talks to: the
    environment's in-VPC runners for a stack that talks to its cluster and for every deploy, the plan pool
    for plans and drift (a pull request's code) and the deploy pool for deploys, never the other's."""
    try:
        labels = expand(run.runs_on, run.context, BEFORE_JOB)
    except Unevaluable as error:
        return hop("runner", False, f"runs-on {run.runs_on!r}: {error}")
    listed = [labels] if isinstance(labels, str) else list(labels)
    hosted = len(listed) == 1 and str(listed[0]).startswith(HOSTED_PREFIXES)
    if job is None:
        return hop("runner", hosted, f"{listed} (GitHub-hosted; the job uses no cloud identity)")
    purpose: RunnerPurpose = "deploy" if job.deploys else "plan"
    wanted = in_vpc_labels(job.env.name, purpose)
    other = in_vpc_labels(job.env.name, "plan" if job.deploys else "deploy")
    needs_vpc = job.deploys or any(reaches_cluster(synth, stack) for stack in job.stacks)
    if sorted(listed) == sorted(other) or sorted(wanted) == sorted(other):
        return hop(
            "runner",
            False,
            f"{listed}: the {job.env.name} runners of {'plans' if job.deploys else 'deploys'}",
        )
    if sorted(listed) == sorted(wanted):
        return hop("runner", True, f"{listed}: {job.env.name}'s in-VPC {purpose} runners", found="vpc")
    if needs_vpc:
        why = (
            "it deploys the cluster layers" if job.deploys else "its plan talks to the cluster's private API"
        )
        return hop(
            "runner", False, f"{listed}, but {why}: it needs {wanted} ({job.env.name}'s in-VPC runner)"
        )
    return hop("runner", hosted, f"{listed} (GitHub-hosted; {', '.join(job.stacks)} talk only to AWS APIs)")


def cluster_network(synth: Synth, env: str) -> Hop:
    """The private API admits the runner's subnets: endpoint private access on, and every private subnet
    (where the runner is registered, docs/ci.md) admitted on 443 by the cluster's security group, or a
    runner fleet's security group."""
    stack = f"{env}-foundation"
    clusters = synth.resources(stack, "aws_eks_cluster")
    if len(clusters) != 1:
        return hop("cluster network", False, f"{stack} makes {len(clusters)} EKS clusters")
    name, cluster = next(iter(clusters.items()))
    vpc = cluster.get("vpc_config", {})
    vpc = vpc[0] if isinstance(vpc, list) else vpc
    if not vpc.get("endpoint_private_access"):
        return hop("cluster network", False, f"{stack}: the cluster's private endpoint is off")
    group = f"${{aws_eks_cluster.{name}.vpc_config[0].cluster_security_group_id}}"
    rules = [
        rule
        for rule in synth.resources(stack, "aws_vpc_security_group_ingress_rule").values()
        if rule.get("security_group_id") == group
        and rule.get("from_port", 0) <= 443 <= rule.get("to_port", -1)
    ]
    fleets = [
        str(rule["referenced_security_group_id"]) for rule in rules if "referenced_security_group_id" in rule
    ]
    ranges = [IPv4Network(rule["cidr_ipv4"]) for rule in rules if "cidr_ipv4" in rule]
    private = {
        key: IPv4Network(subnet["cidr_block"])
        for key, subnet in synth.resources(stack, "aws_subnet").items()
        if "_private_" in key
    }
    missing = [key for key, cidr in private.items() if not any(cidr.subnet_of(r) for r in ranges)]
    if fleets:
        return hop("cluster network", True, f"443 from the runner fleet's group {fleets[0]}")
    if not private or missing:
        return hop(
            "cluster network", False, f"{stack}: 443 not admitted from private subnets {missing or '(none)'}"
        )
    return hop(
        "cluster network", True, f"443 admitted from every private subnet ({', '.join(map(str, ranges))})"
    )


def environment(run: Run, job: Job) -> Hop:
    """The GitHub environment the run lands in: ``<env>-plan`` (never gated) for plans and drift, ``<env>``
    for deploys, as declared (``stacks.ci.github_environments``)."""
    deploy, plan = github_environments(job.env)
    wanted = deploy if job.deploys else plan
    written = run.environment.get("name") if isinstance(run.environment, Mapping) else run.environment
    try:
        name = expand(written, run.context, BEFORE_JOB) if written else None
    except Unevaluable as error:
        return hop("GitHub environment", False, f"environment {written!r}: {error}")
    declared = {github.name: github for github in (deploy, plan)}
    if not job.deploys and name in declared and declared[name].reviewer:
        return hop("GitHub environment", False, f"{name}: a required reviewer gates it, so every plan waits")
    if name != wanted.name:
        return hop("GitHub environment", False, f"{name!r}, but the job's role is {wanted.name!r}'s")
    gate = "a required reviewer" if wanted.reviewer else "no reviewer"
    return hop("GitHub environment", True, f"{name} ({gate}; branch {wanted.branch or 'any'})", found=wanted)


def role(run: Run, github: GithubEnvironment, accounts: Accounts) -> Hop:
    """The role the credentials step assumes: the environment's variable, naming a role some stack makes."""
    if len(run.credentials) != 1:
        return hop("role", False, f"{len(run.credentials)} credentials steps; one expected")
    step = run.credentials[0]
    try:
        arn = expand(step.role, {"vars": github.variables}, ("vars",))
        region = expand(step.region, {"vars": github.variables}, ("vars",))
    except Unevaluable as error:
        return hop(
            "role", False, f"role-to-assume {step.role!r}: {error} in GitHub environment {github.name}"
        )
    found = accounts.roles.get(str(arn))
    if found is None:
        return hop("role", False, f"{arn}: no stack makes this role")
    return hop("role", True, f"{arn} ({found.stack}), region {region}", found=found)


def trust(found: Role, repository: str, github: str, others: Sequence[str], provider: str) -> Hop:
    """The role's trust admits a token of ``repository``'s jobs in the GitHub environment ``github`` through
    the account's provider, audience sts, and refuses the same token from ``others`` (the other GitHub
    environments of this environment), a branch, a pull request, another repository or another audience."""
    admitted = f"repo:{repository}:environment:{github}"
    refused = [
        *(f"repo:{repository}:environment:{other}" for other in others),
        f"repo:{repository}:ref:refs/heads/main",
        f"repo:{repository}:pull_request",
        f"repo:{repository}-fork:environment:{github}",
    ]
    return _trusted(found, admitted, refused, provider)


def _trusted(found: Role, subject: str, refused: Sequence[str], provider: str) -> Hop:
    """``subject`` (audience sts) admitted through ``provider``; every subject of ``refused``, and
    ``subject`` for another audience, refused."""

    def admits(sub: str, aud: str = AUDIENCE) -> bool:
        claims = {f"{GITHUB_OIDC_HOST}:sub": sub, f"{GITHUB_OIDC_HOST}:aud": aud}
        request = Request("sts:AssumeRoleWithWebIdentity", "*", claims)
        return any(
            statement.get("Effect") == "Allow"
            and statement.get("Principal", {}).get("Federated") == provider
            and evaluate([{"Statement": [statement]}], None, request)[0] == "allow"
            for statement in found.trust.get("Statement", [])
        )

    if not admits(subject):
        return hop(
            "trust", False, f"{found.arn}'s trust does not admit {subject} (aud sts) through {provider}"
        )
    loose = [sub for sub in refused if admits(sub)] + (["any audience"] if admits(subject, "another") else [])
    if loose:
        return hop("trust", False, f"{found.arn}'s trust admits {subject} but also {loose}")
    return hop(
        "trust", True, f"{subject}, audience {AUDIENCE}, through {provider}; refuses {', '.join(refused)} "
        "and other audiences",
    )  # fmt: skip


def oidc_provider(accounts: Accounts, account: str) -> str | None:
    """GitHub's OIDC provider of ``account``, when a stack makes it for the audience sts."""
    arn = f"arn:aws:iam::{account}:oidc-provider/{GITHUB_OIDC_HOST}"
    for stack in accounts.synth.stacks:
        if accounts.account(stack) != account:
            continue
        for name, provider in accounts.synth.resources(stack, "aws_iam_openid_connect_provider").items():
            made = accounts.write(stack, f"${{aws_iam_openid_connect_provider.{name}.arn}}")
            if made == arn and AUDIENCE in provider.get("client_id_list", []):
                return arn
    return None


def allowed(name: str, found: Role, requests: Sequence[Request], accounts: Accounts) -> Hop:
    """Every request allowed for ``found`` (its policies within its boundary), not denied by the bucket's
    policy; for a KMS key, its key policy must also let the account's IAM policies grant it (KMS reads IAM
    policies only where the key policy allows the account: AWS KMS developer guide, "Default key policy")."""
    decided = []
    account = found.arn.split(":")[4]
    for request in requests:
        decision, why = evaluate(found.policies, found.boundary, request)
        if decision != "allow":
            return hop(name, False, f"{request.action} on {request.resource}: {decision} ({why})")
        refused = _bucket_refuses(accounts, request)
        if refused:
            return hop(
                name,
                False,
                f"{request.action} on {request.resource}: the bucket policy denies it ({refused})",
            )
        if request.action.startswith("kms:") and not _key_delegates(accounts, request, account):
            return hop(
                name,
                False,
                f"{request.resource}: no stack makes this key with a key policy letting IAM grant "
                f"{request.action}",
            )
        decided.append(f"{request.action.split(':')[1]} ({why})")
    return hop(name, True, ", ".join(decided))


def _bucket_refuses(accounts: Accounts, request: Request) -> str | None:
    """The Sid of the bucket policy's Deny matching ``request`` (made over TLS, as Terraform and the AWS
    CLI connect), or None."""
    if not request.resource.startswith("arn:aws:s3:::"):
        return None
    bucket = request.resource.split("/", 1)[0]
    policy = accounts.bucket_policies.get(bucket)
    if policy is None:
        return None
    over_tls = Request(request.action, request.resource, {**request.context, "aws:SecureTransport": "true"})
    denies = [s for s in policy.get("Statement", []) if s.get("Effect") == "Deny"]
    decision, sid = evaluate([{"Statement": denies}], None, over_tls)
    return sid if decision == "explicit deny" else None


def _key_delegates(accounts: Accounts, request: Request, account: str) -> bool:
    policy = accounts.key_policies.get(request.resource)
    if policy is None:
        return False
    root = Request(request.action, "*")
    return any(
        statement.get("Effect") == "Allow"
        and statement.get("Principal", {}).get("AWS") in (f"arn:aws:iam::{account}:root", account)
        and evaluate([{"Statement": [statement]}], None, root)[0] == "allow"
        for statement in policy.get("Statement", [])
    )


def state_requests(state: State, *, writes: bool, locks: bool) -> list[Request]:
    requests = [
        Request("s3:ListBucket", state.bucket_arn),
        Request("s3:GetObject", state.object_arn),
        Request("kms:Decrypt", state.key_arn),
    ]
    if writes:
        requests += [Request("s3:PutObject", state.object_arn), Request("kms:GenerateDataKey", state.key_arn)]
    if locks:
        lock = f"{state.object_arn}.tflock"
        requests += [Request("s3:PutObject", lock), Request("s3:DeleteObject", lock)]
    return requests


def cluster_access(synth: Synth, env: str, found: Role, policies: tuple[str, ...]) -> Hop:
    """An access entry for the role in ``env``'s cluster with one of ``policies``, cluster-wide."""
    stack = f"{env}-foundation"
    for association in synth.resources(stack, "aws_eks_access_policy_association").values():
        principal = synth.resolve(stack, association.get("principal_arn"))
        policy = str(association.get("policy_arn", "")).rsplit("/", 1)[-1]
        if (
            principal == found.arn
            and policy in policies
            and association.get("access_scope", {}).get("type") == "cluster"
        ):
            return hop("cluster access", True, f"{stack}: access entry with {policy} (cluster)")
    return hop(
        "cluster access", False, f"{stack}: no access entry gives {found.arn} any of {', '.join(policies)}"
    )


def walk_run(run: Run, job: Job | None, synth: Synth, accounts: Accounts, repository: str) -> Walk:
    """The identity path of ``run``, for ``job`` (None: a job with no cloud identity)."""
    walk = Walk("identity", f"{run.workflow} {run.label}")
    with walk:
        where = walk(runner(run, job, synth))
        if job is None:
            walk(
                hop(
                    "cloud identity",
                    not run.oidc and not run.credentials,
                    "none: no id-token permission, no AWS credentials",
                )
            )
            return walk
        if where == "vpc":
            walk(cluster_network(synth, job.env.name))
        github: GithubEnvironment = walk(environment(run, job))
        found: Role = walk(role(run, github, accounts))
        provider = (
            oidc_provider(accounts, job.env.location.account_id) or "(no stack makes GitHub's OIDC provider)"
        )
        others = [g.name for g in github_environments(job.env) if g.name != github.name]
        walk(trust(found, repository, github.name, others, provider))
        locks = job.deploys or "-lock=false" not in run.commands
        for stack in job.stacks:
            state = walk(
                hop(f"state {stack}", accounts.state(stack) is not None, "S3 state", accounts.state(stack))
            )
            walk(
                allowed(
                    f"state {stack}", found, state_requests(state, writes=job.deploys, locks=locks), accounts
                )
            )
            for _, remote in accounts.reads(stack):
                walk(
                    allowed(
                        f"reads {remote.key.split('/')[0]}",
                        found,
                        state_requests(remote, writes=False, locks=False),
                        accounts,
                    )
                )
            if reaches_cluster(synth, stack):
                walk(
                    cluster_access(synth, job.env.name, found, DEPLOY_ACCESS if job.deploys else PLAN_ACCESS)
                )
    return walk


def image_push_paths(
    synth: Synth, accounts: Accounts, envs: Mapping[str, EnvironmentConfig], repositories: Mapping[str, str],
    publish: Mapping[str, Any],
) -> Iterator[Walk]:  # fmt: skip
    """The services' image pipeline (``publish``: the job of ``service-image.yml``, called from each service's
    repository): per service and environment with a registry, on a GitHub-hosted runner, only for a push to
    main, the push role of the foundation's output, trusted for that repository's main branch, may push to
    the service's repository."""
    labels = publish.get("runs-on")
    condition = " ".join(str(publish.get("if", "")).split())
    for env in envs.values():
        stack = f"{env.name}-foundation"
        outputs = synth.stacks.get(stack, {}).get("output", {})
        for service, repository in repositories.items():
            output = outputs.get(f"{service}_image_push_role_arn")
            if output is None:
                continue
            walk = Walk("identity", f"service-image.yml publish {service} -> {env.name}")
            with walk:
                hosted = isinstance(labels, str) and labels.startswith(HOSTED_PREFIXES)
                walk(hop("runner", hosted, f"{labels!r} (GitHub-hosted: ECR's API is public)"))
                main_only = (
                    "github.ref == 'refs/heads/main'" in condition
                    and "github.event_name == 'push'" in condition
                )
                walk(
                    hop("branch", main_only, f"if: {condition or '(always)'}: the push roles trust main only")
                )
                arn = accounts.write(stack, str(output["value"]))
                found = walk(
                    hop(
                        "role",
                        arn in accounts.roles,
                        f"{arn} (output {service}_image_push_role_arn of {stack})",
                        found=accounts.roles.get(arn),
                    )
                )
                provider = oidc_provider(accounts, env.location.account_id) or "(none)"
                refused = [f"repo:{repository}:ref:refs/heads/feature", f"repo:{repository}:pull_request",
                           f"repo:{repository}-fork:ref:refs/heads/main"]  # fmt: skip
                walk(_trusted(found, f"repo:{repository}:ref:refs/heads/main", refused, provider))
                registry = env.location.arn("ecr", f"repository/llm-marketplace/{service}")
                walk(
                    allowed(
                        "push",
                        found,
                        [
                            Request("ecr:GetAuthorizationToken", "*"),
                            *(Request(a, registry) for a in PUSH_ACTIONS),
                        ],
                        accounts,
                    )
                )
            yield walk


def identity_paths(
    synth: Synth, synth_dir: Path, workflows_dir: Path, envs: Sequence[EnvironmentConfig], repository: str,
    service_repositories: Mapping[str, str], selected: Collection[str] | None = None,
    checkout: Path | None = None,
) -> list[Walk]:  # fmt: skip
    """Every run's identity path, then the image pipeline's; with ``selected``, only the runs of those
    environments (``checkout``: see ``workflows.runs``)."""
    by_name = {env.name: env for env in envs}
    chosen = {name: env for name, env in by_name.items() if selected is None or name in selected}
    accounts = Accounts(synth)
    found: list[Walk] = []
    for run in runs(workflows_dir, synth_dir, checkout):
        if isinstance(run, tuple):
            workflow, job_id, error = run
            walk = Walk("identity", f"{workflow} {job_id}")
            with walk:
                walk(hop("runs", False, str(error)))
            found.append(walk)
            continue
        job = _job(run, synth, by_name)
        if (job is None and selected is None) or (job is not None and job.env.name in chosen):
            found.append(walk_run(run, job, synth, accounts, repository))
    publish = load(workflows_dir)[IMAGE_WORKFLOW]["jobs"]["publish"]
    found += image_push_paths(synth, accounts, chosen, service_repositories, publish)
    return found

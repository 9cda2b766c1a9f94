"""Each service's IRSA role trusts only its own service account and grants its own secrets plus exactly the
data stores its spec declares (PostgreSQL as its own database user, Redis, Kafka topics and groups under its
own prefix)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import environments
import services
from environments.base import EnvironmentConfig
from marketplace_constructs.workload.service_props import MicroserviceProps
from tests.conftest import StackDoc, policy, resources

Reader = Callable[[str], StackDoc]
ALL = pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
STORE_ACTIONS = {
    "postgres": {"rds-db:connect"},
    "redis": {"elasticache:Connect"},
    "kafka": {
        "kafka-cluster:Connect", "kafka-cluster:DescribeCluster", "kafka-cluster:DescribeTopic",
        "kafka-cluster:ReadData", "kafka-cluster:WriteData", "kafka-cluster:AlterGroup",
        "kafka-cluster:DescribeGroup",
    },
}  # fmt: skip


def role_and_policy(doc: StackDoc, env: EnvironmentConfig, spec: MicroserviceProps) -> tuple[Any, Any]:
    name, role = next(
        (n, r) for n, r in resources(doc, "aws_iam_role").items() if r["name"].endswith(f"-svc-{spec.name}")
    )
    (inline,) = [
        p
        for p in resources(doc, "aws_iam_role_policy").values()
        if p["role"] == f"${{aws_iam_role.{name}.id}}"
    ]
    return policy(role["assume_role_policy"]), inline["policy"]


@ALL
@pytest.mark.parametrize("spec", services.SPECS, ids=lambda spec: spec.name)
def test_a_service_role_trusts_its_service_account_and_grants_only_its_declared_stores(
    stack_doc: Reader, env: EnvironmentConfig, spec: MicroserviceProps
) -> None:
    trust, text = role_and_policy(stack_doc(f"{env.name}-foundation"), env, spec)
    (statement,) = trust["Statement"]
    assert sorted(statement["Condition"]["StringEquals"].values()) == [
        "sts.amazonaws.com", f"system:serviceaccount:{spec.name}:{spec.name}",
    ]  # fmt: skip
    statements = policy(text)["Statement"]
    account, region = env.location.account_id, env.location.region
    assert statements[0]["Resource"] == [
        f"arn:aws:secretsmanager:{region}:{account}:secret:{env.name}/{spec.name}/*"
    ]
    granted = {action for s in statements[2:] for action in s["Action"]}
    assert granted == set().union(*(STORE_ACTIONS[store] for store in spec.data_stores))
    assert not any(action.endswith("*") for s in statements for action in s["Action"])
    if "postgres" in spec.data_stores:
        assert f'/{spec.name}"' in text  # the database user named after the service, nobody else
    if "kafka" in spec.data_stores:
        assert text.count(f"/{spec.name}.*") == 2  # topics and consumer groups under its prefix

"""EksClusterProps and NodeGroupProps validation; the EksCluster construct's endpoint and access wiring."""

from __future__ import annotations

import pytest

from marketplace_constructs import ConfigError, EksCluster, EksClusterProps, NodeGroupProps
from tests.constructs.synth import LOCATION, synth_construct


def test_cluster_defaults_are_private_protected_and_fully_logged() -> None:
    props = EksClusterProps()
    assert props.allow_public_endpoint_cidrs == ()
    assert props.deletion_protection is True
    assert props.log_retention_days == 365


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"kubernetes_version": "1.35.1"},
            r"EksClusterProps.kubernetes_version must be like '1.35', got '1.35.1'",
        ),
        (
            {"allow_public_endpoint_cidrs": ("0.0.0.0/0",)},
            r"must not open the API to everyone, got '0.0.0.0/0'",
        ),
        (
            {"allow_public_endpoint_cidrs": ("office",)},
            r"must hold CIDRs such as '203.0.113.0/24', got 'office'",
        ),
        ({"log_retention_days": 10}, r"EksClusterProps.log_retention_days must be one of"),
        (
            {"admin_role_arns": ("arn:aws:iam::1:user/x",)},
            r"EksClusterProps.admin_role_arns must be IAM role ARNs",
        ),
    ],
)
def test_cluster_props_reject_bad_values(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        EksClusterProps(**overrides)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"min_size": 3, "desired_size": 3, "max_size": 1},
            r"NodeGroupProps.max_size \(1\) must be >= min_size \(3\)",
        ),
        (
            {"desired_size": 9},
            r"NodeGroupProps.desired_size must be between min_size \(2\) and max_size \(6\), got 9",
        ),
        ({"instance_types": ()}, r"NodeGroupProps.instance_types must name at least one instance type"),
        (
            {"instance_types": ("large",)},
            r"NodeGroupProps.instance_types must be like 'm7i.large', got 'large'",
        ),
        ({"min_size": -1}, r"NodeGroupProps.min_size must be between 0 and 1000, got -1"),
    ],
)
def test_node_group_props_reject_bad_sizes(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        NodeGroupProps(**overrides)  # type: ignore[arg-type]


def build_cluster(props: EksClusterProps) -> dict[str, dict[str, object]]:
    return synth_construct(
        lambda scope: EksCluster(
            scope, "eks", props=props, name="t-eks", location=LOCATION, subnet_ids=("a", "b"),
            secrets_key_arn="arn:secrets", log_key_arn="arn:logs",
        )
    )  # fmt: skip


def test_public_endpoint_opens_only_to_the_allowlist() -> None:
    resources = build_cluster(EksClusterProps(allow_public_endpoint_cidrs=("203.0.113.0/24",)))
    (cluster,) = resources["aws_eks_cluster"].values()
    assert cluster["vpc_config"]["endpoint_public_access"] is True  # type: ignore[index]
    assert cluster["vpc_config"]["public_access_cidrs"] == ["203.0.113.0/24"]  # type: ignore[index]


def test_log_group_exists_before_the_cluster_and_admins_get_access_entries() -> None:
    role = f"arn:aws:iam::{LOCATION.account_id}:role/admin"
    resources = build_cluster(EksClusterProps(admin_role_arns=(role,)))
    (cluster,) = resources["aws_eks_cluster"].values()
    assert any(dep.startswith("aws_cloudwatch_log_group.") for dep in cluster["depends_on"])  # type: ignore[attr-defined]
    (group,) = resources["aws_cloudwatch_log_group"].values()
    assert group["name"] == "/aws/eks/t-eks/cluster"
    (entry,) = resources["aws_eks_access_entry"].values()
    assert entry["principal_arn"] == role
    (association,) = resources["aws_eks_access_policy_association"].values()
    assert association["policy_arn"].endswith("AmazonEKSClusterAdminPolicy")  # type: ignore[attr-defined]

"""What AWS would reject or silently get wrong at the first apply, checked in every environment's stacks:
the deploy path to the private API, MSK storage owned by autoscaling, the Auto Scaling service-linked role
before the key naming it, plan-role cluster access, log groups made (encrypted, expiring) before the services
that write to them, vpc-cni before the nodes, and cost tags on what Auto Scaling launches."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

import environments
from environments.base import EnvironmentConfig
from tests.conftest import StackDoc, resources

Reader = Callable[[str], StackDoc]
ALL = pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)


def foundation(stack_doc: Reader, env: EnvironmentConfig) -> StackDoc:
    return stack_doc(f"{env.name}-foundation")


def only(doc: StackDoc, resource_type: str) -> tuple[str, dict[str, object]]:
    ((name, resource),) = resources(doc, resource_type).items()
    return name, resource


@ALL
def test_the_private_subnets_reach_the_private_api_on_443_and_nothing_wider(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = foundation(stack_doc, env)
    cluster_name, _ = only(doc, "aws_eks_cluster")
    cluster_group = f"${{aws_eks_cluster.{cluster_name}.vpc_config[0].cluster_security_group_id}}"
    api_rules = [
        r for r in resources(doc, "aws_vpc_security_group_ingress_rule").values() if r["from_port"] == 443
    ]
    on_cluster = [r for r in api_rules if r["security_group_id"] == cluster_group]
    assert sorted(r["cidr_ipv4"] for r in on_cluster) == sorted(env.network.private_subnet_cidrs)
    assert all((r["ip_protocol"], r["to_port"]) == ("tcp", 443) for r in on_cluster)
    assert all(r.get("cidr_ipv4") != "0.0.0.0/0" for r in on_cluster)


@ALL
def test_msk_leaves_the_broker_volume_size_to_storage_autoscaling(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    _, kafka = only(foundation(stack_doc, env), "aws_msk_cluster")
    assert (
        "broker_node_group_info[0].storage_info[0].ebs_storage_info[0].volume_size"
        in (
            kafka["lifecycle"]["ignore_changes"]  # type: ignore[index]
        )
    )


@pytest.mark.parametrize(
    ("name", "source"),
    [("dev", "resource"), ("staging", "resource"), ("production", "resource"), ("dr", "data")],
)
def test_ebs_key_policy_names_the_autoscaling_role_through_a_reference(
    stack_doc: Reader, name: str, source: str
) -> None:
    doc = stack_doc(f"{name}-foundation")
    if source == "resource":
        role_name, role = only(doc, "aws_iam_service_linked_role")
        assert role["aws_service_name"] == "autoscaling.amazonaws.com"
        reference = f"${{aws_iam_service_linked_role.{role_name}.arn}}"
    else:  # dr lives in production's account, where production's foundation creates the role
        assert "aws_iam_service_linked_role" not in doc.get("resource", {})
        ((role_name, role),) = doc["data"]["aws_iam_role"].items()
        assert role["name"] == "AWSServiceRoleForAutoScaling"
        reference = f"${{data.aws_iam_role.{role_name}.arn}}"
    ebs_key = next(k for n, k in resources(doc, "aws_kms_key").items() if n.startswith("ebs_key"))
    principals = {
        s["Sid"]: s["Principal"].get("AWS") for s in json.loads(ebs_key["policy"])["Statement"]
    }  # a reference in the policy makes Terraform create the key after the role exists
    assert principals["AutoScalingEncryptsNodeVolumes"] == reference
    assert principals["AutoScalingGrantsForNodeVolumes"] == reference


@ALL
def test_the_ci_plan_role_reads_the_cluster_with_admin_view(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = foundation(stack_doc, env)
    entry = next(
        name
        for name, e in resources(doc, "aws_eks_access_entry").items()
        if e["principal_arn"] == env.plan_role_arn
    )
    (association,) = [
        a for a in resources(doc, "aws_eks_access_policy_association").values()
        if a["principal_arn"] == f"${{aws_eks_access_entry.{entry}.principal_arn}}"
    ]  # fmt: skip
    assert association["policy_arn"] == "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy"
    assert association["access_scope"] == {"type": "cluster"}


@ALL
def test_rds_log_exports_land_in_encrypted_expiring_groups_made_before_the_instance(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = foundation(stack_doc, env)
    _, instance = only(doc, "aws_db_instance")
    groups = {g["name"]: (name, g) for name, g in resources(doc, "aws_cloudwatch_log_group").items()}
    for log_type in instance["enabled_cloudwatch_logs_exports"]:  # type: ignore[attr-defined]
        name, group = groups[f"/aws/rds/instance/{instance['identifier']}/{log_type}"]
        assert group["kms_key_id"].startswith("${aws_kms_key.logs_key")
        assert group["retention_in_days"] == env.database.log_retention_days
        assert f"aws_cloudwatch_log_group.{name}" in instance["depends_on"]  # type: ignore[operator]


@ALL
def test_every_service_writes_logs_only_to_groups_this_stack_encrypts(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    """EKS, VPC flow logs, ElastiCache and MSK would otherwise create unencrypted, never-expiring groups."""
    doc = foundation(stack_doc, env)
    made = resources(doc, "aws_cloudwatch_log_group")
    assert all(g["kms_key_id"] and g["retention_in_days"] for g in made.values())
    names = {g["name"] for g in made.values()}
    _, eks = only(doc, "aws_eks_cluster")
    assert f"/aws/eks/{eks['name']}/cluster" in names
    assert any(dep.startswith("aws_cloudwatch_log_group.") for dep in eks["depends_on"])  # type: ignore[attr-defined]
    _, flow = only(doc, "aws_flow_log")
    _, kafka = only(doc, "aws_msk_cluster")
    _, redis = only(doc, "aws_elasticache_replication_group")
    destinations = [
        flow["log_destination"],
        kafka["logging_info"]["broker_logs"]["cloudwatch_logs"]["log_group"],  # type: ignore[index]
        *(d["destination"] for d in redis["log_delivery_configuration"]),  # type: ignore[attr-defined]
    ]
    assert all(str(d).startswith("${aws_cloudwatch_log_group.") for d in destinations)


@ALL
def test_node_groups_wait_for_vpc_cni_which_waits_for_its_role_policy(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = foundation(stack_doc, env)
    addons = {a["addon_name"]: (name, a) for name, a in resources(doc, "aws_eks_addon").items()}
    cni_name, cni = addons["vpc-cni"]
    attachments = resources(doc, "aws_iam_role_policy_attachment")
    (cni_dependency,) = cni["depends_on"]
    assert attachments[cni_dependency.split(".")[1]]["policy_arn"].endswith("/AmazonEKS_CNI_Policy")
    groups = resources(doc, "aws_eks_node_group").values()
    assert groups and all(f"aws_eks_addon.{cni_name}" in g["depends_on"] for g in groups)


@ALL
def test_what_auto_scaling_launches_for_nodes_carries_the_cost_tags(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    templates = resources(foundation(stack_doc, env), "aws_launch_template").values()
    assert len(templates) == len(env.node_groups.by_name())
    for template in templates:
        tagged = {spec["resource_type"]: spec["tags"] for spec in template["tag_specifications"]}
        assert sorted(tagged) == ["instance", "network-interface", "volume"]
        for tags in tagged.values():
            assert {key: tags[key] for key in env.tags} == dict(env.tags)

"""EKS per environment: node groups, launch templates, add-ons, and the platform layer built on them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

import pytest

import environments
from environments.base import EnvironmentConfig
from stacks.charts import AWS_LOAD_BALANCER_CONTROLLER, CLUSTER_AUTOSCALER, METRICS_SERVER
from tests.conftest import StackDoc, resources

Reader = Callable[[str], StackDoc]
ALL = pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)


@ALL
def test_three_node_groups_and_a_burst_where_configured_sized_per_environment(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    groups = {
        g["node_group_name"]: g
        for g in resources(stack_doc(f"{env.name}-foundation"), "aws_eks_node_group").values()
    }
    for name, props in env.running_node_groups.by_name().items():  # a standby's floor while standing by
        group = groups[name]
        assert group["scaling_config"] == {
            "min_size": props.min_size, "desired_size": props.desired_size, "max_size": props.max_size
        }  # fmt: skip
        assert (group["instance_types"], group["capacity_type"], group["ami_type"]) == (
            list(props.instance_types), props.capacity_type, props.ami_type,
        )  # fmt: skip
        assert all(subnet.startswith("${aws_subnet.network_private_") for subnet in group["subnet_ids"])
    assert set(groups) == set(env.node_groups.by_name()) >= {"general", "compute", "memory"}


@ALL
def test_every_launch_template_requires_imdsv2_with_hop_limit_one(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    templates = resources(stack_doc(f"{env.name}-foundation"), "aws_launch_template").values()
    assert len(templates) == len(env.node_groups.by_name())
    for template in templates:
        assert template["metadata_options"]["http_tokens"] == "required"
        assert template["metadata_options"]["http_put_response_hop_limit"] == 1
        ebs = template["block_device_mappings"][0]["ebs"]
        assert ebs["encrypted"] == "true" and ebs["kms_key_id"].startswith("${aws_kms_key.ebs_key_")


@ALL
def test_only_eks_own_security_group_carries_the_cluster_tag(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    for group in resources(stack_doc(f"{env.name}-foundation"), "aws_security_group").values():
        assert not any(tag.startswith("kubernetes.io/cluster/") for tag in group.get("tags", {}))


@ALL
def test_add_ons_use_irsa_and_wait_for_nodes_where_they_run_pods(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    addons = {
        a["addon_name"]: a for a in resources(stack_doc(f"{env.name}-foundation"), "aws_eks_addon").values()
    }
    assert set(addons) == {"vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"}
    assert json.loads(addons["vpc-cni"]["configuration_values"]) == {"enableNetworkPolicy": "true"}
    for name in ("coredns", "aws-ebs-csi-driver"):
        waits_for = [dep.split(".")[0] for dep in addons[name]["depends_on"]]
        assert waits_for.count("aws_eks_node_group") == len(env.node_groups.by_name())
    for name in ("vpc-cni", "aws-ebs-csi-driver"):
        assert "service_account_role_arn" in addons[name]


@ALL
def test_platform_installs_pinned_add_ons_with_their_irsa_roles(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    releases = {r["name"]: r for r in resources(stack_doc(f"{env.name}-platform"), "helm_release").values()}
    for chart in (METRICS_SERVER, CLUSTER_AUTOSCALER, AWS_LOAD_BALANCER_CONTROLLER):
        assert (releases[chart.name]["version"], releases[chart.name]["repository"]) == (
            chart.version,
            chart.repository,
        )
    load_balancer = json.loads(
        re.sub(r"\$\{[^}]*\}", "TOKEN", releases["aws-load-balancer-controller"]["values"][0])
    )
    assert load_balancer["region"] == env.location.region and load_balancer["vpcId"] == "TOKEN"
    assert load_balancer["serviceAccount"]["annotations"]["eks.amazonaws.com/role-arn"] == "TOKEN"
    autoscaler = json.loads(re.sub(r"\$\{[^}]*\}", "TOKEN", releases["cluster-autoscaler"]["values"][0]))
    assert autoscaler["extraArgs"]["balance-similar-node-groups"] is True
    assert autoscaler["image"]["tag"].startswith(f"v{env.cluster.kubernetes_version}.")


@ALL
def test_default_storage_class_is_encrypted_gp3_with_the_environments_cost_tags(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    (storage,) = resources(stack_doc(f"{env.name}-platform"), "kubernetes_storage_class_v1").values()
    assert storage["metadata"]["annotations"] == {"storageclass.kubernetes.io/is-default-class": "true"}
    assert storage["parameters"]["type"] == "gp3" and storage["parameters"]["encrypted"] == "true"
    assert storage["parameters"]["kmsKeyId"].startswith("${data.terraform_remote_state.")
    tags = [value for key, value in storage["parameters"].items() if key.startswith("tagSpecification_")]
    assert sorted(tags) == sorted(f"{key}={value}" for key, value in env.tags.items())
    assert f"Environment={env.name}" in tags  # what the environment's budget counts


@ALL
def test_platform_links_to_its_foundation_only_through_remote_state(
    stack_doc: Reader, env: EnvironmentConfig
) -> None:
    doc = stack_doc(f"{env.name}-platform")
    assert set(doc["data"]) == {"terraform_remote_state"}
    assert set(doc["data"]["terraform_remote_state"]) == {
        f"cross-stack-reference-input-{env.name}-foundation"
    }
    references = set(re.findall(r"\$\{(?:[a-z0-9]+\()?([a-z_]+)\.", json.dumps(doc)))
    assert references <= {"data", "terraform", "kubernetes_namespace_v1"}  # terraform.workspace

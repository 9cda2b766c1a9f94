"""EksClusterProps and NodeGroupProps validation; EksCluster, NodeGroups, ManagedAddons and IRSA wiring."""

from __future__ import annotations

import json

import pytest

from marketplace_constructs import (
    ConfigError,
    EksCluster,
    EksClusterProps,
    ManagedAddons,
    NodeGroupProps,
    NodeGroups,
    ServiceAccountRole,
)
from tests.conftest import policy
from tests.constructs.synth import LOCATION, synth_construct


def test_cluster_defaults_are_private_protected_and_fully_logged() -> None:
    props = EksClusterProps()
    assert props.allow_public_endpoint_cidrs == ()
    assert props.deletion_protection and props.admin_requires_mfa
    assert props.log_retention_days == 365


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"kubernetes_version": "1.28"},
            r"kubernetes_version must be a version under EKS standard support "
            r"\('1.34', '1.35', '1.36'\), got '1.28'",
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
        (
            {"admin_view_role_arns": ("plan",)},
            r"EksClusterProps.admin_view_role_arns must be IAM role ARNs",
        ),
        (
            {"api_access_cidrs": ("0.0.0.0/0",)},
            r"EksClusterProps.api_access_cidrs must hold private ranges inside the VPC, got '0.0.0.0/0'",
        ),
        (
            {"api_access_cidrs": ("198.51.100.0/24",)},
            r"EksClusterProps.api_access_cidrs must hold private ranges inside the VPC, "
            r"got '198.51.100.0/24'",
        ),
        (
            {"api_access_security_group_ids": ("runners",)},
            r"EksClusterProps.api_access_security_group_ids must be security group ids like 'sg-0123",
        ),
        (
            {"operator_principals": ("*",)},
            r"EksClusterProps.operator_principals must be ARN patterns like 'user/\*'",
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
            r"NodeGroupProps.instance_types must be an EC2 instance type \(botocore's EC2 model\), "
            r"got 'large'",
        ),
        (
            {"graviton": True},
            r"must all be Graviton \(arm64\) types such as 'm7g.large' because graviton=True, "
            r"got 'm7i.large'",
        ),
        (
            {"instance_types": ("m7g.large",)},
            r"must all be x86_64 types because graviton=False, got 'm7g.large'",
        ),
        ({"capacity_type": "RESERVED"}, r"NodeGroupProps.capacity_type must be one of 'ON_DEMAND', 'SPOT'"),
        ({"min_size": -1}, r"NodeGroupProps.min_size must be between 0 and 1000, got -1"),
    ],
)
def test_node_group_props_reject_bad_values(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        NodeGroupProps(**overrides)  # type: ignore[arg-type]


def test_graviton_groups_get_the_arm64_image() -> None:
    assert (
        NodeGroupProps(instance_types=("c7g.large", "c6gn.large"), graviton=True).ami_type
        == "AL2023_ARM_64_STANDARD"
    )
    assert NodeGroupProps().ami_type == "AL2023_x86_64_STANDARD"


def build_cluster(props: EksClusterProps) -> dict[str, dict[str, object]]:
    return synth_construct(
        lambda scope: EksCluster(
            scope, "eks", props=props, name="t-eks", location=LOCATION, subnet_ids=("a", "b"),
            private_subnet_cidrs=("10.0.0.0/18", "10.0.64.0/18"), secrets_key_arn="arn:secrets",
            log_key_arn="arn:logs",
        )
    )  # fmt: skip


def test_public_endpoint_opens_only_to_the_allowlist() -> None:
    resources = build_cluster(EksClusterProps(allow_public_endpoint_cidrs=("203.0.113.0/24",)))
    (cluster,) = resources["aws_eks_cluster"].values()
    assert cluster["vpc_config"]["endpoint_public_access"] is True  # type: ignore[index]
    assert cluster["vpc_config"]["public_access_cidrs"] == ["203.0.113.0/24"]  # type: ignore[index]


def test_access_is_explicit_admin_needs_mfa_and_log_group_comes_first() -> None:
    deploy = f"arn:aws:iam::{LOCATION.account_id}:role/deploy"
    plan = f"arn:aws:iam::{LOCATION.account_id}:role/plan"
    resources = build_cluster(EksClusterProps(admin_role_arns=(deploy,), admin_view_role_arns=(plan,)))
    (cluster,) = resources["aws_eks_cluster"].values()
    assert cluster["access_config"] == {
        "authentication_mode": "API",
        "bootstrap_cluster_creator_admin_permissions": False,
    }
    assert any(dep.startswith("aws_cloudwatch_log_group.") for dep in cluster["depends_on"])  # type: ignore[attr-defined]
    policies = sorted(
        a["policy_arn"].rsplit("/", 1)[1] for a in resources["aws_eks_access_policy_association"].values()
    )
    assert policies == [
        "AmazonEKSAdminViewPolicy", "AmazonEKSClusterAdminPolicy", "AmazonEKSClusterAdminPolicy",
        "AmazonEKSViewPolicy",
    ]  # fmt: skip
    view = next(
        a for a in resources["aws_eks_access_policy_association"].values()
        if a["policy_arn"].endswith("/AmazonEKSAdminViewPolicy")
    )  # fmt: skip
    assert view["principal_arn"].startswith("${aws_eks_access_entry.eks_admin_view_0_")
    assert plan in [e["principal_arn"] for e in resources["aws_eks_access_entry"].values()]
    roles = {
        r["name"]: policy(r["assume_role_policy"])["Statement"][0] for r in resources["aws_iam_role"].values()
    }
    admin, readonly = roles["t-eks-admin"], roles["t-eks-readonly"]
    assert admin["Condition"]["Bool"] == {"aws:MultiFactorAuthPresent": "true"}
    assert "Bool" not in readonly["Condition"]
    assert admin["Condition"]["ArnLike"] == {"aws:PrincipalArn": ["arn:aws:iam::123456789012:user/*"]}
    (oidc,) = resources["aws_iam_openid_connect_provider"].values()
    assert oidc["client_id_list"] == ["sts.amazonaws.com"]


def test_admin_mfa_binds_iam_users_and_trusts_identity_center_roles_without_it() -> None:
    sso = "role/aws-reserved/sso.amazonaws.com/*"
    resources = build_cluster(EksClusterProps(operator_principals=("user/*", sso)))
    trust = {
        r["name"]: policy(r["assume_role_policy"])["Statement"] for r in resources["aws_iam_role"].values()
    }
    users, roles = trust["t-eks-admin"]
    assert users["Condition"] == {
        "ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::123456789012:user/*"]},
        "Bool": {"aws:MultiFactorAuthPresent": "true"},
    }
    # Identity Center sessions never carry aws:MultiFactorAuthPresent: MFA happens at their sign-in.
    assert roles["Condition"] == {"ArnLike": {"aws:PrincipalArn": [f"arn:aws:iam::123456789012:{sso}"]}}
    (readonly,) = trust["t-eks-readonly"]
    assert "Bool" not in readonly["Condition"]


def test_private_api_admits_only_the_configured_deploy_path_on_443() -> None:
    closed = build_cluster(EksClusterProps())
    assert "aws_vpc_security_group_ingress_rule" not in closed
    opened = build_cluster(
        EksClusterProps(
            api_access_from_private_subnets=True, api_access_cidrs=("10.0.200.0/24",),
            api_access_security_group_ids=("sg-0123456789abcdef0",),
        )
    )  # fmt: skip
    rules = list(opened["aws_vpc_security_group_ingress_rule"].values())
    sources = sorted(str(r.get("cidr_ipv4", r.get("referenced_security_group_id"))) for r in rules)
    assert sources == ["10.0.0.0/18", "10.0.200.0/24", "10.0.64.0/18", "sg-0123456789abcdef0"]
    for rule in rules:
        assert (rule["ip_protocol"], rule["from_port"], rule["to_port"]) == ("tcp", 443, 443)
        assert rule["security_group_id"].startswith("${aws_eks_cluster.eks_cluster_")
        assert rule["security_group_id"].endswith(".vpc_config[0].cluster_security_group_id}")


def test_irsa_trust_is_pinned_to_one_service_account_and_the_sts_audience() -> None:
    resources = synth_construct(
        lambda scope: ServiceAccountRole(
            scope, "r", name="t-app", oidc_provider_arn="arn:oidc", oidc_issuer_url="https://oidc.example/id/X",
            namespace="shop", service_account="checkout",
        )
    )  # fmt: skip
    (role,) = resources["aws_iam_role"].values()
    (statement,) = policy(role["assume_role_policy"])["Statement"]
    assert (
        statement["Principal"] == {"Federated": "arn:oidc"}
        and statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    )
    conditions = statement["Condition"]["StringEquals"]
    assert sorted(conditions.values()) == ["sts.amazonaws.com", "system:serviceaccount:shop:checkout"]
    assert all(key.endswith((":sub", ":aud")) for key in conditions)


def test_irsa_rejects_a_wildcard_service_account() -> None:
    with pytest.raises(
        ConfigError, match=r"ServiceAccountRole.service_account must be a DNS-1123 label .*, got '\*'"
    ):
        synth_construct(
            lambda scope: ServiceAccountRole(
                scope,
                "r",
                name="t",
                oidc_provider_arn="a",
                oidc_issuer_url="b",
                namespace="shop",
                service_account="*",
            )
        )


def build_nodes() -> dict[str, dict[str, object]]:
    groups = {
        "general": NodeGroupProps(),
        "compute": NodeGroupProps(instance_types=("c7g.large",), graviton=True, capacity_type="SPOT"),
    }
    return synth_construct(
        lambda scope: NodeGroups(
            scope, "nodes", groups=groups, cluster_name="t-eks", cluster_security_group_id="sg-cluster",
            location=LOCATION, vpc_id="vpc", subnet_ids=("a", "b"), volume_key_arn="arn:ebs",
            tags={"CostCenter": "c1", "Environment": "t"}, after=[],
        )
    )  # fmt: skip


def test_launch_templates_lock_metadata_and_encrypt_root_volumes() -> None:
    for template in build_nodes()["aws_launch_template"].values():
        assert template["metadata_options"] == {
            "http_endpoint": "enabled", "http_tokens": "required", "http_put_response_hop_limit": 1,
            "instance_metadata_tags": "disabled",
        }  # fmt: skip
        ebs = template["block_device_mappings"][0]["ebs"]  # type: ignore[index]
        assert (ebs["volume_type"], ebs["encrypted"], ebs["kms_key_id"]) == ("gp3", "true", "arn:ebs")
        assert template["vpc_security_group_ids"][0] == "sg-cluster"  # type: ignore[index]


def test_instances_volumes_and_interfaces_launched_for_nodes_carry_the_cost_tags() -> None:
    for template in build_nodes()["aws_launch_template"].values():
        specs = {s["resource_type"]: s["tags"] for s in template["tag_specifications"]}  # type: ignore[attr-defined]
        assert sorted(specs) == ["instance", "network-interface", "volume"]
        for tags in specs.values():
            assert tags["CostCenter"] == "c1" and tags["Environment"] == "t"
            assert tags["Name"].startswith("t-eks-")


def test_node_groups_follow_architecture_capacity_and_leave_desired_size_to_the_autoscaler() -> None:
    groups = {g["node_group_name"]: g for g in build_nodes()["aws_eks_node_group"].values()}
    assert (groups["compute"]["ami_type"], groups["compute"]["capacity_type"]) == (
        "AL2023_ARM_64_STANDARD",
        "SPOT",
    )
    assert groups["general"]["labels"] == {"workload-class": "general"}
    assert groups["general"]["tags"]["k8s.io/cluster-autoscaler/t-eks"] == "owned"  # type: ignore[index]
    assert groups["general"]["lifecycle"] == {"ignore_changes": ["scaling_config[0].desired_size"]}


def test_nodes_get_no_cni_permissions_and_open_the_mesh_ports_to_the_control_plane() -> None:
    resources = build_nodes()
    policies = [a["policy_arn"] for a in resources["aws_iam_role_policy_attachment"].values()]
    assert not any("CNI" in policy for policy in policies)
    ports = sorted(r["from_port"] for r in resources["aws_vpc_security_group_ingress_rule"].values())
    assert ports == [15012, 15017]
    (group,) = resources["aws_security_group"].values()
    assert not any(tag.startswith("kubernetes.io/cluster/") for tag in group["tags"])  # type: ignore[attr-defined]


def build_addons_and_nodes() -> dict[str, dict[str, object]]:
    def build(scope: object) -> None:
        addons = ManagedAddons(
            scope, "addons", cluster_name="t-eks", kubernetes_version="1.35", oidc_provider_arn="arn:oidc",  # type: ignore[arg-type]
            oidc_issuer_url="https://issuer", volume_key_arn="arn:ebs",
        )  # fmt: skip
        nodes = NodeGroups(
            scope, "nodes", groups={"general": NodeGroupProps()}, cluster_name="t-eks",  # type: ignore[arg-type]
            cluster_security_group_id="sg", location=LOCATION, vpc_id="v", subnet_ids=("a",),
            volume_key_arn="k", tags={}, after=addons.before_compute,
        )  # fmt: skip
        addons.install_after(nodes.groups)

    return synth_construct(build)


def test_addons_that_run_pods_wait_for_nodes_and_cni_enforces_network_policy() -> None:
    addons = {a["addon_name"]: a for a in build_addons_and_nodes()["aws_eks_addon"].values()}
    assert set(addons) == {"vpc-cni", "kube-proxy", "coredns", "aws-ebs-csi-driver"}
    assert json.loads(addons["vpc-cni"]["configuration_values"]) == {"enableNetworkPolicy": "true"}
    for name in ("coredns", "aws-ebs-csi-driver"):
        assert "aws_eks_node_group" in [dep.split(".")[0] for dep in addons[name]["depends_on"]]
    for name in ("vpc-cni", "aws-ebs-csi-driver"):
        assert addons[name]["service_account_role_arn"].startswith("${aws_iam_role.")
    assert addons["coredns"]["addon_version"].startswith("${data.aws_eks_addon_version.")


def test_vpc_cni_runs_with_its_role_before_any_node_boots() -> None:
    resources = build_addons_and_nodes()
    addons = {a["addon_name"]: (name, a) for name, a in resources["aws_eks_addon"].items()}
    cni_name, cni = addons["vpc-cni"]
    attachment = next(
        name for name, a in resources["aws_iam_role_policy_attachment"].items()
        if a["policy_arn"].endswith("/AmazonEKS_CNI_Policy")
    )  # fmt: skip
    assert cni["depends_on"] == [f"aws_iam_role_policy_attachment.{attachment}"]
    for group in resources["aws_eks_node_group"].values():
        assert f"aws_eks_addon.{cni_name}" in group["depends_on"]  # type: ignore[operator]

"""The synthesized network of every environment: tiers per zone, NAT, routes, endpoints, flow logs."""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Callable

import pytest

import environments
from environments.base import EnvironmentConfig
from tests.conftest import StackDoc, resources

ENVS = {env.name: env for env in environments.ALL}
FoundationReader = Callable[[str], StackDoc]


def foundation(stack_doc: FoundationReader, env: EnvironmentConfig) -> StackDoc:
    return stack_doc(f"{env.name}-foundation")


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_one_subnet_per_tier_in_each_zone(stack_doc: FoundationReader, env: EnvironmentConfig) -> None:
    subnets = resources(foundation(stack_doc, env), "aws_subnet").values()
    per_zone_and_tier = Counter((subnet["availability_zone"], subnet["tags"]["Tier"]) for subnet in subnets)
    expected = {
        (zone, tier): 1
        for zone in env.network.availability_zones
        for tier in ("public", "private", "database")
    }
    assert per_zone_and_tier == expected


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_subnets_fit_the_vpc_without_overlapping(stack_doc: FoundationReader, env: EnvironmentConfig) -> None:
    vpc = ipaddress.IPv4Network(env.network.cidr)
    nets = [
        ipaddress.IPv4Network(s["cidr_block"])
        for s in resources(foundation(stack_doc, env), "aws_subnet").values()
    ]
    assert all(net.subnet_of(vpc) for net in nets)
    assert not any(a.overlaps(b) for i, a in enumerate(nets) for b in nets[i + 1 :])


@pytest.mark.parametrize("name", ENVS)
def test_nat_gateways_follow_the_environment_strategy(stack_doc: FoundationReader, name: str) -> None:
    env = ENVS[name]
    nat_count = 1 if env.network.nat_strategy == "single" else len(env.network.availability_zones)
    doc = foundation(stack_doc, env)
    assert len(resources(doc, "aws_nat_gateway")) == nat_count
    nat_routes = {r["nat_gateway_id"] for r in resources(doc, "aws_route").values() if "nat_gateway_id" in r}
    assert len(nat_routes) == nat_count  # per zone: each private table has its own NAT


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_database_tier_has_no_route_to_the_internet(
    stack_doc: FoundationReader, env: EnvironmentConfig
) -> None:
    doc = foundation(stack_doc, env)
    database_table = next(
        name for name in resources(doc, "aws_route_table") if name.startswith("network_database")
    )
    routes = resources(doc, "aws_route").values()
    assert not [r for r in routes if database_table in r["route_table_id"]]


def test_vpc_ranges_do_not_overlap_across_environments(stack_doc: FoundationReader) -> None:
    cidrs = {
        env.name: ipaddress.IPv4Network(
            next(iter(resources(foundation(stack_doc, env), "aws_vpc").values()))["cidr_block"]
        )
        for env in environments.ALL
    }
    names = sorted(cidrs)
    overlapping = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :] if cidrs[a].overlaps(cidrs[b])]
    assert len(cidrs) == len(environments.ALL)
    assert overlapping == []


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_default_security_group_has_no_rules(stack_doc: FoundationReader, env: EnvironmentConfig) -> None:
    (default_group,) = resources(foundation(stack_doc, env), "aws_default_security_group").values()
    assert default_group["ingress"] == [] and default_group["egress"] == []


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_subnets_never_assign_public_ips(stack_doc: FoundationReader, env: EnvironmentConfig) -> None:
    subnets = resources(foundation(stack_doc, env), "aws_subnet").values()
    assert all(subnet["map_public_ip_on_launch"] is False for subnet in subnets)


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_subnets_carry_load_balancer_discovery_tags(
    stack_doc: FoundationReader, env: EnvironmentConfig
) -> None:
    by_tier = {
        s["tags"]["Tier"]: s["tags"] for s in resources(foundation(stack_doc, env), "aws_subnet").values()
    }
    assert by_tier["public"]["kubernetes.io/role/elb"] == "1"
    assert by_tier["private"]["kubernetes.io/role/internal-elb"] == "1"
    assert not any(tag.startswith("kubernetes.io/") for tag in by_tier["database"])


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_flow_logs_record_rejected_traffic_into_an_encrypted_group(
    stack_doc: FoundationReader, env: EnvironmentConfig
) -> None:
    doc = foundation(stack_doc, env)
    (flow_log,) = resources(doc, "aws_flow_log").values()
    group = resources(doc, "aws_cloudwatch_log_group")[flow_log["log_destination"].split(".")[1]]
    # the security baseline's choice (VpcProps.flow_log_traffic): refused packets, to CloudWatch Logs
    assert flow_log["traffic_type"] == env.network.flow_log_traffic == "REJECT"
    assert flow_log["log_destination_type"] == "cloud-watch-logs"
    assert group["kms_key_id"].startswith("${aws_kms_key.")
    assert group["retention_in_days"] == env.network.flow_log_retention_days


@pytest.mark.parametrize("name", ENVS)
def test_private_endpoints_where_the_environment_asks(stack_doc: FoundationReader, name: str) -> None:
    interface_endpoints = len(ENVS[name].network.interface_endpoints)
    kinds = Counter(
        e["vpc_endpoint_type"]
        for e in resources(foundation(stack_doc, ENVS[name]), "aws_vpc_endpoint").values()
    )
    assert kinds == Counter(
        {"Gateway": 1, "Interface": interface_endpoints} if interface_endpoints else {"Gateway": 1}
    )

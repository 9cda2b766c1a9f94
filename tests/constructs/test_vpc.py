"""VpcProps validation, the subnet plan and the Vpc construct's NAT and endpoint wiring."""

from __future__ import annotations

import pytest

from marketplace_constructs import ConfigError, Vpc, VpcProps
from marketplace_constructs.network.subnet_plan import plan_subnets
from tests.constructs.synth import LOCATION, synth_construct

ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")


def test_defaults_are_the_resilient_choice() -> None:
    props = VpcProps(cidr="10.50.0.0/16", availability_zones=ZONES)
    assert props.nat_strategy == "per_az"
    assert props.flow_log_retention_days == 365


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"cidr": "10.50.0.0"}, r"VpcProps.cidr must be a /16 to /20 network, got '10.50.0.0'"),
        ({"cidr": "10.50.0.0/21"}, r"VpcProps.cidr must be a /16 to /20 network, got '10.50.0.0/21'"),
        ({"cidr": "10.0.0.0/15"}, r"VpcProps.cidr must be a /16 to /20 network, got '10.0.0.0/15'"),
        ({"cidr": "10.50.1.0/16"}, r"VpcProps.cidr must be an IPv4 network in CIDR notation"),
        ({"cidr": "100.64.0.0/16"}, r"VpcProps.cidr must be a private \(RFC 1918\) range"),
        ({"availability_zones": ()}, r"VpcProps.availability_zones \(count\) must be between 1 and 3, got 0"),
        ({"availability_zones": (*ZONES, "us-east-1d")}, r"must be between 1 and 3, got 4"),
        ({"nat_strategy": "none"}, r"VpcProps.nat_strategy must be one of 'single', 'per_az', got 'none'"),
        ({"flow_log_retention_days": 0}, r"VpcProps.flow_log_retention_days must be one of 1, 3, 5"),
        ({"interface_endpoints": ("ec2",)}, r"VpcProps.interface_endpoints must be one of 'ecr.api'"),
        ({"interface_endpoints": ("sts", "sts")}, r"must not repeat a service"),
    ],
)
def test_rejects_bad_props(overrides: dict[str, object], message: str) -> None:
    values: dict[str, object] = {"cidr": "10.50.0.0/16", "availability_zones": ZONES, **overrides}
    with pytest.raises(ConfigError, match=message):
        VpcProps(**values)  # type: ignore[arg-type]


def test_subnet_plan_gives_private_subnets_room_for_pods_and_never_moves_when_a_zone_is_added() -> None:
    two, three = plan_subnets("10.50.0.0/16", 2), plan_subnets("10.50.0.0/16", 3)
    assert three.private == ("10.50.0.0/18", "10.50.64.0/18", "10.50.128.0/18")
    assert three.public == ("10.50.192.0/22", "10.50.196.0/22", "10.50.200.0/22")
    assert three.database == ("10.50.208.0/22", "10.50.212.0/22", "10.50.216.0/22")
    assert (
        three.private[:2] == two.private
        and three.public[:2] == two.public
        and three.database[:2] == two.database
    )


def test_the_plan_scales_with_a_smaller_range() -> None:
    plan = plan_subnets("10.50.16.0/20", 3)
    assert plan.private == ("10.50.16.0/22", "10.50.20.0/22", "10.50.24.0/22")  # 1,024 pod addresses a zone
    assert plan.public == ("10.50.28.0/26", "10.50.28.64/26", "10.50.28.128/26")
    assert plan.database == ("10.50.29.0/26", "10.50.29.64/26", "10.50.29.128/26")


def test_a_vpc_without_a_cluster_tags_no_cluster_and_a_key_exposes_its_arn() -> None:
    props = VpcProps(cidr="10.50.16.0/20", availability_zones=ZONES[:2], nat_strategy="single")
    resources = synth_construct(
        lambda scope: Vpc(scope, "net", props=props, name="t", location=LOCATION, log_key_arn="arn:key")
    )
    subnets = resources["aws_subnet"].values()
    assert sorted(s["cidr_block"] for s in subnets) == sorted(
        (
            *plan_subnets(props.cidr, 2).public,
            *plan_subnets(props.cidr, 2).private,
            *plan_subnets(props.cidr, 2).database,
        )
    )
    assert not [key for s in subnets for key in s["tags"] if key.startswith("kubernetes.io/cluster/")]
    assert {s["tags"].get("kubernetes.io/role/elb") for s in subnets} == {"1", None}


def build_vpc(nat_strategy: str, endpoints: tuple[str, ...] = ()) -> dict[str, dict[str, object]]:
    props = VpcProps(
        cidr="10.50.0.0/16",
        availability_zones=ZONES,
        nat_strategy=nat_strategy,
        interface_endpoints=endpoints,  # type: ignore[arg-type]
    )
    return synth_construct(
        lambda scope: Vpc(
            scope,
            "net",
            props=props,
            name="t",
            location=LOCATION,
            log_key_arn="arn:key",
            cluster_name="t-eks",
        )
    )


@pytest.mark.parametrize(("strategy", "nat_count"), [("single", 1), ("per_az", 3)])
def test_nat_gateways_follow_the_strategy_and_every_private_zone_gets_a_route(
    strategy: str, nat_count: int
) -> None:
    resources = build_vpc(strategy)
    assert len(resources["aws_nat_gateway"]) == nat_count
    nat_routes = [r for r in resources["aws_route"].values() if "nat_gateway_id" in r]
    assert len(nat_routes) == 3


def test_interface_endpoints_accept_https_from_the_vpc_only() -> None:
    resources = build_vpc("single", ("sts", "kms"))
    interface = [e for e in resources["aws_vpc_endpoint"].values() if e["vpc_endpoint_type"] == "Interface"]
    assert sorted(e["service_name"] for e in interface) == [
        "com.amazonaws.us-east-1.kms",
        "com.amazonaws.us-east-1.sts",
    ]
    assert all(e["private_dns_enabled"] is True for e in interface)
    (rule,) = resources["aws_vpc_security_group_ingress_rule"].values()
    assert (rule["cidr_ipv4"], rule["from_port"], rule["to_port"]) == ("10.50.0.0/16", 443, 443)


def test_zones_of_another_region_are_rejected_before_any_resource_exists() -> None:
    props = VpcProps(cidr="10.50.0.0/16", availability_zones=("us-west-2a", "us-west-2b"))
    with pytest.raises(
        ConfigError, match=r"must hold zones of region 'us-east-1' such as 'us-east-1a', got 'us-west-2a'"
    ):
        synth_construct(
            lambda scope: Vpc(
                scope, "net", props=props, name="t", location=LOCATION, log_key_arn="k", cluster_name="c"
            )
        )

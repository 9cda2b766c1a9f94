"""AWS's value lists come from botocore's service models; the project's own enumerations stay inside them."""

from __future__ import annotations

from typing import get_args

import pytest

from marketplace_constructs import ConfigError, NodeGroupProps
from marketplace_constructs.aws_models import check_instance_type, ec2_instance_types, enumeration
from marketplace_constructs.eks.cluster import CONTROL_PLANE_LOG_TYPES
from marketplace_constructs.eks.props import CapacityType


def test_ec2_instance_types_hold_the_families_the_environments_use() -> None:
    types = ec2_instance_types()
    assert len(types) > 500
    assert {
        "m7i.large",
        "c7i.2xlarge",
        "r7i.xlarge",
        "c6i.large",
        "m7g.large",
        "r6g.xlarge",
        "t4g.medium",
    } <= types
    assert "m7i.larg" not in types


@pytest.mark.parametrize(
    ("value", "prefix", "message"),
    [
        (
            "m7i.larg",
            "",
            r"must be an EC2 instance type \(botocore's EC2 model\), got 'm7i.larg'; did you mean "
            r"'m7i.large'\?",
        ),
        (
            "db.r6g.xlarg",
            "db.",
            r"must be 'db.' followed by an EC2 instance type .* did you mean 'db.r6g.xlarge'",
        ),
        ("r6g.xlarge", "cache.", r"must be 'cache.' followed by an EC2 instance type"),
        ("zzz", "", r"got 'zzz'$"),
    ],
)
def test_unknown_types_are_refused_with_the_closest_match(value: str, prefix: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        check_instance_type("P", "f", value, prefix=prefix)


def test_known_types_and_tokens_pass() -> None:
    check_instance_type("P", "f", "kafka.m5.xlarge", prefix="kafka.")
    check_instance_type("P", "f", "${TfToken[TOKEN.1]}")


def test_the_projects_own_enumerations_are_values_the_eks_api_has() -> None:
    assert set(get_args(CapacityType)) <= enumeration("eks", "CapacityTypes")
    ami_types = {
        NodeGroupProps().ami_type,
        NodeGroupProps(instance_types=("m7g.large",), graviton=True).ami_type,
    }
    assert ami_types <= enumeration("eks", "AMITypes")
    assert set(CONTROL_PLANE_LOG_TYPES) <= enumeration("eks", "LogType")

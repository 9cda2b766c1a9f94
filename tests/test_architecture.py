"""The architecture graph bin/dev diagram draws, read from the synthesized stacks: its nodes and edges match
the configuration and the specs (the model, not pixels), and one environment renders to SVG and PNG."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

import environments
import services
from environments.base import EnvironmentConfig
from tools.architecture import GATEWAY, INTERNET, Architecture, architecture
from tools.diagram import draw


def edges(model: Architecture) -> set[tuple[str, str]]:
    return {(edge.source, edge.target) for edge in model.edges}


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_every_zone_has_its_three_tiers_and_the_nat_gateways_the_config_asks_for(
    synth_dir: Path, env: EnvironmentConfig
) -> None:
    model, config = architecture(synth_dir, env.name), env
    per_zone = Counter(
        (node.group[-1], node.kind) for node in model.nodes.values() if node.kind.startswith("subnet-")
    )
    assert per_zone == Counter(
        {
            (zone, f"subnet-{tier}"): 1
            for zone in config.network.availability_zones
            for tier in ("public", "private", "database")
        }
    )
    nats = [node for node in model.nodes.values() if node.kind == "nat"]
    assert len(nats) == (1 if config.network.nat_strategy == "single" else 3)
    assert all((nat.id, INTERNET) in edges(model) for nat in nats)


@pytest.mark.parametrize("env", environments.ALL, ids=lambda env: env.name)
def test_node_groups_and_stores_carry_the_configured_sizes(synth_dir: Path, env: EnvironmentConfig) -> None:
    config, model = env, architecture(synth_dir, env.name)
    for name in ("general", "compute", "memory"):
        group = getattr(config.running_node_groups, name)
        label = model.nodes[f"nodes:{name}"].label
        assert f"{group.min_size}-{group.max_size} nodes" in label and group.instance_types[0] in label
    assert config.database.instance_class in model.nodes["database"].label
    assert config.kafka.broker_instance_type in model.nodes["kafka"].label


def test_production_requests_flow_from_the_internet_through_the_edge_to_the_services(synth_dir: Path) -> None:
    model = architecture(synth_dir, "production")
    found = edges(model)
    assert {(INTERNET, "zone"), ("zone", "waf"), ("waf", "alb"), ("alb", GATEWAY)} <= found
    # who calls whom: exactly the specs' callers, plus the gateway for every service with a public route
    calls = {(s, t) for s, t in found if t.startswith("service:") and s.startswith("service:")}
    assert calls == {
        (f"service:{caller}", f"service:{spec.name}") for spec in services.SPECS for caller in spec.callers
    }
    public = {t.removeprefix("service:") for s, t in found if s == GATEWAY and t.startswith("service:")}
    assert public == {spec.name for spec in services.SPECS if spec.exposed}  # operator routes too
    # each service reaches the stores its IAM role names, and no standby link exists in a primary
    assert ("service:publishing", "kafka") in found and ("service:admin", "cache") not in found
    assert not [node for node in model.nodes if node.startswith("primary:")]


def test_dr_draws_each_replication_link_from_production(synth_dir: Path) -> None:
    model = architecture(synth_dir, "dr")
    links = {
        (edge.source, edge.target): edge.label for edge in model.edges if edge.source.startswith("primary:")
    }
    assert links == {
        ("primary:database", "database"): "read replica",
        ("primary:cache", "cache"): "Global Datastore",
        ("primary:kafka", "kafka"): "MSK Replicator",
        ("primary:buckets", "buckets"): "S3 replication (RTC)",
        ("primary:registry", "registry"): "ECR replication",
    }


def test_renders_self_contained_svg_and_png_the_same_every_time(synth_dir: Path, tmp_path: Path) -> None:
    svg, png = draw(architecture(synth_dir, "dev"), tmp_path)
    again, _ = draw(architecture(synth_dir, "dev"), tmp_path / "again")
    assert again.read_bytes() == svg.read_bytes()  # deterministic: no random ids
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000
    text = svg.read_text()
    assert "<svg" in text and "data:image/png;base64," in text
    assert 'xlink:href="/' not in text  # no machine path: icons are inlined

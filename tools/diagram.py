"""Architecture diagrams per environment, drawn from the synthesized stacks: ``bin/dev diagram [ENV ...]``.

Reads ``cdktf.out`` (synthesize first), builds each environment's graph (``tools.architecture``) and draws it
with the ``diagrams`` package through Graphviz into ``cdktf.out/diagrams/<env>.svg`` (icons inlined: one
self-contained file) and ``.png``. Graphviz
(Debian's ``graphviz``) is installed by bin/dev. docs/cost-and-capacity.md shows production's, copied to
``docs/diagrams/production.svg`` on purpose (``--readme``), like a snapshot.
"""

from __future__ import annotations

import argparse
import base64
import re
import shutil
import sys
from pathlib import Path
from typing import Final

from diagrams import Cluster, Diagram, Edge
from diagrams import Node as Icon
from diagrams.aws.analytics import ManagedStreamingForKafka
from diagrams.aws.compute import ECR, EC2AutoScaling
from diagrams.aws.database import ElasticacheForRedis, RDSPostgresqlInstance
from diagrams.aws.general import General
from diagrams.aws.network import (
    ElbApplicationLoadBalancer,
    Endpoint,
    NATGateway,
    PrivateSubnet,
    PublicSubnet,
    Route53,
)
from diagrams.aws.security import WAF
from diagrams.aws.storage import SimpleStorageServiceS3Bucket
from diagrams.k8s.compute import Deploy
from diagrams.onprem.client import Users
from diagrams.onprem.monitoring import Prometheus
from diagrams.onprem.network import Istio

from tools.architecture import Architecture, Node, architecture
from tools.cli_checks import missing_synth, synthesized_environments, unknown_environment

ICONS: Final[dict[str, type[Icon]]] = {
    "users": Users, "dns": Route53, "waf": WAF, "alb": ElbApplicationLoadBalancer, "nat": NATGateway,
    "endpoint": Endpoint, "subnet-public": PublicSubnet, "subnet-private": PrivateSubnet,
    "subnet-database": PrivateSubnet, "node-group": EC2AutoScaling, "postgres": RDSPostgresqlInstance,
    "redis": ElasticacheForRedis, "kafka": ManagedStreamingForKafka, "s3": SimpleStorageServiceS3Bucket,
    "ecr": ECR, "gateway": Istio, "platform-mesh": Istio, "platform-observability": Prometheus,
    "service": Deploy,
}  # fmt: skip
RANDOM_ID: Final = re.compile(r"\b[0-9a-f]{32}\b")
ICON_LINK: Final = re.compile(r'xlink:href="(/[^"]+\.png)"')
README_COPY: Final = Path("docs/diagrams/production.svg")
GRAPH: Final = {"fontsize": "20", "splines": "spline", "nodesep": "1.2", "ranksep": "1.2"}


def draw(model: Architecture, out_dir: Path) -> list[Path]:
    """Write ``<env>.svg`` and ``<env>.png`` of ``model`` into ``out_dir``; return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    base = out_dir / model.env
    with Diagram(
        f"llm-marketplace {model.env}", filename=str(base), outformat=["svg", "png"], show=False,
        direction="TB", graph_attr=GRAPH,
    ):  # fmt: skip
        icons = _icons(model)
        for edge in model.edges:
            icons[edge.source] >> Edge(label=edge.label) >> icons[edge.target]
    svg = base.with_suffix(".svg")
    svg.write_text(_embed_icons(_stable_ids(svg.read_text(encoding="utf-8"))), encoding="utf-8")
    return [svg, base.with_suffix(".png")]


def _stable_ids(svg: str) -> str:
    """The SVG with the random node ids ``diagrams`` gives (uuid4, in comments and titles) numbered in order
    of appearance, so the same stacks draw the same file."""
    numbers: dict[str, str] = {}
    return RANDOM_ID.sub(lambda match: numbers.setdefault(match.group(), f"n{len(numbers) + 1}"), svg)


def _embed_icons(svg: str) -> str:
    """The SVG with each icon (Graphviz links the package's PNG files by absolute path) inlined as a data URI:
    self-contained, and no machine path in the output."""

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode(Path(match.group(1)).read_bytes()).decode("ascii")
        return f'xlink:href="data:image/png;base64,{data}"'

    return ICON_LINK.sub(inline, svg)


def _icons(model: Architecture) -> dict[str, Icon]:
    """One icon per node, inside the nested clusters of its group; each cluster is opened once."""
    members: dict[tuple[str, ...], list[Node]] = {}
    children: dict[tuple[str, ...], list[str]] = {}
    for node in model.nodes.values():
        members.setdefault(node.group, []).append(node)
        for depth in range(len(node.group)):
            names = children.setdefault(node.group[:depth], [])
            if node.group[depth] not in names:
                names.append(node.group[depth])
    icons: dict[str, Icon] = {}

    def fill(path: tuple[str, ...]) -> None:
        for node in members.get(path, []):
            icons[node.id] = ICONS.get(node.kind, General)(node.label)
        for name in children.get(path, []):
            with Cluster(name):
                fill((*path, name))

    fill(())
    return icons


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="bin/dev diagram", description="Architecture diagrams per environment."
    )
    parser.add_argument(
        "envs", metavar="ENV", nargs="*", help="environments of the synthesized app; default: all"
    )
    parser.add_argument("--synth", type=Path, default=Path("cdktf.out"), help="the synthesized app")
    parser.add_argument(
        "--readme",
        metavar="ENV",
        nargs="?",
        const=README_COPY.stem,
        help=f"also copy ENV's diagram (default {README_COPY.stem}) to {README_COPY}, which the docs show",
    )
    args = parser.parse_args(argv)
    known = synthesized_environments(args.synth)
    error = missing_synth(args.synth) or unknown_environment(
        [*args.envs, *filter(None, [args.readme])], known
    )
    if error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for env in args.envs or known:
        for path in draw(architecture(args.synth, env), args.synth / "diagrams"):
            print(path)
    if args.readme:
        if args.envs and args.readme not in args.envs:
            draw(architecture(args.synth, args.readme), args.synth / "diagrams")
        README_COPY.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.synth / "diagrams" / f"{args.readme}.svg", README_COPY)
        print(README_COPY)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

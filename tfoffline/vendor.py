"""Refresh the vendored provider schemas and CRD schemas from ../shared (run after adding a resource type).

    .venv/bin/python -m tfoffline.vendor [--shared ../shared/schemas] [--stacks cdktf.out/stacks]

Keeps the provider blocks, every resource and data-source type the synthesized stacks use, and ANTICIPATED
below (types the next issues will use), so each stand-in answers with a small schema. tests/terraform fails,
naming the type, when a stack uses one that is not vendored.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
from pathlib import Path
from typing import Any, Final

from tfoffline.crds import CRD_DIR
from tfoffline.schemas import PROVIDERS, SECTIONS, provider_of, vendored_file

ANTICIPATED: Final = {
    "resource": (
        "aws_db_instance", "aws_db_parameter_group", "aws_db_subnet_group", "aws_ecr_lifecycle_policy",
        "aws_ecr_repository", "aws_eks_addon", "aws_eks_node_group", "aws_elasticache_parameter_group",
        "aws_elasticache_replication_group", "aws_elasticache_subnet_group", "aws_elasticache_user",
        "aws_elasticache_user_group", "aws_iam_openid_connect_provider", "aws_iam_policy",
        "aws_launch_template", "aws_msk_cluster", "aws_msk_configuration", "aws_s3_bucket_logging",
        "aws_s3_bucket_object_lock_configuration",
        "aws_secretsmanager_secret", "aws_secretsmanager_secret_rotation", "aws_security_group_rule",
        "aws_vpc_security_group_egress_rule", "aws_cloudwatch_metric_alarm", "aws_sns_topic",
        "kubernetes_manifest", "kubernetes_storage_class_v1", "kubernetes_service_account_v1",
        "kubernetes_config_map_v1", "kubernetes_deployment_v1", "kubernetes_service_v1",
        "kubernetes_horizontal_pod_autoscaler_v2", "kubernetes_pod_disruption_budget_v1",
        "kubernetes_network_policy_v1", "kubernetes_role_v1", "kubernetes_role_binding_v1",
        "kubernetes_annotations", "kubernetes_labels", "helm_release",
    ),
    "data": (
        "aws_iam_policy_document", "aws_caller_identity", "aws_partition", "aws_region",
        "aws_eks_addon_version", "aws_availability_zones", "helm_template",
        "aws_guardduty_detector",  # EnvironmentConfig.guardduty_detector = "existing"
    ),
}  # fmt: skip


def used_types(stacks_dir: Path) -> dict[str, set[str]]:
    """Resource and data-source types of every synthesized stack below ``stacks_dir``."""
    used: dict[str, set[str]] = {section: set() for section in SECTIONS}
    for stack in stacks_dir.glob("*/cdk.tf.json"):
        doc = json.loads(stack.read_text())
        for section in SECTIONS:
            used[section].update(name for name in doc.get(section, {}) if name != "terraform_remote_state")
    return used


def vendor_providers(shared: Path, wanted: dict[str, set[str]]) -> None:
    for provider, version in PROVIDERS.items():
        source = shared / "providers" / provider / version
        bundle: dict[str, Any] = {"provider": json.loads((source / "provider.json").read_text())}
        for section, key in SECTIONS.items():
            folder = source / ("resources" if section == "resource" else "data-sources")
            names = sorted(name for name in wanted[section] if provider_of(name) == provider)
            missing = [name for name in names if not (folder / f"{name}.json").exists()]
            if missing:
                raise SystemExit(f"no schema in {folder} for {', '.join(missing)}")
            bundle[key] = {name: json.loads((folder / f"{name}.json").read_text()) for name in names}
        data = json.dumps(bundle, sort_keys=True, separators=(",", ":")).encode()
        vendored_file(provider).write_bytes(gzip.compress(data, mtime=0))


def vendor_crds(shared: Path) -> None:
    shutil.rmtree(CRD_DIR, ignore_errors=True)
    shutil.copytree(shared / "crds", CRD_DIR, copy_function=shutil.copyfile)
    for path in (CRD_DIR, *CRD_DIR.rglob("*")):  # ../shared is read-only; the copies must not be
        path.chmod(0o755 if path.is_dir() else 0o644)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=Path("../shared/schemas"))
    parser.add_argument("--stacks", type=Path, default=Path("cdktf.out/stacks"))
    args = parser.parse_args()
    wanted = used_types(args.stacks)
    for section, names in ANTICIPATED.items():
        wanted[section].update(names)
    vendor_providers(args.shared, wanted)
    vendor_crds(args.shared)
    for provider in PROVIDERS:
        print(f"{vendored_file(provider).name}: {vendored_file(provider).stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

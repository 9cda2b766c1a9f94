"""Logs: LogsProps validation, the Loki and Alloy values against their pinned charts, one retention for
Loki and its bucket, Loki's role limited to its bucket and key, and the shape of the Alloy configuration."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from marketplace_constructs import ClusterRef, ConfigError, SecureBucketProps
from marketplace_constructs.observability.log_storage import LogStorage
from marketplace_constructs.observability.logs import (
    LOKI_PUSH_URL,
    STREAM_LABELS,
    TRACE_ID_FIELD,
    alloy_config,
    alloy_values,
    loki_values,
)
from marketplace_constructs.observability.logs_props import LogsProps
from policy.chart_values import coalesce, load_chart, release_problems
from stacks.charts import ALLOY, LOKI
from tests.constructs.synth import LOCATION, synth_construct

KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/logs"
CLUSTER = ClusterRef(
    name="t-eks", region="us-east-1", endpoint="https://eks.example", certificate_authority_data="ca",
    security_group_id="sg-1", oidc_issuer_url="https://oidc.eks.us-east-1.amazonaws.com/id/X",
    oidc_provider_arn="arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/X",
)  # fmt: skip
DEV = LogsProps(
    storage="filesystem", allow_filesystem_storage=True, replicas=1, allow_single_replicas=True, volume_gb=20
)


def s3_values(props: LogsProps | None = None) -> dict[str, Any]:
    return loki_values(
        props or LogsProps(), bucket="${TfToken[TOKEN.1]}", region="us-east-1",
        role_arn="${TfToken[TOKEN.2]}", kms_key_arn=KEY_ARN,
    )  # fmt: skip


def dev_values() -> dict[str, Any]:
    return loki_values(DEV, bucket=None, region="us-east-1", role_arn=None, kms_key_arn=None)


def release(chart: str, version: str, values: dict[str, Any]) -> dict[str, Any]:
    """Shaped like a synthesized helm_release."""
    return {"name": chart, "chart": chart, "version": version, "values": [json.dumps(values, sort_keys=True)]}


def storage(scope: Any, props: LogsProps | None = None) -> LogStorage:
    return LogStorage(
        scope, "log_storage", env="t", props=props or LogsProps(), location=LOCATION, key_arn=KEY_ARN,
        cluster=CLUSTER, access_log_bucket="t-access-logs",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("chart", "values"),
    [(LOKI, s3_values()), (LOKI, dev_values()), (ALLOY, alloy_values())],
    ids=["loki-s3", "loki-filesystem", "alloy"],
)
def test_values_pass_the_chart_values_check(chart: Any, values: dict[str, Any]) -> None:
    assert release_problems("t", release(chart.name, chart.version, values)) == []


def test_a_misspelt_key_is_reported() -> None:
    loki = s3_values()
    loki["singleBinary"]["persistance"] = {"size": "10Gi"}
    alloy = alloy_values()
    alloy["controller"]["toleration"] = []
    problems = release_problems("t", release(LOKI.name, LOKI.version, loki))
    problems += release_problems("t", release(ALLOY.name, ALLOY.version, alloy))
    assert problems == [
        f"t: helm_release 'loki' (loki {LOKI.version}): values key 'singleBinary.persistance' is not in "
        "the chart's values.yaml",
        f"t: helm_release 'alloy' (alloy {ALLOY.version}): values key 'controller.toleration' is not in "
        "the chart's values.yaml",
    ]


@pytest.mark.parametrize("values", [s3_values(), dev_values()], ids=["s3", "filesystem"])
def test_loki_values_meet_the_charts_own_checks(values: dict[str, Any]) -> None:
    """templates/validate.yaml fails the release on a mix of modes, a test without canary, MinIO, or no
    schema."""
    merged = coalesce(load_chart(LOKI.name, LOKI.version).values, values)
    other_modes = ["write", "read", "backend", "ingester", "distributor", "querier", "queryFrontend"]
    other_modes += ["queryScheduler", "indexGateway", "compactor", "ruler"]
    assert merged["singleBinary"]["replicas"] > 0
    assert [name for name in other_modes if merged[name]["replicas"]] == []
    assert not merged["test"]["enabled"] and not merged["minio"]["enabled"]
    assert merged["loki"]["schemaConfig"]["configs"] and not merged["loki"]["useTestSchema"]
    if merged["loki"]["storage"]["type"] == "filesystem":
        assert merged["singleBinary"]["replicas"] == 1


@pytest.mark.parametrize("days", [7, 400])
def test_retention_is_one_number_for_the_compactor_and_the_bucket_lifecycle(days: int) -> None:
    props = LogsProps(retention_days=days)
    loki = s3_values(props)["loki"]
    assert loki["limits_config"]["retention_period"] == f"{days * 24}h"
    assert loki["compactor"] == {"retention_enabled": True, "delete_request_store": "s3"}
    resources = synth_construct(lambda scope: storage(scope, props))
    (lifecycle,) = resources["aws_s3_bucket_lifecycle_configuration"].values()
    (rule,) = lifecycle["rule"]
    assert rule["expiration"] == [{"days": days + 1}]  # a day after the compactor, as a backstop
    assert rule["noncurrent_version_expiration"] == [{"noncurrent_days": 1}]


def test_loki_role_may_use_only_its_bucket_and_key_and_only_loki_may_assume_it() -> None:
    resources = synth_construct(storage)
    (bucket,) = resources["aws_s3_bucket"].values()
    assert bucket["bucket"] == "llm-marketplace-t-loki-123456789012"
    bucket_arn = f"${{aws_s3_bucket.{next(iter(resources['aws_s3_bucket']))}.arn}}"
    (role,) = resources["aws_iam_role"].values()
    assert role["name"] == "t-eks-loki"
    (trust,) = json.loads(re.sub(r"\$\{[^}]*\}", "ISSUER", role["assume_role_policy"]))["Statement"]
    assert trust["Principal"] == {"Federated": CLUSTER.oidc_provider_arn}
    assert sorted(trust["Condition"]["StringEquals"].values()) == [
        "sts.amazonaws.com",
        "system:serviceaccount:monitoring:loki",
    ]
    (inline,) = resources["aws_iam_role_policy"].values()
    assert json.loads(inline["policy"])["Statement"] == [
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [bucket_arn]},
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": [f"{bucket_arn}/*"],
        },
        {
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": [KEY_ARN],
            "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
        },
    ]
    assert "aws_iam_role_policy_attachment" not in resources


def test_loki_reaches_s3_through_irsa_with_sse_kms_and_runs_highly_available_by_default() -> None:
    values = s3_values()
    assert values["serviceAccount"] == {
        "name": "loki",
        "annotations": {"eks.amazonaws.com/role-arn": "${TfToken[TOKEN.2]}"},
    }
    s3 = values["loki"]["storage"]["s3"]
    assert s3["sse"] == {"type": "SSE-KMS", "kms_key_id": KEY_ARN}
    assert "accessKeyId" not in s3 and "secretAccessKey" not in s3
    assert values["loki"]["commonConfig"] == {"replication_factor": 3}
    single = values["singleBinary"]
    assert single["replicas"] == 3 and single["persistence"]["storageClass"] == "gp3-encrypted"
    spread = [c["topologyKey"] for c in single["topologySpreadConstraints"]]
    assert spread == ["topology.kubernetes.io/zone", "kubernetes.io/hostname"]
    assert values["loki"]["auth_enabled"] is False and values["gateway"] == {"enabled": False}
    off = ("minio", "test", "lokiCanary", "chunksCache", "resultsCache")
    assert all(values[name] == {"enabled": False} for name in off)


def test_dev_runs_one_replica_on_its_volume() -> None:
    values = dev_values()
    assert values["loki"]["storage"] == {"type": "filesystem"}
    assert values["loki"]["compactor"]["delete_request_store"] == "filesystem"
    assert values["loki"]["schemaConfig"]["configs"][0]["object_store"] == "filesystem"
    assert values["loki"]["commonConfig"] == {"replication_factor": 1}
    assert (
        values["singleBinary"]["replicas"] == 1 and values["singleBinary"]["topologySpreadConstraints"] == []
    )
    assert values["singleBinary"]["persistence"]["size"] == "20Gi"
    assert values["serviceAccount"]["annotations"] == {}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"retention_days": 0}, r"LogsProps.retention_days must be between 1 and 400 days, got 0$"),
        ({"retention_days": 401}, r"LogsProps.retention_days must be between 1 and 400 days, got 401$"),
        ({"storage": "gcs"}, r"LogsProps.storage must be one of 's3', 'filesystem', got 'gcs'$"),
        (
            {"storage": "filesystem", "replicas": 1, "allow_single_replicas": True},
            r"LogsProps.storage must be 's3' unless allow_filesystem_storage=True, got 'filesystem'; ",
        ),
        (
            {"storage": "filesystem", "allow_filesystem_storage": True},
            r"LogsProps.replicas must be 1 with storage='filesystem' .*, got 3$",
        ),
        (
            {"replicas": 2},
            r"LogsProps.replicas must be at least 3 for high availability, got 2; set allow_single_replicas",
        ),
        ({"volume_gb": 1}, r"LogsProps.volume_gb must be between 5 and 16384 GB, got 1$"),
    ],
)
def test_logs_props_reject_bad_values(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        LogsProps(**overrides)


def test_loki_values_and_log_storage_reject_a_storage_mismatch() -> None:
    with pytest.raises(ConfigError, match=r"loki_values needs bucket, role_arn with storage='s3'; pass"):
        loki_values(LogsProps(), bucket=None, region="us-east-1", role_arn=None, kms_key_arn=KEY_ARN)
    with pytest.raises(ConfigError, match=r"loki_values takes no bucket with storage='filesystem'$"):
        loki_values(DEV, bucket="b", region="us-east-1", role_arn=None, kms_key_arn=None)
    with pytest.raises(ConfigError, match=r"LogStorage needs LogsProps.storage='s3', got 'filesystem'"):
        synth_construct(lambda scope: storage(scope, DEV))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"expire_after_days": 0},
            r"SecureBucketProps.expire_after_days must be between 1 and 3650 days, got 0",
        ),
        (
            {"archive_after_days": 60, "expire_after_days": 60},
            r"SecureBucketProps.expire_after_days must be above archive_after_days \(60 days\), got 60$",
        ),
    ],
)
def test_bucket_expiry_must_be_positive_and_after_archiving(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SecureBucketProps(bucket_name="t-bucket", **overrides)


# Stages of loki.process in Alloy 1.18 (reference/components/loki/loki.process), and what each kind of
# component exports to the next.
STAGES = {
    "cri", "decolorize", "docker", "drop", "eventlogmessage", "geoip", "json", "label_drop", "label_keep",
    "labels", "limit", "logfmt", "luhn", "match", "metrics", "multiline", "output", "pack", "pattern",
    "regex", "replace", "sampling", "static_labels", "structured_metadata", "structured_metadata_drop",
    "template", "tenant", "timestamp", "truncate", "windowsevent",
}  # fmt: skip
EXPORTS = {
    "discovery.kubernetes": "targets",
    "discovery.relabel": "output",
    "loki.process": "receiver",
    "loki.write": "receiver",
}


def code_of(config: str) -> str:
    """``config`` with every string literal emptied and every ``//`` comment removed."""
    return re.sub(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*', lambda m: '""' if m[0].startswith('"') else "", config)


def test_alloy_config_is_balanced_and_wires_only_components_it_defines() -> None:
    config = alloy_config()
    assert "{{" not in config  # the chart passes the content through Helm's tpl
    code = code_of(config)
    stack: list[str] = []
    for char in code:
        if char in "{[(":
            stack.append(char)
        elif char in "}])":
            assert stack and stack.pop() + char in ("{}", "[]", "()"), f"unbalanced {char!r}"
    assert stack == []
    defined = dict(re.findall(r'^([a-z_]+\.[a-z_.]+) "([a-z_]+)" \{', config, flags=re.M))
    assert set(defined) == {
        "discovery.kubernetes",
        "discovery.relabel",
        "loki.source.file",
        "loki.process",
        "loki.write",
    }
    references = re.findall(r"\b([a-z_]+\.[a-z_]+)\.([a-z_]+)\.(targets|output|receiver)\b", code)
    assert {(kind, label) for kind, label, _ in references} == {
        (kind, label) for kind, label in defined.items() if kind != "loki.source.file"
    }
    assert all(EXPORTS[kind] == export for kind, _, export in references)
    assert set(re.findall(r"\bstage\.([a-z_]+)", code)) <= STAGES
    assert f'url = "{LOKI_PUSH_URL}"' in config


def test_alloy_sets_only_bounded_labels_and_keeps_the_trace_id_as_structured_metadata() -> None:
    config = alloy_config()
    targets = set(re.findall(r'target_label\s+= "([^"]+)"', config)) - {"__path__"}
    promoted = {
        key for values in re.findall(r"stage\.labels \{\s+values = \{([^}]*)\}", config)
        for key in re.findall(r"(\w+) =", values)
    }  # fmt: skip
    assert targets | promoted | {"stream"} == set(STREAM_LABELS)
    assert TRACE_ID_FIELD not in STREAM_LABELS
    assert re.search(r"stage\.structured_metadata \{\s+values = \{ trace_id = \"trace_id\" \}", config)
    assert '"^(?P<log_level>debug|info|warn|error)$"' in config


def test_alloy_reads_pod_logs_as_root_without_capabilities_or_write_access_to_them() -> None:
    values = alloy_values()
    context = values["alloy"]["securityContext"]
    assert context["runAsUser"] == 0 and context["capabilities"] == {"drop": ["ALL"]}
    assert context["readOnlyRootFilesystem"] is True and context["allowPrivilegeEscalation"] is False
    mounts = {mount["mountPath"]: mount for mount in values["alloy"]["mounts"]["extra"]}
    assert mounts["/var/log/pods"]["readOnly"] is True
    rules = values["rbac"]["rules"] + values["rbac"]["clusterRules"]
    assert {(tuple(r["resources"]), tuple(r["verbs"])) for r in rules} == {
        (("pods",), ("get", "list", "watch"))
    }

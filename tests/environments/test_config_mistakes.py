"""Each class of configuration mistake a new user makes (wrong Python type, unknown keyword, a value AWS does
not have) stops `python main.py` with one line naming environment, field and what is allowed; exit 2;
cdktf.out untouched."""

from __future__ import annotations

import pytest

import services
from tests.environments.test_bad_input import ROOT, run_broken_apps

SERVICES = ", ".join(spec.name for spec in services.SPECS)  # as the messages list them

INDENT = " " * 16  # production.py's compute_burst fields
BURST_SIZES = f'capacity_type="SPOT",\n{INDENT}min_size=0,\n{INDENT}desired_size=0,\n{INDENT}'
MISTAKES = {
    # A node class too small for its services at their maximum, with sidecars and DaemonSets: the on-demand
    # base and its Spot burst together.
    "node_group_too_small_for_its_services": (
        "environments/production.py",
        BURST_SIZES + "max_size=16,",
        BURST_SIZES + "max_size=4,",
        "error: environment 'production': node group 'compute' at its maximum (10 x c7g.4xlarge) is "
        "126,750m CPU short (280,000m requested, 153,250m allocatable); "
        "largest consumer: consumption (200 x 1100m/640Mi)\n",
    ),
    # Wrong Python types: checked before any rule of the props class runs.
    "string_for_a_number": (
        "environments/dev.py", "min_size=1, desired_size=1, max_size=3",
        'min_size="1", desired_size=1, max_size=3',
        "error: environment 'dev': NodeGroupProps.min_size must be an int, got str '1'\n",
    ),
    "list_for_a_tuple": (
        "environments/dev.py", 'availability_zones=("us-east-1a", "us-east-1b", "us-east-1c")',
        'availability_zones=["us-east-1a", "us-east-1b", "us-east-1c"]',
        "error: environment 'dev': VpcProps.availability_zones must be a tuple of str, got list "
        "['us-east-1a', 'us-east-1b', 'us-east-1c']; "
        "write a tuple: ('us-east-1a', 'us-east-1b', 'us-east-1c')\n",
    ),
    "lone_string_for_a_tuple": (
        "environments/dev.py", 'instance_types=("r7i.large",)', 'instance_types="r7i.large"',
        "error: environment 'dev': NodeGroupProps.instance_types must be a tuple of str, "
        "got str 'r7i.large'; write a tuple: ('r7i.large',)\n",
    ),
    "none_for_a_bool": (
        "environments/dev.py", "multi_az=False", "multi_az=None",
        "error: environment 'dev': PostgresProps.multi_az must be a bool (True or False), "
        "got NoneType None\n",
    ),
    "string_for_a_bool": (
        "environments/dev.py", "deletion_protection=False,\n        # Shared",
        'deletion_protection="false",\n        # Shared',
        "error: environment 'dev': EnvironmentConfig.deletion_protection must be a bool (True or False), "
        "got str 'false'\n",
    ),
    # Unknown or misspelt keywords: file and line of the environment module, class, name, closest field.
    "misspelt_props_field": (
        "environments/dev.py", "min_size=1, desired_size=1, max_size=1)",
        "min_size=1, desired_size=1, max_sise=1)",
        "error: environment 'dev': environments/dev.py:{line}: NodeGroupProps has no field 'max_sise'; "
        "did you mean 'max_size'?\n",
    ),
    "misspelt_environment_field": (
        "environments/dev.py", "backup_lock_days=1,", "backup_lock_day=1,",
        "error: environment 'dev': environments/dev.py:{line}: EnvironmentConfig has no field "
        "'backup_lock_day'; did you mean 'backup_lock_days'?\n",
    ),
    "misspelt_field_in_replace": (
        "environments/staging.py", "backup_retention_days=14,", "backup_retention_day=14,",
        "error: environment 'staging': environments/staging.py:{line}: PostgresProps has no field "
        "'backup_retention_day'; did you mean 'backup_retention_days'?\n",
    ),
    # Values AWS does not have, from botocore's service models.
    "ec2_instance_type_typo": (
        "environments/dev.py", 'instance_types=("r7i.large",)', 'instance_types=("r7i.larg",)',
        "error: environment 'dev': NodeGroupProps.instance_types must be an EC2 instance type "
        "(botocore's EC2 model), got 'r7i.larg'; did you mean 'r7i.large'?\n",
    ),
    "database_class_typo": (
        "environments/dev.py", 'instance_class="db.t4g.medium"', 'instance_class="db.t4g.medum"',
        "error: environment 'dev': PostgresProps.instance_class must be 'db.' followed by an EC2 "
        "instance type (botocore's EC2 model), got 'db.t4g.medum'; did you mean 'db.t4g.medium'?\n",
    ),
    "msk_monitoring_level": (
        "environments/dev.py", 'enhanced_monitoring="DEFAULT"', 'enhanced_monitoring="BASIC"',
        "error: environment 'dev': KafkaProps.enhanced_monitoring must be one of 'DEFAULT', 'PER_BROKER', "
        "'PER_TOPIC_PER_BROKER', 'PER_TOPIC_PER_PARTITION', got 'BASIC'\n",
    ),
    # The deploy path and the account-wide service-linked role.
    "api_access_outside_the_vpc": (
        "environments/dev.py", "api_access_from_private_subnets=True",
        'api_access_from_private_subnets=True, api_access_cidrs=("10.99.0.0/24",)',
        "error: environment 'dev': EksClusterProps.api_access_cidrs must lie inside the VPC (10.10.0.0/16), "
        "got '10.99.0.0/24'\n",
    ),
    "api_access_to_everyone": (
        "environments/dev.py", "api_access_from_private_subnets=True",
        'api_access_from_private_subnets=True, api_access_cidrs=("0.0.0.0/0",)',
        "error: environment 'dev': EksClusterProps.api_access_cidrs must hold private ranges inside the VPC, "
        "got '0.0.0.0/0'\n",
    ),
    "service_linked_role_created_twice": (
        "environments/dr.py", 'autoscaling_service_linked_role="existing"',
        'autoscaling_service_linked_role="create"',
        "error: environment 'dr': EnvironmentConfig.autoscaling_service_linked_role must be 'existing': "
        "environment 'production' already creates it in account 333333333333 (IAM roles are account-wide)\n",
    ),
    # The mesh (issue 9).
    "sampling_above_100": (
        "environments/dev.py", "allow_any_outbound=True,",
        "allow_any_outbound=True, trace_sampling_percent=150.0,",
        "error: environment 'dev': MeshProps.trace_sampling_percent must be between 0 and 100, got 150.0\n",
    ),
    "fewer_gateway_replicas_than_zones_in_production": (
        "environments/production.py", "gateway_replicas=3,", "gateway_replicas=2,",
        "error: environment 'production': MeshProps.gateway_replicas must be at least the zone count (3) in "
        "tier 'production', so every zone serves traffic, got 2\n",
    ),
    "any_outbound_in_production": (
        "environments/production.py", "gateway_max_replicas=10)",
        "gateway_max_replicas=10, allow_any_outbound=True)",
        "error: environment 'production': MeshProps.allow_any_outbound must be False in tier 'production' "
        "(REGISTRY_ONLY: only hosts with a ServiceEntry are reachable), got True\n",
    ),
    # The edge (issue 9).
    "waf_rate_limit_below_the_minimum": (
        "environments/production.py", "waf_rate_limit=2000,", "waf_rate_limit=5,",
        "error: environment 'production': EdgeProps.waf_rate_limit must be between 10 and 2000000000 "
        "requests per 5 minutes, got 5\n",
    ),
    "domain_not_a_dns_name": (
        "environments/production.py", 'domain="api.llm-marketplace.example.com"', 'domain="api_llm.example"',
        "error: environment 'production': EdgeProps.domain must be a DNS name such as 'api.example.com' "
        "(lower case), got 'api_llm.example'\n",
    ),
    "domain_outside_the_zone": (
        "environments/production.py", 'domain="api.llm-marketplace.example.com"', 'domain="api.example.org"',
        "error: environment 'production': EdgeProps.domain must be inside hosted_zone "
        "'llm-marketplace.example.com', got 'api.example.org'\n",
    ),
    "unknown_tls_policy": (
        "environments/production.py", "waf_rate_limit=2000,", 'waf_rate_limit=2000, tls_policy="TLS13-ONLY",',
        "error: environment 'production': EdgeProps.tls_policy must be one of "
        "'ELBSecurityPolicy-TLS13-1-3-2021-06',",
    ),
    "tls12_policy_without_the_switch": (
        "environments/production.py", "waf_rate_limit=2000,",
        'waf_rate_limit=2000, tls_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",',
        "error: environment 'production': EdgeProps.tls_policy must be 'ELBSecurityPolicy-TLS13-1-3-2021-06' "
        "(TLS 1.3 only) unless allow_tls12=True, got 'ELBSecurityPolicy-TLS13-1-2-2021-06'\n",
    ),
    # Monitoring (issue 10).
    "retention_above_400_days": (
        "environments/production.py", "    retention_days=30,\n            volume_gb=200,",
        "    retention_days=500,\n            volume_gb=200,",
        "error: environment 'production': MonitoringProps.retention_days must be between 1 and 400 days, "
        "got 500\n",
    ),
    "size_guard_above_the_volume": (
        "environments/production.py", "retention_size_gb=180,", "retention_size_gb=250,",
        "error: environment 'production': MonitoringProps.retention_size_gb must be above 0 and below "
        "volume_gb (200 GB), so the guard acts before the volume fills, got 250\n",
    ),
    "single_prometheus_in_production": (
        "environments/production.py", "prometheus_replicas=2,", "prometheus_replicas=1,",
        "error: environment 'production': MonitoringProps.prometheus_replicas must be at least 2 for high "
        "availability, got 1; set allow_single_replicas=True to accept fewer (dev only)\n",
    ),
    "single_replica_switch_in_production": (
        "environments/production.py", "prometheus_replicas=2,",
        "prometheus_replicas=2, allow_single_replicas=True,",
        "error: environment 'production': MonitoringProps.allow_single_replicas must be False in tier "
        "'production', so Prometheus and Alertmanager survive a node or zone loss, got True\n",
    ),
    "error_rate_threshold_of_100_percent": (
        "environments/production.py", "critical_error_rate_percent=1.0,",
        "critical_error_rate_percent=100.0,",
        "error: environment 'production': AlertThresholds.critical_error_rate_percent must be a percentage "
        "strictly between 0 and 100, got 100.0\n",
    ),
    "latency_threshold_not_positive": (
        "environments/production.py", "warning_p95_ms=500,", "warning_p95_ms=0,",
        "error: environment 'production': AlertThresholds.warning_p95_ms must be a positive latency in ms, "
        "got 0\n",
    ),
    "log_retention_above_400_days": (
        "environments/production.py", 'retention_days=30, storage="s3"', 'retention_days=401, storage="s3"',
        "error: environment 'production': LogsProps.retention_days must be between 1 and 400 days, got 401\n",
    ),
    "logs_on_a_volume_in_production": (
        "environments/production.py", 'storage="s3", replicas=3', 'storage="filesystem", replicas=3',
        "error: environment 'production': LogsProps.storage must be 's3' unless "
        "allow_filesystem_storage=True, got 'filesystem'; filesystem keeps every log on one replica's volume "
        "(dev only)\n",
    ),
    "two_elasticsearch_nodes": (
        "environments/production.py", "elasticsearch_nodes=3,", "elasticsearch_nodes=2,",
        "error: environment 'production': TracingProps.elasticsearch_nodes must be at least 3 (a quorum of "
        "master-eligible nodes survives one loss), got 2; set allow_single_node=True to run one node (dev "
        "only)\n",
    ),
    "single_node_tracing_switch_in_production": (
        "environments/production.py", "jaeger_replicas=2,", "jaeger_replicas=2, allow_single_node=True,",
        "error: environment 'production': TracingProps.allow_single_node must be False in tier 'production', "
        "so traces survive a node or zone loss, got True\n",
    ),
    # Service specs (issue 11): the message names service and field; a spec is the same in every environment.
    "service_min_above_max": (
        "services/publishing.py", "min_replicas=3, max_replicas=50", "min_replicas=60, max_replicas=50",
        "error: AutoscalingProps.max_replicas (50) must be >= min_replicas (60)\n",
    ),
    "service_target_above_100_percent": (
        "services/publishing.py", "cpu_target_percent=70", "cpu_target_percent=120",
        "error: AutoscalingProps.cpu_target_percent must be between 1 and 100 %, got 120\n",
    ),
    "service_p95_above_p99": (
        "services/publishing.py", "p95_ms=300, p99_ms=500", "p95_ms=600, p99_ms=500",
        "error: LatencyObjectives must satisfy p50_ms <= p95_ms <= p99_ms, got 100 / 600 / 500\n",
    ),
    "service_caller_not_a_service": (
        "services/publishing.py", 'callers=("admin",)', 'callers=("billing",)',
        "error: MicroserviceProps(publishing).callers names 'billing', which is not a service; services: "
        f"{SERVICES}\n",
    ),
    "service_route_claimed_twice": (
        "services/publishing.py", '"/v1/publishers"', '"/v1/search"',
        "error: route '/v1/search' is claimed by both discovery and publishing\n",
    ),
    "service_port_out_of_range": (
        "services/publishing.py", "port=3000", "port=70000",
        "error: MicroserviceProps(publishing).port must be between 1 and 65535, got 70000\n",
    ),
    "service_limit_below_request": (
        "services/discovery.py", 'memory_limit="1Gi"', 'memory_limit="256Mi"',
        "error: ResourceProps.memory_limit (256Mi) must not be below memory_request (512Mi)\n",
    ),
    "service_replicas_for_an_unknown_service": (
        "environments/dev.py", '"admin": (1, 3)}', '"admin": (1, 3), "billing": (1, 2)}',
        "error: environment 'dev': EnvironmentConfig.service_replicas names 'billing', which is not a "
        f"service; services: {SERVICES}\n",
    ),
    "release_that_is_not_a_digest": (
        "environments/releases/production.json", "publishing@sha256:" + "0" * 64, "publishing@sha256:1234",
        "error: environment 'production': releases/production.json: publishing.history[0] ends in "
        "'sha256:1234', which is not a digest (sha256: and 64 lowercase hex digits)\n",
    ),
    "release_from_another_accounts_registry": (
        "environments/releases/production.json",
        '"333333333333.dkr.ecr.us-east-1.amazonaws.com/llm-marketplace/p',
        '"444444444444.dkr.ecr.us-east-1.amazonaws.com/llm-marketplace/p',
        "error: environment 'production': releases/production.json: publishing.history[0] names account "
        "444444444444's registry, not this environment's (333333333333)\n",
    ),
    # Operators (issue 21): the name, the identity provider, and a service that needs both.
    "operator_domain_outside_the_zone": (
        "environments/production.py", 'operator_domain="admin.llm-marketplace.example.com"',
        'operator_domain="admin.example.org"',
        "error: environment 'production': EdgeProps.operator_domain must be inside hosted_zone "
        "'llm-marketplace.example.com', got 'admin.example.org'\n",
    ),
    "issuer_not_an_https_url": (
        "environments/production.py", 'issuer="https://sso.llm-marketplace.example.com"',
        'issuer="sso.llm-marketplace.example.com"',
        "error: environment 'production': OperatorIdentityProps.issuer must be an https URL such as "
        "'https://sso.example.com', got 'sso.llm-marketplace.example.com'\n",
    ),
    "no_operator_group": (
        "environments/production.py", 'groups=("marketplace-operators",)', "groups=()",
        "error: environment 'production': OperatorIdentityProps.groups must name at least one non-empty "
        "value, got (); an empty list would admit any token\n",
    ),
    "operator_routes_without_an_identity_provider": (
        "environments/dev.py", "operators=OperatorIdentityProps(",
        "operators=None and OperatorIdentityProps(",
        "error: environment 'dev': EnvironmentConfig.operators must be set: admin has operator routes, which "
        "answer on the operators' name to callers with an operator's token (docs/edge.md, Operators)\n",
    ),
}  # fmt: skip


# Where the call that holds the misspelt keyword starts: the line the message must name.
CALL_STARTS = {
    "misspelt_props_field": "memory=NodeGroupProps(",
    "misspelt_environment_field": "CONFIG = EnvironmentConfig(",
    "misspelt_field_in_replace": "database=replace(",
}


def line_of(file: str, text: str) -> int:
    lines = (ROOT / file).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, str]]:
    root = tmp_path_factory.mktemp("config-mistakes")
    return run_broken_apps(root, {name: case[:3] for name, case in MISTAKES.items()})


@pytest.mark.parametrize("case", sorted(MISTAKES))
def test_config_mistake_is_one_line_exit_2_and_leaves_the_output(
    outcomes: dict[str, tuple[int, str, str]], case: str
) -> None:
    file, _, _, message = MISTAKES[case]
    if case in CALL_STARTS:
        message = message.replace("{line}", str(line_of(file, CALL_STARTS[case])))
    status, stderr, previous_output = outcomes[case]
    assert (status, previous_output) == (2, "same")
    if message.endswith("\n"):
        assert stderr == message
    else:  # a long list of allowed values: the start says it all
        assert stderr.startswith(message) and len(stderr.splitlines()) == 1, stderr

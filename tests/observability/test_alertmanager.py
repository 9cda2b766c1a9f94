"""The generated Alertmanager configuration, proven with the real amtool: it passes ``check-config``, a
critical alert reaches PagerDuty, a warning reaches Slack, and no receiver key is in it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from marketplace_constructs.observability.alertmanager import RECEIVER_DIR, alertmanager_config
from policy.chart_values import coalesce, load_chart
from tests.observability.tools import run_tool


@pytest.fixture(scope="module")
def config_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What Alertmanager receives: the chart's default configuration with the generated one merged over it
    the way Helm merges values (the chart keeps ``global`` and ``templates``)."""
    defaults = load_chart("kube-prometheus-stack", "88.5.3").values["alertmanager"]["config"]
    path = tmp_path_factory.mktemp("alertmanager") / "alertmanager.yaml"
    path.write_text(yaml.safe_dump(coalesce(defaults, alertmanager_config()), sort_keys=False))
    return path


def test_configuration_passes_amtool_check_config(config_file: Path) -> None:
    result = run_tool("amtool", "check-config", str(config_file))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "SUCCESS" in result.stdout and "3 receivers" in result.stdout and "1 inhibit rules" in result.stdout
    )


@pytest.mark.parametrize(
    ("labels", "receiver"),
    [
        (("severity=critical", "alertname=ServiceErrorRateHigh", "service=publishing"), "pagerduty"),
        (("severity=warning", "alertname=ServiceErrorRateHigh", "service=publishing"), "slack"),
        (("severity=warning", "alertname=NodeDiskUsageHigh"), "slack"),
        (("severity=none", "alertname=Watchdog"), "null"),
    ],
)
def test_each_severity_reaches_its_receiver(
    config_file: Path, labels: tuple[str, ...], receiver: str
) -> None:
    result = run_tool(
        "amtool", "config", "routes", "test", f"--config.file={config_file}",
        f"--verify.receivers={receiver}", *labels,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == receiver


def test_a_critical_alert_inhibits_its_warning_twin_of_the_same_service() -> None:
    (rule,) = alertmanager_config()["inhibit_rules"]
    assert rule == {
        "source_matchers": ['severity="critical"'],
        "target_matchers": ['severity="warning"'],
        "equal": ["alertname", "service"],
    }


def test_receiver_keys_are_files_of_the_mounted_secret_never_values() -> None:
    receivers = {r["name"]: r for r in alertmanager_config()["receivers"]}
    (pagerduty,) = receivers["pagerduty"]["pagerduty_configs"]
    (slack,) = receivers["slack"]["slack_configs"]
    assert pagerduty["routing_key_file"].startswith(f"{RECEIVER_DIR}/") and "routing_key" not in pagerduty
    assert slack["api_url_file"].startswith(f"{RECEIVER_DIR}/") and "api_url" not in slack

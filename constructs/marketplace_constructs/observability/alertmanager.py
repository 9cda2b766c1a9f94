"""The Alertmanager configuration of the reference design: critical alerts page through PagerDuty, warnings
go to Slack, grouped by alert and service; a critical alert silences its warning twin.

The receivers' keys never appear here: each ``*_file`` setting names a file of the Secret that External
Secrets fills from Secrets Manager (``<env>/alerting/pagerduty``, ``<env>/alerting/slack``), mounted into
Alertmanager at RECEIVER_DIR. Alertmanager reads the files when it sends, so it starts (and keeps its
other duties) before the Secret exists.
"""

from __future__ import annotations

from typing import Any, Final

RECEIVER_DIR: Final = "/etc/alertmanager/receivers"
PAGERDUTY_KEY: Final = "pagerduty-routing-key"
SLACK_WEBHOOK: Final = "slack-webhook-url"
GROUP_BY: Final = ("alertname", "service")
SLACK_TITLE: Final = "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} {{ .CommonLabels.service }}"


def alertmanager_config() -> dict[str, Any]:
    """Routes: severity=critical → ``pagerduty``, severity=warning → ``slack``, anything else → ``null``
    (Watchdog-style heartbeats, info). Groups wait 30 s, re-notify every 4 h; resolutions are sent too."""
    return {
        "route": {
            "receiver": "null",
            "group_by": list(GROUP_BY),
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "4h",
            "routes": [
                {"receiver": "pagerduty", "matchers": ['severity="critical"']},
                {"receiver": "slack", "matchers": ['severity="warning"']},
            ],
        },
        "receivers": [
            {"name": "null"},
            {
                "name": "pagerduty",
                "pagerduty_configs": [
                    {"routing_key_file": f"{RECEIVER_DIR}/{PAGERDUTY_KEY}", "send_resolved": True}
                ],
            },
            {
                "name": "slack",
                "slack_configs": [
                    {
                        "api_url_file": f"{RECEIVER_DIR}/{SLACK_WEBHOOK}",
                        "send_resolved": True,
                        "title": SLACK_TITLE,
                        "text": "{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}",
                    }
                ],
            },
        ],
        "inhibit_rules": [
            {
                "source_matchers": ['severity="critical"'],
                "target_matchers": ['severity="warning"'],
                "equal": list(GROUP_BY),
            }
        ],
    }

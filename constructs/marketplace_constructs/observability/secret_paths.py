"""The Secrets Manager secrets observability reads (``<env>/<path>``), all created empty by the AWS layer and
filled out of band by their owners; External Secrets copies them into the cluster. No provider imports, so
the AWS layer can read this table without loading the Kubernetes side."""

from __future__ import annotations

from typing import Final

from marketplace_constructs.observability.tracing_props import TRACING_SECRETS

PAGERDUTY_PATH: Final = "alerting/pagerduty"  # {"routing_key"}
SLACK_PATH: Final = "alerting/slack"  # {"webhook_url"}
GRAFANA_ADMIN_PATH: Final = "grafana/admin"  # {"username", "password"}
POSTGRES_MONITORING_PATH: Final = "postgres/monitoring"  # {"username", "password"} of a pg_monitor role

# path: what the secret holds (the AWS description)
OBSERVABILITY_SECRETS: Final = {
    PAGERDUTY_PATH: "pagerduty key of the alert receivers",
    SLACK_PATH: "slack key of the alert receivers",
    GRAFANA_ADMIN_PATH: "Grafana's admin login",
    POSTGRES_MONITORING_PATH: "login of the PostgreSQL monitoring role (pg_monitor)",
    **TRACING_SECRETS,  # {"username", "password"} of each Elasticsearch user
}

"""Observability: alert rules and Alertmanager routing generated from typed thresholds."""

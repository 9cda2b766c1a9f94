"""Cluster add-ons installed from Helm charts: cert-manager and the External Secrets Operator."""

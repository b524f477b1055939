"""Provisioning failures: Grafana logs them and its server stops (pkg/services/provisioning/provisioning.go)."""


class ProvisioningError(Exception):
    """Carries Grafana's error text, already wrapped the way Grafana wraps it."""

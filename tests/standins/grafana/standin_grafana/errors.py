"""Provisioning failures: Grafana logs them and its server stops (pkg/services/provisioning/provisioning.go)."""


class ProvisioningError(Exception):
    """Carries Grafana's error text, already wrapped the way Grafana wraps it."""


class ApiError(Exception):
    """An HTTP API answer other than 200: Grafana's response.Error(status, message, err) (pkg/api/response)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message

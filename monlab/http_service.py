"""What the Prometheus and Grafana clients share: one httpx client, and the one place where httpx
errors become ServiceError."""

from __future__ import annotations

from typing import Any

import httpx

from monlab.errors import ServiceError


class JsonService:
    """`status_command` and `up_command` are the stack's own (its project and options), for hints."""

    name = "The service"

    def __init__(
        self,
        base_url: str,
        timeout: float = 5.0,
        transport: httpx.BaseTransport | None = None,
        auth: tuple[str, str] | None = None,
        status_command: str = "monlab status",
        up_command: str = "monlab up",
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.status_command, self.up_command = status_command, up_command
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport, auth=auth)

    def unreachable_hint(self) -> str:
        return f"Run `{self.status_command}` to see the stack, or `{self.up_command}` to start it."

    def close(self) -> None:
        self._http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def answers_ok(self, path: str) -> bool:
        """True when `path` answers 200; never raises (for readiness polling)."""
        try:
            return self._http.get(path).status_code == 200
        except httpx.HTTPError:
            return False

    def get(self, path: str, **params: Any) -> httpx.Response:
        """The answer to GET `path`, whatever its status; no answer at all raises ServiceError."""
        try:
            return self._http.get(path, params=params or None)
        except httpx.HTTPError as exc:
            raise ServiceError(f"{self.name} at {self.base_url} did not answer ({type(exc).__name__})",
                               self.unreachable_hint()) from exc

    def post(self, path: str, body: Any) -> httpx.Response:
        """The answer to POST `path` with a JSON body, whatever its status; no answer raises ServiceError."""
        try:
            return self._http.post(path, json=body)
        except httpx.HTTPError as exc:
            raise ServiceError(f"{self.name} at {self.base_url} did not answer ({type(exc).__name__})",
                               self.unreachable_hint()) from exc

    def get_json(self, path: str, **params: Any) -> Any:
        response = self.get(path, **params)
        self.check_status(response, path)
        try:
            return response.json()
        except ValueError:
            raise ServiceError(f"{self.name} at {self.base_url} answered {path} with something that is not JSON") from None

    def check_status(self, response: httpx.Response, path: str) -> None:
        """Raise ServiceError for an answer the caller cannot use; subclasses refine it."""
        if response.status_code >= 400:
            raise ServiceError(f"{self.name} at {self.base_url} answered {response.status_code} on {path}")

"""A stack monlab did not start (Compose on another host, a Kubernetes namespace behind
`kubectl port-forward`, ...), known only by its URLs: labs may send traffic and read metrics, never
stop or redeploy anything."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from monlab.errors import MonlabError
from monlab.stack.readiness import app_answers
from monlab.stackinfo import ServiceInfo, StackInfo

NO_GRAFANA_NOTE = "no Grafana given (--grafana URL): its checks are skipped"
URL_HINT = "check the URLs given and that whatever forwards them (e.g. kubectl port-forward) still runs; monlab does not manage this stack"
NEEDS_DOCKER = "it stops or redeploys the app, which needs a stack monlab runs in Docker (`monlab up`, or the compose export on this machine)"


class NeedsDockerStack(MonlabError):
    """A lab asked a stack given by URLs to stop, start or redeploy a container."""


@dataclass(frozen=True)
class StackUrls:
    prometheus: str
    app: str
    grafana: str | None = None
    grafana_user: str = "admin"
    grafana_password: str | None = None


def parse_url(value: str, what: str) -> tuple[str, str | None, str | None]:
    """(base URL without credentials or trailing slash, user, password); ValueError says what is wrong."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{value!r} is not an http:// or https:// URL of the {what}")
    try:
        parts.port
    except ValueError:
        raise ValueError(f"{value!r} has an invalid port") from None
    if parts.query or parts.fragment:
        raise ValueError(f"{value!r}: give the {what}'s base URL, without ?query or #fragment")
    netloc = parts.netloc.rpartition("@")[2]
    base = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
    return base, parts.username, parts.password


def stack_urls(prometheus: str, app: str, grafana: str | None) -> StackUrls:
    """Grafana credentials, when its checks need them, go into its URL: http://admin:PASSWORD@host:3000."""
    prometheus_base, *_ = parse_url(prometheus, "Prometheus server")
    app_base, *_ = parse_url(app, "lab app")
    if grafana is None:
        return StackUrls(prometheus_base, app_base)
    grafana_base, user, password = parse_url(grafana, "Grafana server")
    return StackUrls(prometheus_base, app_base, grafana_base, user or "admin", password)


def is_url(value: str) -> bool:
    return value.strip().lower().startswith(("http://", "https://"))


class UrlStack:
    """StackControl over URLs only. Its info() probes the app, so a wrong --app URL is said up front."""

    def __init__(self, urls: StackUrls) -> None:
        self.urls = urls

    def info(self) -> StackInfo:
        urls = self.urls
        services = {
            "app": ServiceInfo("app", "running" if app_answers(urls.app) else "not answering", urls.app),
            "prometheus": ServiceInfo("prometheus", "running", urls.prometheus),  # the runner asks it /-/ready
        }
        if urls.grafana:
            services["grafana"] = ServiceInfo("grafana", "running", urls.grafana)
        return StackInfo(
            project=urls.prometheus,
            services=services,
            mode="by-url",
            grafana_user=urls.grafana_user,
            grafana_password=urls.grafana_password,
            notes=[] if urls.grafana else [NO_GRAFANA_NOTE],
            repair_hint=URL_HINT,
        )

    def stop_service(self, service: str) -> None:
        raise NeedsDockerStack(f"Cannot stop the {service} of a stack given by URLs", NEEDS_DOCKER)

    def start_service(self, service: str) -> None:
        raise NeedsDockerStack(f"Cannot start the {service} of a stack given by URLs", NEEDS_DOCKER)

    def redeploy_app(self, source_dir: Path | None = None) -> bool:
        raise NeedsDockerStack("Cannot redeploy the app of a stack given by URLs", NEEDS_DOCKER)

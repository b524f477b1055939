"""Names, ports, labels and images of one monlab project: the naming contract of SPEC.md in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from monlab.errors import ConfigError

SERVICES = ("app", "prometheus", "grafana")
CONTAINER_PORTS = {"app": 5000, "prometheus": 9090, "grafana": 3000}
APP_METRICS_PORT = 8000  # the app's /metrics and /healthz, never queued behind its request workers (app/side_server.py)

# The lecture's scrape job of the app's /metrics (templates/prometheus.yml.j2 names it too).
APP_JOB = "flask-app"

LABEL_PROJECT = "monlab.project"
LABEL_SERVICE = "monlab.service"
LABEL_CONFIG_HASH = "monlab.config-hash"

DEFAULT_PROJECT = "monlab"
DEFAULT_BIND = "127.0.0.1"

# Pulled when online, each pinned to a supported line. Overridable without editing code:
# MONLAB_IMAGE_<KEY>=REF or `--image key=REF` (monlab/image_refs.py). Offline, only the
# bootstrapped images below are used. Fully qualified: Docker reads a short name as docker.io, Podman
# would look it up through its own registry list (containers-registries.conf) or ask.
ONLINE_IMAGES = {
    # Debian-based CPython 3.12 slim, the app's base (python 3.12 is in security support to 2028-10).
    "app-base": "docker.io/library/python:3.12-slim",
    # 3.13 is Prometheus' long-term-support line, supported to 2027-07-31 (prometheus.io release
    # cycle). v3.13.4 seen pinned by digest sha256:87861b8cf915791… in public repositories' compose
    # and CI files (2026); v3.13.1-v3.13.3 seen likewise.
    "prometheus": "docker.io/prom/prometheus:v3.13.4",
    # 12.4 is Grafana's extended-support line (to 2027-05-24); grafana/grafana, since grafana-oss is
    # no longer updated from 12.4. 12.4.10 seen in a public stack's image table (2026); 12.4.0-12.4.5
    # seen pinned by digest (12.4.5: sha256:26b8f35a9e4e…).
    "grafana": "docker.io/grafana/grafana:12.4.10",
}
OFFLINE_IMAGES = {
    "app-base": "monlab/app-base:bookworm",
    "prometheus": "monlab/prometheus:bookworm",
}

_PROJECT_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")


@dataclass(frozen=True)
class Project:
    name: str = DEFAULT_PROJECT
    bind: str = DEFAULT_BIND
    port_offset: int = 0

    def __post_init__(self) -> None:
        if not _PROJECT_NAME.fullmatch(self.name):  # match() would let "name\n" through
            raise ConfigError(
                f"Project name {self.name!r} is not usable for Docker resources",
                "Use lowercase letters, digits, '-', '_' or '.', starting with a letter or digit.",
            )
        if not 0 <= self.port_offset <= 50000:
            raise ConfigError(f"Port offset {self.port_offset} is out of range", "Use a value from 0 to 50000.")

    def resource(self, service: str) -> str:
        return f"{self.name}-{service}"

    @property
    def network(self) -> str:
        return f"{self.name}-net"

    def volume(self, purpose: str) -> str:
        return f"{self.name}-{purpose}"

    def host_port(self, service: str) -> int:
        return CONTAINER_PORTS[service] + self.port_offset

    def host_url(self, service: str) -> str:
        """Where a browser on this machine reaches `service` of this project."""
        return http_url(self.bind, self.host_port(service))

    def labels(self, service: str | None = None) -> dict[str, str]:
        labels = {LABEL_PROJECT: self.name}
        if service:
            labels[LABEL_SERVICE] = service
        return labels

    @property
    def label_filter(self) -> str:
        return f"{LABEL_PROJECT}={self.name}"

    @property
    def app_image(self) -> str:
        return f"monlab/{self.name}-app:latest"


def url_host(bind: str) -> str:
    """The host part of a URL for a port published on `bind`: what a browser on this machine uses,
    an IPv6 address in brackets (RFC 3986), a wildcard bind as loopback of its own family."""
    if bind in ("0.0.0.0", ""):
        return "127.0.0.1"
    if bind == "::":
        return "[::1]"
    return f"[{bind.strip('[]')}]" if ":" in bind else bind


def http_url(host: str, port: int) -> str:
    """`http://host:port`, the one place a host URL is formatted (IPv6 bracketed)."""
    return f"http://{url_host(host)}:{port}"


def parse_bind(text: str) -> str:
    """A --bind value as an IP address (brackets around IPv6 allowed); ValueError says why not."""
    import ipaddress

    bare = text.strip()
    if bare.startswith("[") and bare.endswith("]"):
        bare = bare[1:-1]
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        raise ValueError(f"{text!r} is not an IP address; use one such as 127.0.0.1, 0.0.0.0 or ::1") from None


def up_command(project: Project, offline: bool, image_overrides: Mapping[str, str] | None = None) -> str:
    """The `monlab up …` that (re)starts this project as it was made, for hints a user copies."""
    parts = ["monlab up"]
    if offline:
        parts.append("--offline")
    if project.name != DEFAULT_PROJECT:
        parts.append(f"--project {project.name}")
    if project.bind != DEFAULT_BIND:
        parts.append(f"--bind {project.bind}")
    if project.port_offset:
        parts.append(f"--port-offset {project.port_offset}")
    # Image references never hold shell metacharacters (image_refs checks them), so they need no quoting.
    parts += [f"--image {key}={ref}" for key, ref in sorted((image_overrides or {}).items())]
    return " ".join(parts)


def status_command(project_name: str) -> str:
    return "monlab status" + (f" --project {project_name}" if project_name != DEFAULT_PROJECT else "")

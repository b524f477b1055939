"""What differs between the engines monlab talks to through the Docker API: Docker (Engine or Docker
Desktop) and Podman's Docker-compatible service. Pure: decided from the engine's own `/version` and
`/info` answers, so each engine is one row of a table test. Only docker_runtime asks an engine
which it is; everything else asks for the facts below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from monlab.image_refs import normalized

DOCKER, PODMAN = "Docker", "Podman"
# Podman's answer to /version carries this component; Docker's has "Engine" (Docker Desktop too).
PODMAN_COMPONENT = "Podman Engine"
# Rootless Podman publishes no host port below this (net.ipv4.ip_unprivileged_port_start).
UNPRIVILEGED_PORT_START = 1024


@dataclass(frozen=True)
class EngineFacts:
    name: str  # DOCKER or PODMAN
    version: str
    api_version: str
    platform: str = ""  # "Docker Desktop 4.43.2 (…)", "linux/amd64/debian-12", or ""
    rootless: bool = False
    # A `docker save` archive's short names (python:3.12-slim) come back from Podman's load as
    # localhost/python:3.12-slim, where Docker reads them as docker.io/library/python:3.12-slim.
    short_names_load_as: str = ""
    # Docker runs healthchecks itself; Podman through systemd timers, so on a host without systemd
    # (its cgroup driver then is cgroupfs) a container's health stays "starting" for good.
    runs_healthchecks: bool = True

    @property
    def is_podman(self) -> bool:
        return self.name == PODMAN

    def describe(self) -> str:
        mode = ", rootless" if self.rootless else ""
        return f"{self.name} {self.version} (API {self.api_version}{mode})"


def looks_like_podman(address: str) -> bool:
    """An engine address that is Podman's service socket (podman.sock, /run/podman/…, …-podman.sock),
    for advice when nothing answers there."""
    return "podman" in address.lower()


def facts_from(version: Mapping[str, Any], info: Mapping[str, Any] | None = None) -> EngineFacts:
    """The engine's facts from its /version (and /info, for rootless) answers."""
    components = version.get("Components") or []
    podman = next((c for c in components if c.get("Name") == PODMAN_COMPONENT), None)
    security = (info or {}).get("SecurityOptions") or []
    return EngineFacts(
        name=PODMAN if podman else DOCKER,
        version=str((podman or version).get("Version") or "?"),
        api_version=str(version.get("ApiVersion") or "?"),
        platform=str((version.get("Platform") or {}).get("Name") or ""),
        # Docker says so among its security options; Podman 4.3 in a field of its own.
        rootless=any("name=rootless" in str(option) for option in security) or (info or {}).get("Rootless") is True,
        short_names_load_as="localhost/" if podman else "",
        runs_healthchecks=not podman or (info or {}).get("CgroupDriver") == "systemd",
    )


def loaded_names(chunks: Iterable[Mapping[str, Any]]) -> list[str]:
    """The image names an engine reports from POST /images/load. Docker sends one "Loaded image: X"
    line per image; Podman one line naming them all, joined by commas (which no reference contains)."""
    names: list[str] = []
    for chunk in chunks:
        text = str(chunk.get("stream") or "").strip()
        for prefix in ("Loaded image: ", "Loaded image ID: "):
            if text.startswith(prefix):
                names.extend(name.strip() for name in text[len(prefix):].split(",") if name.strip())
    return names


def load_error(chunks: Iterable[Mapping[str, Any]]) -> str:
    """The engine's complaint in a /images/load answer, or "" when it loaded."""
    for chunk in chunks:
        detail = chunk.get("errorDetail") or {}
        if detail or chunk.get("error"):
            return " ".join(str(detail.get("message") or chunk.get("error")).split())
    return ""


def retags_after_load(engine: EngineFacts, archive_tags: Iterable[str]) -> list[tuple[str, str]]:
    """(stored name, name to add) for each archive tag the engine stored under another name than
    Docker's reading of it, so the fully qualified reference finds the image on every engine."""
    if not engine.short_names_load_as:
        return []
    retags = []
    for tag in archive_tags:
        full = normalized(tag)
        stored = engine.short_names_load_as + tag
        if full != tag and normalized(stored) != full:
            retags.append((stored, full))
    return retags

"""Can a container registry be reached from here? A TCP connection to its HTTPS port, bounded in
time (name resolution included), so `up` and `doctor` can decide without waiting on a pull."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Iterable

from monlab.image_refs import DOCKER_HUB_DOMAIN, domain_of

DOCKER_HUB = "registry-1.docker.io"
PROBE_SECONDS = 1.5


@dataclass(frozen=True)
class RegistryProbe:
    host: str
    reachable: bool
    detail: str  # "connected", or why not ("name does not resolve", "connection refused", ...)


def registry_host(ref: str) -> str:
    """The host an image reference is pulled from (Docker Hub's docker.io is served by DOCKER_HUB)."""
    domain = domain_of(ref)
    return DOCKER_HUB if domain == DOCKER_HUB_DOMAIN else domain


def probe(host: str, timeout: float = PROBE_SECONDS) -> RegistryProbe:
    name, _, port = host.partition(":")
    # getaddrinfo takes no timeout, so the whole attempt runs in a thread that is given up on.
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(_connect, host, name, int(port or 443), timeout).result(timeout=timeout)
    except FutureTimeout:
        return RegistryProbe(host, False, f"no answer within {timeout:g} s")
    finally:
        pool.shutdown(wait=False)


def probe_all(refs: Iterable[str], timeout: float = PROBE_SECONDS) -> list[RegistryProbe]:
    hosts = sorted({registry_host(ref) for ref in refs})
    with ThreadPoolExecutor(max_workers=max(len(hosts), 1)) as pool:
        return list(pool.map(lambda host: probe(host, timeout), hosts))


def _connect(host: str, name: str, port: int, timeout: float) -> RegistryProbe:
    try:
        with socket.create_connection((name, port), timeout=timeout):
            return RegistryProbe(host, True, "connected")
    except socket.gaierror:
        return RegistryProbe(host, False, "its name does not resolve")
    except ConnectionRefusedError:
        return RegistryProbe(host, False, "connection refused")
    except OSError as exc:
        return RegistryProbe(host, False, exc.strerror or type(exc).__name__)

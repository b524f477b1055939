"""A stack bound to anything but loopback is reachable from other machines: say what is open there
without a password, and print URLs that work from those machines."""

from __future__ import annotations

import dataclasses
import ipaddress
import socket
from urllib.parse import urlsplit, urlunsplit

from monlab.stackinfo import StackInfo

WILDCARDS = ("0.0.0.0", "::")


def exposed(bind: str) -> bool:
    return not ipaddress.ip_address(bind.strip("[]")).is_loopback


def exposure_warning(bind: str, info: StackInfo) -> str:
    """One paragraph naming what anyone on the network can use, and what protects Grafana."""
    open_parts = [f"Prometheus' UI and API ({info.url('prometheus')})", f"the app's routes ({info.url('app')})"]
    grafana = info.url("grafana")
    guarded = (f" Grafana ({grafana}) shows its dashboards to anyone; only its admin password (below) guards "
               "everything else, so keep it secret.") if grafana else ""
    return (f"The stack listens on {bind}, so other machines can reach it: {' and '.join(open_parts)} answer "
            f"without any password.{guarded} Use --bind 127.0.0.1 unless others must reach it.")


def for_other_machines(info: StackInfo, bind: str, host: str) -> StackInfo:
    """`info` with each URL on `host` where the stack is bound to all interfaces (its URLs then say
    loopback, which works only here)."""
    if bind not in WILDCARDS:
        return info
    services = {name: dataclasses.replace(s, url=url_for_others(s.url, bind, host)) for name, s in info.services.items()}
    return dataclasses.replace(info, services=services)


def url_for_others(url: str | None, bind: str, host: str) -> str | None:
    """`url` (a loopback URL of a port published on `bind`) as other machines reach it: on `host`
    when bound to all interfaces, else unchanged (a specific address is already the one to use)."""
    return _on_host(url, host) if bind in WILDCARDS else url


def public_host(bind: str) -> str:
    """Where other machines reach a stack bound to all interfaces; "" for any other bind."""
    return primary_address(socket.AF_INET6 if ":" in bind else socket.AF_INET) if bind in WILDCARDS else ""


def primary_address(family: int = socket.AF_INET) -> str:
    """This machine's address on its default route (a UDP socket's connect sends nothing); its host
    name when there is no such route."""
    probe_to = ("192.0.2.1", 9) if family == socket.AF_INET else ("2001:db8::1", 9)  # documentation ranges
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            probe.connect(probe_to)
            return probe.getsockname()[0]
    except OSError:
        return socket.gethostname()


def _on_host(url: str | None, host: str) -> str | None:
    if not url:
        return url
    parts = urlsplit(url)
    shown = f"[{host}]" if ":" in host else host
    return urlunsplit(parts._replace(netloc=f"{shown}:{parts.port}"))

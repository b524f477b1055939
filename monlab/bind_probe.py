"""Whether a server could listen on a host port: bind it the way a server would, then let go."""

from __future__ import annotations

import socket

from monlab.errors import ConfigError


def bind_error(host: str, port: int) -> OSError | None:
    """None when `host:port` can be bound now; otherwise why not (a socket.gaierror for a bad host)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        return exc
    with socket.socket(family, kind, proto) as probe:
        # As servers do: a port whose old connections linger in TIME_WAIT is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return exc
    return None


def port_is_free(host: str, port: int) -> bool:
    return bind_error(host, port) is None


def require_local_address(host: str) -> None:
    """ConfigError unless `host` names an address of this machine (any port of it could be bound)."""
    error = bind_error(host, 0)
    if error is None:
        return
    reason = error.strerror if isinstance(error, socket.gaierror) else (error.strerror or str(error))
    raise ConfigError(f"Cannot listen on {host!r}: {reason}", "Use an address of this machine, such as 127.0.0.1.")

"""A real listening socket on a port a project can reach with an allowed --port-offset."""

import contextlib
import random
import socket


@contextlib.contextmanager
def listening_port(low: int = 20000, high: int = 50000):
    for _ in range(100):
        port = random.randint(low, high)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            sock.listen()
            yield port
            return
    raise RuntimeError(f"no free port in {low}-{high}")

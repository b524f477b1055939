"""Throughput and tail latency of one URL with wrk (Debian package), which loads a server far
harder than a Python client can on two cores."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p99_seconds: float
    non_2xx: int


def wrk_available() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(url: str, seconds: int = 5, connections: int = 16, threads: int = 2, cpus: str = "") -> WrkResult:
    """`cpus`: pin wrk to these cores (taskset), so it never takes CPU from the server it measures."""
    pin = ["taskset", "-c", cpus] if cpus else []
    out = subprocess.run(
        [*pin, "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        check=True, capture_output=True, text=True, timeout=seconds + 30,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return WrkResult(rps, float(p99.group(1)) * _UNITS[p99.group(2)], int(non_2xx.group(1)) if non_2xx else 0)

"""`monlab` as a user runs it: a child process of this Python, its output captured."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def monlab(*args: str, env: dict[str, str] | None = None, timeout: float = 600,
           columns: int | None = None) -> subprocess.CompletedProcess:
    """`monlab ARGS`; `env` adds to this environment, `columns` sets the terminal width rich assumes
    (wide enough, a usage error stays on one line)."""
    full_env = {**os.environ, **(env or {})}
    if columns:
        full_env["COLUMNS"] = str(columns)
    return subprocess.run([sys.executable, "-m", "monlab", *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env)


def monlab_checked(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """`monlab ARGS`, failing the test with its stderr when it exits non-zero (unless `check` is False)."""
    result = monlab(*args)
    if check and result.returncode != 0:
        pytest.fail(f"monlab {' '.join(args)} exited {result.returncode}: {result.stderr[-2000:]}")
    return result

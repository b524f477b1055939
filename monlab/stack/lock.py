"""One command at a time per project: an exclusive `flock` on a file keyed by engine address and
project, holding the running command and its PID so a second command can say what it waits for.

A second command on the same project waits a bounded time (students double-click: the second
`up` should simply find the first one's stack ready), then refuses with one sentence naming what
is running. The kernel drops the lock when the holder dies, so a killed command never jams a project.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from monlab.errors import MonlabError

DEFAULT_WAIT = 60.0


class ProjectBusy(MonlabError):
    """Another monlab command holds the project's lock."""


def lock_dir() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.access(runtime, os.W_OK):
        return Path(runtime) / "monlab"
    return Path(f"/tmp/monlab-locks-{os.getuid()}")


def lock_path(engine: str, project: str) -> Path:
    key = hashlib.sha256(f"{engine}\0{project}".encode()).hexdigest()[:16]
    readable = "".join(c if c.isalnum() or c in "-_." else "_" for c in project)[:40]
    return lock_dir() / f"{readable}-{key}.lock"


@contextmanager
def project_lock(engine: str, project: str, command: str, wait: float | None = None,
                 say: Callable[[str], None] = lambda line: None) -> Iterator[None]:
    """Hold the project's lock for `command`; wait up to `wait` seconds for another holder, saying
    once, at the start, what it waits for."""
    wait = _env_wait() if wait is None else wait
    path = lock_path(engine, project)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise MonlabError(f"Cannot create the lock file {path} ({exc.strerror})", "Check that /tmp is writable.") from exc
    try:
        _acquire(handle, path, project, wait, say)
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"{command}\n{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(handle)  # closing drops the flock


def _acquire(handle: int, path: Path, project: str, wait: float, say: Callable[[str], None]) -> None:
    deadline = time.monotonic() + wait
    said = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if not said:
                said = True
                say(f"Waiting for {holder(path)} to finish with project {project!r} (up to {wait:g} s)")
            if time.monotonic() >= deadline:
                raise ProjectBusy(
                    f"Project {project!r} is busy: {holder(path)} is running on it",
                    "Wait for it to finish (or stop it with Ctrl-C), then run your command again.",
                ) from None
            time.sleep(0.1)


def holder(path: Path) -> str:
    """What the lock file says holds it: "`monlab up` (PID 123)"."""
    try:
        command, pid = (path.read_text().splitlines() + ["", ""])[:2]
    except OSError:
        return "another monlab command"
    if not command:
        return "another monlab command"
    return f"`monlab {command}` (PID {pid})" if pid else f"`monlab {command}`"


def _env_wait() -> float:
    try:
        return float(os.environ.get("MONLAB_LOCK_WAIT", DEFAULT_WAIT))
    except ValueError:
        return DEFAULT_WAIT


def command_lock(project: str, command: str):
    """The lock every project-changing command (up, down, teardown, lab) takes, keyed by the engine
    that DOCKER_HOST names. `load` takes none: it only sends HTTP requests and runs beside a lab."""
    import sys

    from monlab.docker_runtime import engine_address

    return project_lock(engine_address(), project, command, say=lambda line: print(line, file=sys.stderr, flush=True))

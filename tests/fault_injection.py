"""Python source that a child `monlab` process runs first (see `monlab_with`) to inject a fault at an
exact moment of real work: SIGINT to itself, which is what Ctrl-C in a terminal does."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

CLI = "\nimport sys\nfrom monlab.cli import main\nsys.argv = ['monlab', *sys.argv[1:]]\nmain()\n"
ROOT = Path(__file__).resolve().parents[1]

_SIGINT_AFTER = """
import os as _os, signal as _signal
from monlab.docker_runtime import DockerRuntime as _Runtime
def _inject_{method}(real, calls=[]):
    def wrapper(self, *args, **kwargs):
        result = real(self, *args, **kwargs)
        calls.append(1)
        if len(calls) in {nth!r}:
            _os.kill(_os.getpid(), _signal.SIGINT)
        return result
    return wrapper
_Runtime.{method} = _inject_{method}(_Runtime.{method})
"""


def sigint_after(method: str, nth: tuple[int, ...] = (1,)) -> str:
    """Ctrl-C right after the `nth` calls of DockerRuntime.`method` return (1 = the first call)."""
    return _SIGINT_AFTER.format(method=method, nth=nth)


def ctrl_c_after(process: subprocess.Popen, after: float, twice: bool = False) -> None:
    """Ctrl-C to `process` `after` seconds from now, as a person at its terminal would; with `twice`,
    again half a second later if it is still running."""
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    if twice:
        time.sleep(0.5)
        if process.poll() is None:
            process.send_signal(signal.SIGINT)


def monlab_with(patch: str, *args: str, env: dict | None = None, **popen) -> subprocess.Popen:
    """`monlab ARGS` started in a process where `patch` ran first; stdout and stderr piped."""
    return subprocess.Popen([sys.executable, "-c", patch + CLI, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT, **popen)


_SIGINT_AFTER_STEP = """
import os as _os, signal as _signal, dataclasses as _dataclasses
from monlab.lab import kinds as _kinds
def _then_ctrl_c(real, done=[]):
    def run(ctx, params):
        result = real(ctx, params)
        if not done:
            done.append(1)
            _os.kill(_os.getpid(), _signal.SIGINT)
        return result
    return run
_kinds.KINDS[{kind!r}] = _dataclasses.replace(_kinds.KINDS[{kind!r}], run=_then_ctrl_c(_kinds.KINDS[{kind!r}].run))
"""


def sigint_after_step(kind: str) -> str:
    """Ctrl-C right after the first lab step of `kind` has run."""
    return _SIGINT_AFTER_STEP.format(kind=kind)


_EVERY_RUNTIME_CALL = """
import os as _os, signal as _signal
from monlab.docker_runtime import DockerRuntime as _Runtime
def _after_each_{tag}(name, real, calls=[]):
    def wrapper(self, *args, **kwargs):
        result = real(self, *args, **kwargs)
        calls.append(name)
        {after}
        return result
    return wrapper
for _name, _real in list(vars(_Runtime).items()):
    if callable(_real) and not _name.startswith("_"):
        setattr(_Runtime, _name, _after_each_{tag}(_name, _real))
"""


def trace_runtime_calls(path: Path) -> str:
    """Append the name of every DockerRuntime call, once it returned, as a line of `path`."""
    after = f"open({str(path)!r}, 'a').write(name + chr(10))"
    return _EVERY_RUNTIME_CALL.format(tag="trace", after=after)


def sigkill_after_call(nth: int) -> str:
    """SIGKILL (nothing runs after it: no handler, no cleanup) once the `nth` DockerRuntime call of
    the process has returned, whichever method it was (1 = the first)."""
    after = f"if len(calls) == {nth}: _os.kill(_os.getpid(), _signal.SIGKILL)"
    return _EVERY_RUNTIME_CALL.format(tag="kill", after=after)


_SIGINT_WHILE_STOPPING = """
import os as _os, signal as _signal, socket as _socket, threading as _threading
import docker as _docker
from monlab.docker_runtime import DockerRuntime as _Runtime
_held = []
def _ctrl_c_on_first_kill(events):
    for _event in events:
        _signal.pthread_kill(_threading.main_thread().ident, _signal.SIGINT)
        return
def _slow_stop(real):
    def stop(self, *args, **kwargs):
        if not _held:  # a request the app has begun to read: gunicorn's graceful stop waits for it
            _held.append(_socket.create_connection(("127.0.0.1", {hold_port}), timeout=5))
            _held[0].sendall(b"GET / HTTP/1.1\\r\\nHost: x\\r\\n")
            events = _docker.from_env().events(decode=True, filters={{"type": "container", "event": "kill",
                                                                     "label": "monlab.project={project}"}})
            _threading.Thread(target=_ctrl_c_on_first_kill, args=(events,), daemon=True).start()
        return real(self, *args, **kwargs)
    return stop
_Runtime.stop = _slow_stop(_Runtime.stop)
"""


def sigint_while_stopping(project: str, hold_port: int) -> str:
    """Ctrl-C to the main thread while the engine is stopping one of `project`'s containers, its
    answer not yet come: at the container's first `kill` event, the stop made slow by a request held
    open on `hold_port` (the app's port), which gunicorn waits for before it exits."""
    return _SIGINT_WHILE_STOPPING.format(project=project, hold_port=hold_port)

"""Building the offline images from Debian packages with mmdebstrap (`monlab images bootstrap`).

`monlab up --offline` uses only these; Grafana has no Debian package, so it has no offline image.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from monlab import interrupts
from monlab.docker_runtime import DockerRuntime, split_ref
from monlab.errors import ConfigError, MonlabError
from monlab.interrupts import Leftovers
from monlab.project import OFFLINE_IMAGES

Say = Callable[[str], None]
OFFLINE_LABEL = "LABEL monlab.image=offline"


@dataclass(frozen=True)
class OfflineImage:
    ref: str
    packages: tuple[str, ...]
    changes: tuple[str, ...]
    hooks: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()  # paths dpkg never unpacks, beyond EXCLUDED


# What no server in these images reads: docs, translations. Together with STRIP this takes the two
# images from 695 MB to under 300 MB, which is what a classroom copies on a USB stick.
EXCLUDED = ("/usr/share/doc/*", "/usr/share/man/*", "/usr/share/info/*", "/usr/share/locale/*")
# After installation: Perl is needed only by maintainer scripts (adduser), apt's lists and caches
# only by apt; the images never install anything once built.
STRIP = 'rm -rf "$1"/usr/share/perl "$1"/usr/lib/*/perl "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*'

OFFLINE_RECIPES = (
    OfflineImage(
        ref=OFFLINE_IMAGES["app-base"],
        packages=("python3", "python3-flask", "python3-prometheus-client", "gunicorn"),
        changes=(OFFLINE_LABEL, 'CMD ["python3"]'),
    ),
    OfflineImage(
        ref=OFFLINE_IMAGES["prometheus"],
        packages=("prometheus", "ca-certificates"),
        # The official image's layout: data in /prometheus owned by nobody (65534), so a fresh named
        # volume mounted there is writable by the server.
        hooks=('mkdir -p "$1/prometheus" "$1/etc/prometheus" && chown 65534:65534 "$1/prometheus"',),
        # 212 MB of raw timezone data beside the one bundled file the classic UI loads
        # (moment-timezone-with-data.min.js).
        excludes=("/usr/share/javascript/moment-timezone/data/*",),
        changes=(
            OFFLINE_LABEL,
            "USER 65534",
            'ENTRYPOINT ["/usr/bin/prometheus"]',
            'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]',
            "EXPOSE 9090",
            "WORKDIR /prometheus",
        ),
    ),
)


def mmdebstrap_command(recipe: OfflineImage, out: Path, suite: str = "bookworm") -> list[str]:
    # essential: no apt inside the image; mmdebstrap still resolves --include with the host's apt.
    command = ["mmdebstrap", "--variant=essential", f"--include={','.join(recipe.packages)}"]
    command += [f"--dpkgopt=path-exclude={path}" for path in EXCLUDED + recipe.excludes]
    command += [f"--customize-hook={hook}" for hook in recipe.hooks + (STRIP,)]
    return command + [suite, str(out)]


def bootstrap(runtime: DockerRuntime, force: bool, say: Say, leftovers: Leftovers | None = None) -> list[str]:
    """Build every offline image whose tag is missing (all with `force`); returns the refs built.
    While it builds, `leftovers` holds which images a Ctrl-C would leave unbuilt."""
    todo = [r for r in OFFLINE_RECIPES if force or not runtime.image_id(r.ref)]
    for recipe in OFFLINE_RECIPES:
        if recipe not in todo:
            say(f"{recipe.ref} exists (use --force to rebuild)")
    if todo and shutil.which("mmdebstrap") is None:
        raise ConfigError("mmdebstrap is not installed", "Install it with `apt-get install mmdebstrap`.")
    for recipe in todo:
        say(f"Building {recipe.ref} from Debian packages: {', '.join(recipe.packages)}")
    builds = _Builds([r.ref for r in todo], leftovers or Leftovers())
    # Side by side: each mmdebstrap mostly waits on downloads and dpkg, so two take little more than one.
    with ThreadPoolExecutor(max_workers=len(todo) or 1) as pool:
        running = [pool.submit(_build_one, runtime, recipe, say, builds) for recipe in todo]
        try:
            for done in running:
                done.result()
        except BaseException:  # Ctrl-C, or one build failed: stop the others, let them clean up
            builds.cancel()
            with interrupts.deferred():
                wait(running)
            raise
    return [r.ref for r in todo]


class _Builds:
    """The mmdebstrap runs of one bootstrap: stopped all together, and what is still untagged said on exit."""

    def __init__(self, refs: list[str], leftovers: Leftovers) -> None:
        self.cancelled = threading.Event()
        self._leftovers = leftovers
        self._untagged = list(refs)
        self._processes: list[subprocess.Popen] = []
        self._lock = threading.Lock()
        self._note()

    def started(self, process: subprocess.Popen) -> None:
        with self._lock:
            self._processes.append(process)
            if self.cancelled.is_set():
                _interrupt_group(process)

    def tagged(self, ref: str) -> None:
        with self._lock:
            self._untagged.remove(ref)
            self._note()

    def cancel(self) -> None:
        with self._lock:
            self.cancelled.set()
            for process in self._processes:
                _interrupt_group(process)

    def _note(self) -> None:
        if self._untagged:
            self._leftovers.pending("images:bootstrap", f"Not built: {', '.join(self._untagged)} (nothing half-made "
                                                        "is left); run `monlab images bootstrap` to build them")
        else:
            self._leftovers.done("images:bootstrap")


def _interrupt_group(process: subprocess.Popen) -> None:
    """What Ctrl-C in a terminal does to mmdebstrap's process group: it stops apt and dpkg, then
    mmdebstrap unmounts and removes its temporary root itself."""
    try:
        os.killpg(process.pid, signal.SIGINT)
    except ProcessLookupError:
        pass


def _build_one(runtime: DockerRuntime, recipe: OfflineImage, say: Say, builds: _Builds) -> None:
    build_dir = Path(tempfile.mkdtemp(prefix="monlab-image-"))
    try:
        out = build_dir / "rootfs.tar"
        _run_mmdebstrap(mmdebstrap_command(recipe, out), say, builds, build_dir)
        if builds.cancelled.is_set():
            return
        repository, tag = split_ref(recipe.ref)
        runtime.import_image(out, repository, tag, list(recipe.changes))
        builds.tagged(recipe.ref)
        say(f"Tagged {recipe.ref}")
    finally:
        _remove_build_dir(build_dir)


def _wait_group_gone(group: int, timeout: float = 30.0) -> None:
    """Until no process of the group is left: mmdebstrap can exit while a child of its still writes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)


def _remove_build_dir(build_dir: Path) -> None:
    """Remove the build's directory with mmdebstrap's temporary root inside it. An interrupt that
    lands while mmdebstrap cleans up can leave part of that root, and even its /proc mounted: those
    mounts are this build's own, so they are detached first (deepest first), never crossed."""
    for point in sorted(_mounts_under(build_dir), key=lambda p: len(p.parts), reverse=True):
        detached = subprocess.run(["umount", "--lazy", str(point)], capture_output=True, text=True)
        if detached.returncode != 0:
            raise MonlabError(f"mmdebstrap left {point} mounted and it cannot be unmounted ({detached.stderr.strip()})",
                              f"Run `umount -R {point}` as root, then remove {build_dir}.")
    if _mounts_under(build_dir):
        raise MonlabError(f"mmdebstrap left a mount inside {build_dir}", f"Unmount it as root, then remove {build_dir}.")
    try:
        shutil.rmtree(build_dir)
    except OSError as error:
        raise MonlabError(f"Cannot remove the build directory {build_dir} ({error.strerror})",
                          f"Remove it as root once no mmdebstrap runs: `rm -r --one-file-system {build_dir}`.") from error


def _mounts_under(directory: Path) -> list[Path]:
    return [point for point in _mount_points() if directory in point.parents]


def _mount_points() -> list[Path]:
    try:
        lines = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return []
    # /proc/mounts writes space, tab, newline and backslash in paths as octal escapes (\040 ...).
    fields = [line.split() for line in lines]
    return [Path(re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), f[1])) for f in fields if len(f) > 1]


def _run_mmdebstrap(command: list[str], say: Say, builds: _Builds, build_dir: Path) -> None:
    tail: list[str] = []
    # A session of its own: a terminal's Ctrl-C reaches monlab only, which stops every build the same way.
    # TMPDIR: mmdebstrap's temporary root goes inside the build's directory, which is always removed.
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          start_new_session=True, env={**os.environ, "TMPDIR": str(build_dir)}) as proc:
        builds.started(proc)
        assert proc.stdout is not None
        for line in proc.stdout:
            line = line.rstrip()
            tail = (tail + [line])[-5:]
            if line.startswith(("I: ", "E: ")) and not builds.cancelled.is_set():
                say(line[3:])
    _wait_group_gone(proc.pid)
    if proc.returncode != 0 and not builds.cancelled.is_set():
        raise MonlabError(
            f"mmdebstrap failed (exit {proc.returncode}): {' / '.join(tail)}",
            "Check that a Debian mirror is reachable.",
        )

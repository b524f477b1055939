"""Offline images: built from Debian packages with mmdebstrap, carried between machines as one tar.

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
from monlab.errors import ConfigError, ImageUnavailable, MonlabError
from monlab.image_refs import ImageRefs
from monlab.project import OFFLINE_IMAGES, ONLINE_IMAGES

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


def bootstrap(runtime: DockerRuntime, force: bool, say: Say) -> list[str]:
    """Build every offline image whose tag is missing (all with `force`); returns the refs built."""
    todo = [r for r in OFFLINE_RECIPES if force or not runtime.image_id(r.ref)]
    for recipe in OFFLINE_RECIPES:
        if recipe not in todo:
            say(f"{recipe.ref} exists (use --force to rebuild)")
    if todo and shutil.which("mmdebstrap") is None:
        raise ConfigError("mmdebstrap is not installed", "Install it with `apt-get install mmdebstrap`.")
    for recipe in todo:
        say(f"Building {recipe.ref} from Debian packages: {', '.join(recipe.packages)}")
    builds = _Builds([r.ref for r in todo])
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

    def __init__(self, refs: list[str]) -> None:
        self.cancelled = threading.Event()
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
            interrupts.pending("images:bootstrap", f"Not built: {', '.join(self._untagged)} (nothing half-made is "
                                                   "left); run `monlab images bootstrap` to build them")
        else:
            interrupts.done("images:bootstrap")


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


def default_images(runtime: DockerRuntime) -> list[str]:
    """The stack's images present locally: offline ones and pulled online ones."""
    wanted = list(OFFLINE_IMAGES.values()) + list(ONLINE_IMAGES.values())
    return [ref for ref in wanted if runtime.image_id(ref)]


STANDIN_LABEL = "monlab.standin"  # on images that stand in for upstream ones in tests (tests/standins)


def image_table(runtime: DockerRuntime, refs: ImageRefs) -> list[dict]:
    """Per image key: its online and offline reference, whether each is local, and overrides."""
    rows = []
    for key, online_ref in refs.online.items():
        offline_ref = refs.offline.get(key)
        online_here = runtime.image_id(online_ref) is not None
        rows.append({
            "key": key,
            "online": {
                "ref": online_ref,
                "pinned": ONLINE_IMAGES[key],
                "overridden_by": refs.overridden.get(key),
                "present": online_here,
                "standin": runtime.image_labels(online_ref).get(STANDIN_LABEL) if online_here else None,
            },
            "offline": {"ref": offline_ref, "present": runtime.image_id(offline_ref) is not None} if offline_ref else None,
        })
    return rows


def refuse_replacing(path: Path, force: bool) -> None:
    """`images save` writes over an existing file only when it is a monlab image archive, or `force`."""
    from monlab.errors import NotOurs

    if path.is_dir():
        raise ConfigError(f"{path} is a directory", "Give the path of the tar file to write.")
    if force or not (path.exists() or path.is_symlink()):
        return
    try:
        check_load_file(path)
    except ConfigError:  # not a whole archive of monlab's images, or not readable as one
        raise NotOurs(f"{path} exists and is not an image archive of monlab's; `images save` leaves it "
                      "untouched unless you add --force") from None


def save(runtime: DockerRuntime, path: Path, force: bool = False) -> list[str]:
    refuse_replacing(path, force)
    refs = default_images(runtime)
    if not refs:
        raise ImageUnavailable("No monlab images are present to save", "Run `monlab images bootstrap` first.")
    partial = path.with_name(path.name + ".partial")  # never a half-written tar under the real name
    try:
        with partial.open("wb") as out:
            runtime.save_images(refs, out)
        partial.replace(path)
    except OSError as exc:
        raise ConfigError(f"Cannot write {path} ({exc.strerror})", "Choose a path in a writable directory.") from exc
    finally:
        partial.unlink(missing_ok=True)
    return refs


def check_load_file(path: Path) -> list[str]:
    """The tags in `path`; ConfigError blaming the file unless it is a whole archive of monlab's images."""
    from monlab.image_archive import check_archive

    if not path.is_file():
        raise ConfigError(f"{path} is not a file", "Give the tar written by `monlab images save`.")
    try:
        return check_archive(path, set(OFFLINE_IMAGES.values()) | set(ONLINE_IMAGES.values()))
    except OSError as exc:
        raise ConfigError(f"Cannot read {path} ({exc.strerror})") from exc


def load(runtime: DockerRuntime, path: Path) -> list[str]:
    tags = check_load_file(path)
    # Docker tags each image only once it is loaded whole, so a stopped load leaves some images missing, none broken.
    note = f"The load of {path} was stopped and some of its images may be missing: run `monlab images load {path}` again"
    try:
        with path.open("rb") as source, interrupts.while_changing("images:load", note):
            return runtime.load_images(source, tags)
    except OSError as exc:
        raise ConfigError(f"Cannot read {path} ({exc.strerror})") from exc

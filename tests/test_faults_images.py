"""Issue 10, bullet 2 for the image commands on the real engine: Ctrl-C during `images bootstrap`
and `images load` exits 130, says what it did not do, and leaves no half-made image, temporary root,
mount or mmdebstrap process behind.

Every image here is tagged under this module's own tags (monlab.project.OFFLINE_IMAGES patched in
the child process), so the shared monlab/*:bookworm images are never touched. Bounded: each
interrupted command is waited for at most 300 s."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from fault_injection import ctrl_c_after, monlab_with, sigint_after
from monlab.project import OFFLINE_IMAGES

pytestmark = pytest.mark.docker

PRIVATE_TAGS = "import monlab.project\nmonlab.project.OFFLINE_IMAGES.update({refs!r})\n"
# Ctrl-C once half of the archive has gone to Docker: the upload is cut mid-stream.
SIGINT_MID_UPLOAD = """
import os, signal
from monlab.docker_runtime import DockerRuntime
_real_load = DockerRuntime.load_images
class _HalfThenCtrlC:
    def __init__(self, source):
        self.source, self.sent, self.half = source, 0, os.fstat(source.fileno()).st_size // 2
    def read(self, size=-1):
        if self.sent >= self.half:
            os.kill(os.getpid(), signal.SIGINT)
        chunk = self.source.read(size if size and size > 0 else 1 << 20)
        self.sent += len(chunk)
        return chunk
    def __iter__(self):
        while chunk := self.read(1 << 20):
            yield chunk
DockerRuntime.load_images = lambda self, source, *tags: _real_load(self, _HalfThenCtrlC(source), *tags)
"""


@pytest.fixture
def private_refs():
    tag = f"intrtest-{uuid.uuid4().hex[:8]}"
    return {key: f"{ref.split(':')[0]}:{tag}" for key, ref in OFFLINE_IMAGES.items()}


@pytest.fixture
def cleanup_refs(docker_client, private_refs):
    yield
    for ref in private_refs.values():
        if docker_client.images.list(name=ref):
            docker_client.images.remove(ref, force=True)


def start(patch: str, args: list[str], tmp: Path) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmp)}  # mmdebstrap's and monlab's temporary roots, to check they are gone
    return monlab_with(patch, *args, env=env)


def ctrl_c(process: subprocess.Popen, after: float, twice: bool = False) -> tuple[int, str]:
    ctrl_c_after(process, after, twice)
    return finish(process)


def finish(process: subprocess.Popen) -> tuple[int, str]:
    _, err = process.communicate(timeout=300)
    return process.returncode, " ".join(err.split())


def assert_nothing_left_in(tmp: Path) -> None:
    left = sorted(str(p.relative_to(tmp)) for p in tmp.glob("*/*"))
    assert [p.name for p in tmp.iterdir()] == [], f"temporary roots are removed: {left[:20]}"
    with open("/proc/mounts") as mounts:
        assert str(tmp) not in mounts.read(), "mmdebstrap's mounts are undone"
    assert not [pid for pid in os.listdir("/proc") if pid.isdigit() and str(tmp) in _cmdline(pid)], \
        "no mmdebstrap (or apt, dpkg) of this build still runs"


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def tagged(docker_client, ref: str) -> bool:
    return bool(docker_client.images.list(name=ref))


@pytest.mark.parametrize("after, twice", [(3.0, False), (8.0, True)])
def test_ctrl_c_while_mmdebstrap_runs_stops_it_and_tags_nothing(docker_client, private_refs, cleanup_refs, tmp_path, after, twice):
    process = start(PRIVATE_TAGS.format(refs=private_refs), ["images", "bootstrap"], tmp_path)
    code, err = ctrl_c(process, after, twice)
    assert code == 130, err[-2000:]
    assert "Traceback" not in err
    assert not any(tagged(docker_client, ref) for ref in private_refs.values()), "no image of this run exists"
    assert f"Interrupted. Not built: {', '.join(private_refs.values())}" in err, err[-2000:]
    assert "run `monlab images bootstrap` to build them" in err
    assert_nothing_left_in(tmp_path)


def test_ctrl_c_as_the_first_image_is_tagged_keeps_it_whole_and_names_what_is_not_built(docker_client, private_refs, cleanup_refs, tmp_path):
    process = start(PRIVATE_TAGS.format(refs=private_refs) + sigint_after("import_image"),
                    ["images", "bootstrap"], tmp_path)
    code, err = finish(process)
    assert code == 130 and "Traceback" not in err, err[-2000:]
    built = [ref for ref in private_refs.values() if tagged(docker_client, ref)]
    assert built, "the image imported before the interrupt is kept"
    for ref in built:
        assert docker_client.images.get(ref).labels.get("monlab.image") == "offline", "a whole image, with its config"
    for ref in set(private_refs.values()) - set(built):
        assert ref in err.split("Not built:")[1], f"{ref} is missing and said so: {err[-1000:]}"
    assert_nothing_left_in(tmp_path)


@pytest.fixture
def private_archive(docker_client, private_refs, cleanup_refs, tmp_path_factory):
    """An archive of monlab's images under this module's tags; the tags are removed again, so a load restores them."""
    for key, ref in private_refs.items():
        docker_client.images.get(OFFLINE_IMAGES[key]).tag(ref)
    archive = tmp_path_factory.mktemp("archive") / "images.tar"
    with archive.open("wb") as out:
        for chunk in _save(docker_client, private_refs):
            out.write(chunk)
    for ref in private_refs.values():
        docker_client.images.remove(ref)  # untags only: the shared images keep the layers
    return archive


def _save(docker_client, refs):
    api = docker_client.api
    response = api._get(api._url("/images/get"), params={"names": list(refs.values())}, stream=True)
    api._raise_for_status(response)
    return response.iter_content(chunk_size=1 << 20)


def test_ctrl_c_mid_upload_of_images_load_loads_nothing_and_says_how_to_finish(docker_client, private_refs, private_archive, tmp_path):
    shared_before = {ref: docker_client.images.get(ref).id for ref in OFFLINE_IMAGES.values()}
    patch = PRIVATE_TAGS.format(refs=private_refs) + SIGINT_MID_UPLOAD
    code, err = finish(start(patch, ["images", "load", str(private_archive)], tmp_path))
    assert code == 130 and "Traceback" not in err, err[-2000:]
    assert not any(tagged(docker_client, ref) for ref in private_refs.values()), "Docker tags nothing from half an archive"
    assert f"run `monlab images load {private_archive}` again" in err, err[-1000:]
    assert {ref: docker_client.images.get(ref).id for ref in OFFLINE_IMAGES.values()} == shared_before
    again = monlab_with(PRIVATE_TAGS.format(refs=private_refs), "images", "load", str(private_archive))
    assert finish(again)[0] == 0
    assert all(tagged(docker_client, ref) for ref in private_refs.values()), "following the message finishes the load"


@pytest.mark.parametrize("after, twice", [(0.2, False), (0.5, True), (1.0, False)])
def test_ctrl_c_at_any_moment_of_images_load_leaves_whole_images_or_none(docker_client, private_refs, private_archive, tmp_path, after, twice):
    code, err = ctrl_c(start(PRIVATE_TAGS.format(refs=private_refs), ["images", "load", str(private_archive)], tmp_path), after, twice)
    assert code in (0, 130) and "Traceback" not in err, err[-2000:]
    for key, ref in private_refs.items():
        if tagged(docker_client, ref):
            assert docker_client.images.get(ref).id == docker_client.images.get(OFFLINE_IMAGES[key]).id, "whole, as saved"
    if code == 130:
        assert "Interrupted." in err

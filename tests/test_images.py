"""Image import, save and load through the runtime, on the real engine with a tiny image of our own."""

import io
import subprocess
import sys
import tarfile
import uuid

import pytest

from monlab.docker_runtime import connect

pytestmark = pytest.mark.docker


@pytest.fixture
def tiny_image(docker_client, tmp_path):
    """A one-file image imported with `changes`, removed afterwards (by its unique tag only)."""
    rootfs = tmp_path / "rootfs.tar"
    with tarfile.open(rootfs, "w") as tar:
        data = b"hello from a monlab test\n"
        info = tarfile.TarInfo("hello.txt")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    repository, tag = f"monlabtest-img-{uuid.uuid4().hex[:8]}", "t1"
    image_id = connect().import_image(rootfs, repository, tag, ["LABEL monlab.image=offline", "USER 65534", "WORKDIR /prometheus"])
    yield f"{repository}:{tag}", image_id
    for image in docker_client.images.list(name=repository):
        docker_client.images.remove(image.id, force=True)


def test_import_applies_the_changes(tiny_image, docker_client):
    ref, image_id = tiny_image
    config = docker_client.images.get(ref).attrs["Config"]
    assert image_id.startswith("sha256:")
    assert config["Labels"] == {"monlab.image": "offline"}
    assert config["User"] == "65534" and config["WorkingDir"] == "/prometheus"


def test_save_then_load_brings_the_image_back(tiny_image, docker_client, tmp_path):
    ref, image_id = tiny_image
    runtime = connect()
    archive = tmp_path / "images.tar"
    with archive.open("wb") as out:
        runtime.save_images([ref], out)
    assert tarfile.is_tarfile(archive)
    docker_client.images.remove(ref, force=True)
    assert runtime.image_id(ref) is None
    with archive.open("rb") as source:
        assert runtime.load_images(source) == [ref]
    assert runtime.image_id(ref) == image_id


def test_loading_something_that_is_not_an_image_archive_is_one_line(docker_client, tmp_path):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar at all")
    result = subprocess.run([sys.executable, "-m", "monlab", "images", "load", str(junk)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert "junk.tar is not a tar archive" in result.stderr and "Docker" not in result.stderr


def test_loading_a_missing_file_is_one_line(docker_client, tmp_path):
    missing = tmp_path / "nope.tar"
    result = subprocess.run([sys.executable, "-m", "monlab", "images", "load", str(missing)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 3 and str(missing) in result.stderr and "Traceback" not in result.stderr


class _EngineWithOneImage:
    """Just enough engine for `images.save`: the file handling around it is what is tested."""

    def __init__(self, fail_midway: bool = False) -> None:
        self.fail_midway = fail_midway

    def image_id(self, ref):
        return "sha256:feed" if ref == "monlab/app-base:bookworm" else None

    def save_images(self, refs, out):
        out.write(b"first half")
        if self.fail_midway:
            raise OSError(28, "No space left on device")
        out.write(b", second half")


def test_save_into_a_missing_directory_is_one_config_error(tmp_path):
    from monlab.errors import ConfigError
    from monlab.images.archive import save

    with pytest.raises(ConfigError, match="Cannot write .*missing/images.tar"):
        save(_EngineWithOneImage(), tmp_path / "missing" / "images.tar")


def test_a_save_that_fails_midway_keeps_the_old_file_and_leaves_no_partial(tmp_path):
    from monlab.errors import ConfigError
    from monlab.images.archive import save

    target = tmp_path / "images.tar"
    target.write_bytes(b"yesterday's good archive")  # not a real archive: replacing it takes --force
    with pytest.raises(ConfigError, match="No space left"):
        save(_EngineWithOneImage(fail_midway=True), target, force=True)
    assert target.read_bytes() == b"yesterday's good archive"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["images.tar"]
    assert save(_EngineWithOneImage(), target, force=True) == ["monlab/app-base:bookworm"]
    assert target.read_bytes() == b"first half, second half"

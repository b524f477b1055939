"""Issue 10, bullet 3: image archives are checked before Docker sees them, and the file is blamed."""

import io
import json
import subprocess
import sys
import tarfile

import pytest

from monlab.images.archive import BadArchive, check_archive

ALLOWED = {"monlab/app-base:bookworm", "prom/prometheus:v3.5.0"}


def image_tar(path, tags, drop=None, manifest=True):
    """A `docker save`-shaped tar: manifest.json, a config and one layer per image."""
    entries = []
    with tarfile.open(path, "w") as archive:
        for i, tag in enumerate(tags):
            config, layer = f"cfg{i}.json", f"layer{i}/layer.tar"
            for name, data in ((config, b"{}"), (layer, b"x" * 4096)):
                if name != drop:
                    _add(archive, name, data)
            entries.append({"Config": config, "RepoTags": [tag], "Layers": [layer]})
        if manifest:
            _add(archive, "manifest.json", json.dumps(entries).encode())
    return path


def _add(archive, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def test_a_complete_archive_of_monlab_images_passes(tmp_path):
    path = image_tar(tmp_path / "ok.tar", ["monlab/app-base:bookworm", "prom/prometheus:v3.5.0"])
    assert check_archive(path, ALLOWED) == ["monlab/app-base:bookworm", "prom/prometheus:v3.5.0"]


def test_docker_short_tags_match_fully_qualified_references(tmp_path):
    """Docker's `save` writes RepoTags without docker.io/ (Podman's keep it); both are monlab's images."""
    allowed = {"docker.io/library/python:3.12-slim", "docker.io/prom/prometheus:v3.13.4"}
    tags = ["python:3.12-slim", "docker.io/prom/prometheus:v3.13.4", "docker.io/monlab/app-base:bookworm"]
    assert check_archive(image_tar(tmp_path / "short.tar", tags), allowed) == tags
    with pytest.raises(BadArchive, match="docker.io/library/python:3.13-slim, not monlab's"):
        check_archive(image_tar(tmp_path / "other.tar", ["docker.io/library/python:3.13-slim"]), allowed)


def truncated(tmp_path):
    whole = image_tar(tmp_path / "whole.tar", ["monlab/app-base:bookworm"]).read_bytes()
    cut = tmp_path / "cut.tar"
    cut.write_bytes(whole[:1500])
    return cut


@pytest.mark.parametrize("make, says", [
    (lambda p: (p / "t.txt").write_text("hello\n") and p / "t.txt", "not a tar archive"),
    (lambda p: (p / "e.tar").write_bytes(b"") or p / "e.tar", "not a tar archive"),
    (lambda p: image_tar(p / "n.tar", ["monlab/app-base:bookworm"], manifest=False), "no manifest.json"),
    (lambda p: image_tar(p / "l.tar", ["monlab/app-base:bookworm"], drop="layer0/layer.tar"), "incomplete"),
    (lambda p: image_tar(p / "f.tar", ["busybox:latest"]), "busybox:latest, not monlab's images"),
    (truncated, "truncated"),
])
def test_bad_archives_blame_the_file(tmp_path, make, says):
    path = make(tmp_path)
    with pytest.raises(BadArchive, match=says) as caught:
        check_archive(path, ALLOWED)
    assert str(path) in caught.value.one_line()


@pytest.mark.parametrize("kind", ["text", "foreign", "truncated"])
def test_images_load_refuses_before_docker_sees_the_file(tmp_path, kind):
    path = {
        "text": lambda: (tmp_path / "t.txt").write_text("hello\n") and tmp_path / "t.txt",
        "foreign": lambda: image_tar(tmp_path / "f.tar", ["busybox:latest"]),
        "truncated": lambda: truncated(tmp_path),
    }[kind]()
    # An unreachable engine proves Docker was never asked: the file is judged first.
    result = subprocess.run([sys.executable, "-m", "monlab", "images", "load", str(path)], capture_output=True,
                            text=True, timeout=60, env={"DOCKER_HOST": "unix:///nonexistent.sock", "PATH": "/usr/bin:/bin"})
    assert result.returncode == 3, result.stderr
    assert str(path) in result.stderr and "Docker" not in result.stderr
    assert "Traceback" not in result.stderr

"""The build directory of `images bootstrap` is removed whatever an interrupted mmdebstrap left in
it: part of its temporary root, and even a mount (it once left /proc mounted inside), which is
detached rather than crossed. Real mounts: needs root, as mmdebstrap's root mode does."""

from __future__ import annotations

import os
import subprocess

import pytest

from monlab.images.build import _mounts_under, _remove_build_dir

needs_root = pytest.mark.skipif(os.geteuid() != 0 and os.environ.get("CI") != "true", reason="mounting needs root")


@needs_root
def test_a_leftover_root_with_proc_mounted_inside_is_detached_then_removed(tmp_path):
    build_dir = tmp_path / "monlab-image-x"
    root = build_dir / "mmdebstrap.abc"
    (root / "proc").mkdir(parents=True)
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / "python3").write_text("half a root")
    subprocess.run(["mount", "-t", "proc", "proc", str(root / "proc")], check=True)
    try:
        assert _mounts_under(build_dir) == [root / "proc"]
        _remove_build_dir(build_dir)
        assert not build_dir.exists()
        assert _mounts_under(tmp_path) == []
    finally:
        subprocess.run(["umount", "--lazy", str(root / "proc")], capture_output=True)


@needs_root
def test_a_mount_point_name_with_a_space_is_read_back_from_proc_mounts(tmp_path):
    point = tmp_path / "build dir" / "tmp fs"
    point.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", str(point)], check=True)
    try:
        assert _mounts_under(tmp_path) == [point]
    finally:
        subprocess.run(["umount", "--lazy", str(point)], capture_output=True)


def test_a_clean_build_dir_is_simply_removed(tmp_path):
    build_dir = tmp_path / "monlab-image-y"
    (build_dir / "rootfs.tar").parent.mkdir()
    (build_dir / "rootfs.tar").write_bytes(b"tar")
    _remove_build_dir(build_dir)
    assert not build_dir.exists()

"""`monlab app eject DIR`: a complete copy of the app, and never a lost file."""

from __future__ import annotations

import subprocess
import sys

from monlab.resources import app_source_dir

EXPECTED = {"app.py", "workload.py", "amounts.py", "lab_metrics.py", "side_server.py", "gunicorn.conf.py", "Dockerfile",
            "requirements.txt", ".dockerignore"}


def eject(directory) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monlab", "app", "eject", str(directory)],
                          capture_output=True, text=True, timeout=30)


def test_eject_copies_the_whole_app_into_a_new_directory(tmp_path):
    target = tmp_path / "new" / "lab-app"
    result = eject(target)
    assert result.returncode == 0, result.stderr
    names = {p.name for p in target.iterdir()}
    assert EXPECTED <= names
    assert "__pycache__" not in names
    for name in EXPECTED:
        assert (target / name).read_bytes() == (app_source_dir() / name).read_bytes()


def test_eject_fills_an_existing_empty_directory(tmp_path):
    assert eject(tmp_path).returncode == 0
    assert (tmp_path / "Dockerfile").is_file()


def test_eject_refuses_a_non_empty_directory_and_touches_nothing(tmp_path):
    (tmp_path / "app.py").write_text("my own work\n")
    result = eject(tmp_path)
    assert result.returncode == 3
    assert "not empty" in result.stderr and result.stderr.count("\n") == 1
    assert [p.name for p in tmp_path.iterdir()] == ["app.py"]
    assert (tmp_path / "app.py").read_text() == "my own work\n"


def test_eject_refuses_a_file(tmp_path):
    target = tmp_path / "file"
    target.write_text("keep")
    result = eject(target)
    assert result.returncode == 3 and "not a directory" in result.stderr
    assert target.read_text() == "keep"

"""`monlab lab` at the command line, where no stack is needed: listing, usage errors, no Docker."""

from __future__ import annotations

import json
from monlab_cli import monlab


def test_list_names_the_six_sections():
    done = monlab("lab", "list", "--json")
    assert done.returncode == 0
    assert [s["name"] for s in json.loads(done.stdout)] == [
        "reliability", "performance", "capacity", "security", "business", "improvement"]
    assert "§4" in monlab("lab", "list").stdout


def test_an_unknown_section_is_a_usage_error_listing_the_sections():
    done = monlab("lab", "uptime")
    assert done.returncode == 2
    assert "reliability" in done.stderr and "improvement" in done.stderr and "Traceback" not in done.stderr


def test_an_app_dir_without_app_py_is_a_usage_error(tmp_path):
    done = monlab("lab", "improvement", "--app", str(tmp_path))
    assert done.returncode == 2 and "monlab app eject" in done.stderr
    (tmp_path / "app.py").write_text("")
    done = monlab("lab", "business", "--app", str(tmp_path))
    assert done.returncode == 2 and "only the improvement section" in done.stderr


def test_docker_unreachable_is_exit_3_with_one_line_and_still_one_json_report(tmp_path):
    done = monlab("lab", "all", "--json", env={"DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"})
    assert done.returncode == 3
    assert done.stderr.startswith("Error: ") and len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    labs = json.loads(done.stdout)["labs"]  # issue 18: --json always prints one valid document
    assert all("Docker engine" in lab["checks"][0]["detail"] for lab in labs) and len(labs) == 6

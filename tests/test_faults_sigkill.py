"""Issue 17, Deliver 1: `up` SIGKILLed right after each of its runtime calls, in turn, and each time a
plain `up` ends with a ready stack and the `up` after it keeps everything. SIGKILL runs no handler and
no cleanup: whatever the killed `up` left half-done (a network without containers, a container set
aside, a new one created without its config files, never started) the next `up` must find by
looking, not by its labels.

The state each killed `up` starts from makes it do everything once: the network is gone (a cleanup
script), the app container is gone, and Prometheus, attached to the old network, must be recreated.
So the calls killed after include creating the network, creating, uploading into and starting a
container, and every step of a recreate (stop, rename aside, create, upload, start, remove the old).
One offline stack for the whole test, cleaned by label. Duration: ~12 s per kill, ~4-5 min in all."""

from __future__ import annotations

import json

import pytest

from monlab.prometheus_api import PrometheusAPI
from monlab.stack.readiness import app_answers
from monlab.waiting import Outcome, poll

from fault_injection import monlab_with, sigkill_after_call, trace_runtime_calls
from test_stack_heal import monlab, stack  # noqa: F401  (one offline stack for this module)

pytestmark = pytest.mark.docker


def break_stack(docker_client, project):
    """No network, no app container; Prometheus still there, attached to nothing that exists."""
    docker_client.containers.get(f"{project}-app").remove(force=True)
    network = docker_client.networks.get(f"{project}-net")
    network.disconnect(f"{project}-prometheus", force=True)
    network.remove()


def calls_of_up(docker_client, project, up, tmp_path) -> list[str]:
    """The runtime calls one `up` from the broken state makes, up to its first look while waiting."""
    trace = tmp_path / "calls"
    process = monlab_with(trace_runtime_calls(trace), *up)
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-2000:]
    calls = trace.read_text().split()
    last_start = max(i for i, name in enumerate(calls) if name == "start")
    return calls[: last_start + 2]


def scrapes_the_app(offset: int) -> bool:
    """This Prometheus process (not the samples an earlier one left in the volume) scraped the app."""
    with PrometheusAPI(f"http://127.0.0.1:{9090 + offset}") as api:
        return any(t.job == "flask-app" and t.health == "up" for t in api.targets())


# Calls that change nothing on the engine. A kill after one leaves the state of the last change, so
# between two changes one kill per kind of read stands for all of them (keeps the test lean).
READS = {"container", "containers", "image_id", "image_tags", "network_id", "read_files", "refuse_foreign_container",
         "labelled_networks", "networks", "volumes", "images", "image_labels", "logs_tail", "engine_version"}


def kill_points(calls: list[str]) -> list[tuple[int, str]]:
    """(n, name) of each call to kill after: every change, and each kind of read once between changes."""
    points, read = [], set()
    for nth, name in enumerate(calls, start=1):
        if name in READS and name in read:
            continue
        read = read | {name} if name in READS else set()
        points.append((nth, name))
    return points


def test_kill_points_keep_every_change_and_one_read_of_a_kind_between_changes():
    calls = ["containers", "image_id", "image_id", "build_image", "image_id", "create_container", "start", "container", "container"]
    assert kill_points(calls) == [(1, "containers"), (2, "image_id"), (4, "build_image"), (5, "image_id"),
                                  (6, "create_container"), (7, "start"), (8, "container")]


def test_sigkill_after_every_runtime_call_of_up_is_healed_by_the_next_up(docker_client, stack, tmp_path):
    project, offset, up = stack
    break_stack(docker_client, project)
    calls = calls_of_up(docker_client, project, up, tmp_path)
    assert {"ensure_network", "create_container", "put_files", "rename_container", "stop", "remove_container"} <= set(calls)
    for nth, name in kill_points(calls):
        where = f"SIGKILL after call {nth} ({name})"
        break_stack(docker_client, project)
        killed = monlab_with(sigkill_after_call(nth), *up)
        killed.communicate(timeout=300)
        assert killed.returncode == -9, f"{where}: the kill did not happen (exit {killed.returncode})"
        plain = monlab(*up)
        assert plain.returncode == 0, f"{where}: {plain.stderr[-2000:]}"
        found = {c.name: c.status for c in docker_client.containers.list(all=True, filters={"label": f"monlab.project={project}"})}
        assert found == {f"{project}-app": "running", f"{project}-prometheus": "running"}, f"{where}: {found}"
        assert poll(lambda: Outcome(app_answers(f"http://127.0.0.1:{5000 + offset}")), 30, 0.5).done, where
        assert scrapes_the_app(offset), f"{where}: Prometheus does not scrape the app"
        again = monlab(*up, "--json")
        assert again.returncode == 0, f"{where}: {again.stderr[-2000:]}"
        assert json.loads(again.stdout)["actions"] == ["keep app", "keep prometheus"], where

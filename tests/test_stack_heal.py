"""Issue 17 on the real engine: `up` converges on what is, not on what labels say. A paused
container, a removed network, a config file inside Prometheus that is not the render, and a recreate
whose new container cannot start: each is repaired (or the old container kept running) by a plain
`up`, and the `up` after that keeps everything. One offline stack for the module, cleaned by label."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import uuid

import pytest

from monlab.stack.readiness import app_answers
from monlab.waiting import Outcome, poll

from labelled_projects import free_offset, remove_labelled
from monlab_cli import monlab

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def stack(docker_client):
    project = f"wt17-heal-{uuid.uuid4().hex[:8]}"
    offset = free_offset()
    up = ["up", "--offline", "--project", project, "--port-offset", str(offset)]
    try:
        first = monlab(*up)
        assert first.returncode == 0, first.stderr
        yield project, offset, up
    finally:
        remove_labelled(docker_client, project)


def actions(up):
    result = monlab(*up, "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout)["actions"]


def containers(docker_client, project):
    found = docker_client.containers.list(all=True, filters={"label": f"monlab.project={project}"})
    return {c.name: (c.id, c.status) for c in found}


def assert_whole(docker_client, project, offset, up):
    names = containers(docker_client, project)
    assert sorted(names) == [f"{project}-app", f"{project}-prometheus"], names
    assert {status for _, status in names.values()} == {"running"}
    assert poll(lambda: Outcome(app_answers(f"http://127.0.0.1:{5000 + offset}")), 30, 0.5).done, "the app serves"
    assert actions(up) == ["keep app", "keep prometheus"], "a second up changes nothing"
    plain = ["up", "--offline", "--project", project]  # no --port-offset: the stack keeps its own ports
    assert actions(plain) == ["keep app", "keep prometheus"], "a plain up keeps the stack where it is"
    doctor = json.loads(monlab("doctor", "--json", "--project", project).stdout)
    [ports] = [c["detail"] for c in doctor["checks"] if c["check"] == "host ports"]
    assert ports.endswith(f": {5000 + offset}, {9090 + offset}, {3000 + offset}"), "doctor checks the stack's own ports"


def test_a_paused_app_is_unpaused_not_taken_for_a_stranger_on_its_port(docker_client, stack):
    project, offset, up = stack
    app = docker_client.containers.get(f"{project}-app")
    app.pause()
    assert actions(up) == ["unpause app", "keep prometheus"]
    assert docker_client.containers.get(f"{project}-app").id == app.id
    assert_whole(docker_client, project, offset, up)


def test_an_app_paused_until_docker_calls_it_unhealthy_is_unpaused_and_waited_for(docker_client, stack):
    """A long pause: Docker's healthcheck fails on the frozen app, and the `unhealthy` it reports
    after unpause is the verdict of a check before it; `up` waits for the next one."""
    project, offset, up = stack
    app = docker_client.containers.get(f"{project}-app")
    app.pause()
    try:
        seen = poll(lambda: Outcome(_health(docker_client, app.id) == "unhealthy"), timeout=60, interval=0.5)
        assert seen.done, "Docker never called the paused app unhealthy"
    except BaseException:
        app.unpause()
        raise
    assert actions(up) == ["unpause app", "keep prometheus"]
    assert _health(docker_client, app.id) == "healthy"
    assert_whole(docker_client, project, offset, up)


def _health(docker_client, container_id: str) -> str:
    return (docker_client.api.inspect_container(container_id)["State"].get("Health") or {}).get("Status", "")


def test_a_removed_network_is_made_again_and_the_containers_attached_to_it(docker_client, stack):
    project, offset, up = stack
    network = docker_client.networks.get(f"{project}-net")
    for container in docker_client.containers.list(filters={"label": f"monlab.project={project}"}):
        network.disconnect(container, force=True)
    network.remove()
    assert actions(up) == ["recreate app", "recreate prometheus"]
    assert_whole(docker_client, project, offset, up)


def test_a_prometheus_config_that_is_not_the_render_is_replaced(docker_client, stack):
    project, offset, up = stack
    prometheus = docker_client.containers.get(f"{project}-prometheus")
    prometheus.put_archive("/", _tar({"etc/prometheus/prometheus.yml": "global: {}\nscrape_configs: []\n"}))
    assert actions(up) == ["keep app", "recreate prometheus"]
    bits, _ = docker_client.containers.get(f"{project}-prometheus").get_archive("/etc/prometheus/prometheus.yml")
    assert b"flask-app" in b"".join(bits)
    assert_whole(docker_client, project, offset, up)


def test_a_recreate_whose_new_container_cannot_start_leaves_the_old_one_running(docker_client, stack, tmp_path):
    from monlab.resources import app_source_dir

    project, offset, up = stack
    before = containers(docker_client, project)
    broken = tmp_path / "app"
    shutil.copytree(app_source_dir(), broken)
    dockerfile = broken / "Dockerfile"
    dockerfile.write_text(dockerfile.read_text().replace(
        'CMD ["python3", "-m", "gunicorn"', 'CMD ["/no/such/program", "-m", "gunicorn"'))
    result = monlab(*up, "--app", str(broken))
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    assert containers(docker_client, project) == before, "the old app, under its own name, running again"
    assert_whole(docker_client, project, offset, up)


def _tar(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_teardown_removes_the_built_image_by_its_reference_never_a_derived_image_or_another_tag(docker_client, stack, tmp_path):
    """Last in this module: it tears the stack down. A student's `docker tag` of the app image and an
    image built FROM it (which inherits monlab's labels) both survive; monlab's reference is gone."""
    import docker.errors

    project, _, _ = stack
    ref = f"monlab/{project}-app:latest"
    app_image = docker_client.images.get(ref)
    copy_ref, derived_ref = f"wt17-copy-{project}:v1", f"wt17-derived-{project}:v1"
    app_image.tag(copy_ref)
    (tmp_path / "Dockerfile").write_text(f"FROM {ref}\nLABEL student.work=yes\n")
    derived, _ = docker_client.images.build(path=str(tmp_path), tag=derived_ref)
    try:
        assert derived.labels["monlab.project"] == project, "the derived image inherits monlab's labels"
        result = monlab("teardown", "--project", project)
        assert result.returncode == 0, result.stderr
        with pytest.raises(docker.errors.ImageNotFound):
            docker_client.images.get(ref)
        assert docker_client.images.get(copy_ref).id == app_image.id, "the other tag keeps the image"
        assert docker_client.images.get(derived_ref).id == derived.id
    finally:
        for leftover in (derived_ref, copy_ref):
            try:
                docker_client.images.remove(leftover)
            except docker.errors.ImageNotFound:
                pass

"""Issue 10, bullet 1 and 3 on the real engine: concurrent `up`s, healed duplicates, foreign names.

Every resource is found and removed by this test's own project label (plus the one unlabelled
network this file makes itself, removed by id)."""

import subprocess
import sys
import uuid

import pytest

from labelled_projects import free_offset, labelled, remove_labelled

pytestmark = pytest.mark.docker


def start(*args):
    return subprocess.Popen([sys.executable, "-m", "monlab", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finish(process, timeout=300):
    out, err = process.communicate(timeout=timeout)
    return process.returncode, err


def run(*args, timeout=300):
    result = subprocess.run([sys.executable, "-m", "monlab", *args], capture_output=True, text=True, timeout=timeout)
    return result.returncode, result.stderr


def project_name(topic):
    return f"monlabtest-{topic}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def project(docker_client, offline_images):
    name = project_name("conc")
    yield name
    remove_labelled(docker_client, name)


@pytest.fixture(scope="module")
def offline_images(docker_client):
    for ref in ("monlab/app-base:bookworm", "monlab/prometheus:bookworm"):
        if not docker_client.images.list(name=ref):
            code, err = run("images", "bootstrap", timeout=900)
            assert code == 0, err
    return True


def test_two_ups_started_together_ten_times_never_duplicate(docker_client, project):
    offset = str(free_offset())
    for round_ in range(10):
        both = [start("up", "--offline", "--project", project, "--port-offset", offset) for _ in range(2)]
        results = [finish(p) for p in both]
        assert [code for code, _ in results] == [0, 0], f"round {round_}: {results}"
        found = labelled(docker_client, project)
        assert sorted(found["networks"]) == [f"{project}-net"], f"round {round_}: {found}"
        assert sorted(found["containers"]) == [f"{project}-app", f"{project}-prometheus"], f"round {round_}: {found}"
    running = docker_client.containers.list(filters={"label": f"monlab.project={project}", "status": "running"})
    assert len(running) == 2


def test_different_projects_run_in_parallel(docker_client, offline_images):
    names = [project_name("par") for _ in range(2)]
    try:
        both = [start("up", "--offline", "--project", n, "--port-offset", str(free_offset())) for n in names]
        results = [finish(p) for p in both]
        assert [code for code, _ in results] == [0, 0], results
    finally:
        for name in names:
            remove_labelled(docker_client, name)


def test_duplicate_networks_are_healed_by_up_and_removed_by_teardown(docker_client, project):
    labels = {"monlab.project": project}
    for _ in range(2):
        docker_client.api.create_network(f"{project}-net", driver="bridge", labels=labels, check_duplicate=False)
    code, err = run("up", "--offline", "--project", project, "--port-offset", str(free_offset()))
    assert code == 0, err
    assert labelled(docker_client, project)["networks"] == [f"{project}-net"]
    docker_client.api.create_network(f"{project}-net", driver="bridge", labels=labels, check_duplicate=False)
    code, err = run("teardown", "--project", project)
    assert code == 0, err
    assert labelled(docker_client, project) == {"containers": [], "networks": [], "volumes": [], "images": []}


def test_a_foreign_network_holding_the_name_is_named_and_left_alone(docker_client, project):
    foreign = docker_client.api.create_network(f"{project}-net", driver="bridge")["Id"]
    try:
        code, err = run("up", "--offline", "--project", project, "--port-offset", str(free_offset()))
        assert code == 3, err
        assert f"{project}-net" in err and "did not make" in err and foreign[:12] in err
        assert "Traceback" not in err
        assert docker_client.networks.get(foreign).id == foreign
        assert labelled(docker_client, project)["containers"] == []
    finally:
        docker_client.api.remove_network(foreign)


def test_a_foreign_container_holding_the_name_is_named_and_left_alone(docker_client, project):
    foreign = docker_client.api.create_container("monlab/app-base:bookworm", command=["true"], name=f"{project}-app")["Id"]
    try:
        code, err = run("up", "--offline", "--project", project, "--port-offset", str(free_offset()))
        assert code == 3, err
        assert f"{project}-app" in err and "did not make" in err
        assert "Traceback" not in err and "to be able to ." not in err
        assert docker_client.api.inspect_container(foreign)["Id"] == foreign
    finally:
        docker_client.api.remove_container(foreign, force=True)

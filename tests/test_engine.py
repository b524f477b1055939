"""Engine facts, one row per engine, from the engines' own answers: /version and /info as Debian 12's
docker.io 20.10 and podman 4.3 gave them on this machine (trimmed to the fields monlab reads and
their neighbours), and the /images/load answers both gave for the same two-image `docker save` tar."""

from __future__ import annotations

import pytest

from monlab.engine import DOCKER, PODMAN, facts_from, load_error, loaded_names, looks_like_podman, retags_after_load

DOCKER_VERSION = {
    "Platform": {"Name": ""},
    "Components": [
        {"Name": "Engine", "Version": "20.10.24+dfsg1", "Details": {"ApiVersion": "1.41", "MinAPIVersion": "1.12"}},
        {"Name": "containerd", "Version": "1.6.20~ds1", "Details": {"GitCommit": "1.6.20~ds1-1+deb12u3"}},
        {"Name": "runc", "Version": "1.1.5+ds1", "Details": {"GitCommit": "1.1.5+ds1-1+deb12u1"}},
        {"Name": "docker-init", "Version": "0.19.0", "Details": {"GitCommit": ""}},
    ],
    "Version": "20.10.24+dfsg1", "ApiVersion": "1.41", "MinAPIVersion": "1.12", "Os": "linux", "Arch": "amd64",
}
PODMAN_VERSION = {
    "Platform": {"Name": "linux/amd64/debian-12"},
    "Components": [
        {"Name": "Podman Engine", "Version": "4.3.1", "Details": {"APIVersion": "4.3.1", "MinAPIVersion": "4.0.0"}},
        {"Name": "Conmon", "Version": "conmon version 2.1.6, commit: unknown", "Details": {"Package": "conmon_2.1.6+ds1-1_amd64"}},
        {"Name": "OCI Runtime (runc)", "Version": "runc version 1.1.5+ds1", "Details": {"Package": "runc_1.1.5+ds1-1+deb12u1_amd64"}},
    ],
    "Version": "4.3.1", "ApiVersion": "1.41", "MinAPIVersion": "1.24", "Os": "linux", "Arch": "amd64",
}
ROOTFUL_INFO = {"SecurityOptions": ["name=seccomp,profile=default"]}
# Docker rootless adds a security option (moby daemon/info.go); Podman 4.3's compat /info, seen here
# from a rootless `podman system service`, keeps the options and says it in a field of its own.
ROOTLESS_INFO = {"SecurityOptions": ["name=seccomp,profile=default", "name=rootless"]}
PODMAN_ROOTLESS_INFO = {"SecurityOptions": ["name=seccomp,profile=default"], "Rootless": True,
                        "DockerRootDir": "/home/wt20rootless/.local/share/containers/storage"}


@pytest.mark.parametrize("version, info, name, number, rootless, described, load_prefix", [
    (DOCKER_VERSION, ROOTFUL_INFO, DOCKER, "20.10.24+dfsg1", False, "Docker 20.10.24+dfsg1 (API 1.41)", ""),
    (DOCKER_VERSION, ROOTLESS_INFO, DOCKER, "20.10.24+dfsg1", True, "Docker 20.10.24+dfsg1 (API 1.41, rootless)", ""),
    (PODMAN_VERSION, ROOTFUL_INFO, PODMAN, "4.3.1", False, "Podman 4.3.1 (API 1.41)", "localhost/"),
    (PODMAN_VERSION, PODMAN_ROOTLESS_INFO, PODMAN, "4.3.1", True, "Podman 4.3.1 (API 1.41, rootless)", "localhost/"),
    ({}, None, DOCKER, "?", False, "Docker ? (API ?)", ""),  # an engine that says nothing is not guessed to be Podman
])
def test_facts_per_engine(version, info, name, number, rootless, described, load_prefix):
    facts = facts_from(version, info)
    assert (facts.name, facts.version, facts.rootless) == (name, number, rootless)
    assert facts.describe() == described
    assert facts.short_names_load_as == load_prefix
    assert facts.is_podman is (name == PODMAN)


@pytest.mark.parametrize("version, info, runs", [
    (DOCKER_VERSION, {**ROOTFUL_INFO, "CgroupDriver": "cgroupfs"}, True),  # dockerd runs them itself (seen here)
    (DOCKER_VERSION, {**ROOTFUL_INFO, "CgroupDriver": "systemd"}, True),
    # Podman runs them through systemd timers: a service on cgroupfs (no systemd, as on these
    # machines: its compat /info says cgroupfs) leaves every container's health "starting" for good
    (PODMAN_VERSION, {**ROOTFUL_INFO, "CgroupDriver": "cgroupfs"}, False),
    (PODMAN_VERSION, {**ROOTFUL_INFO, "CgroupDriver": "systemd"}, True),
], ids=["docker-cgroupfs", "docker-systemd", "podman-cgroupfs", "podman-systemd"])
def test_whether_the_engine_runs_healthchecks(version, info, runs):
    assert facts_from(version, info).runs_healthchecks is runs


@pytest.mark.parametrize("answer, names", [
    # Docker: one line per image
    ([{"stream": "Loaded image: wt20tiny/img:t1\n"}, {"stream": "Loaded image: wt20tiny/two:t3\n"}],
     ["wt20tiny/img:t1", "wt20tiny/two:t3"]),
    # Podman 4.3: one line naming them all, comma-joined (docker-py's images.load asks for that whole
    # line as one name: "normalizing name for compat API: invalid reference format")
    ([{"stream": "Loaded image: localhost/wt20tiny/img:t1,localhost/wt20tiny/two:t3"}],
     ["localhost/wt20tiny/img:t1", "localhost/wt20tiny/two:t3"]),
    ([{"stream": "Loaded image ID: sha256:94cdcda50499\n"}], ["sha256:94cdcda50499"]),  # untagged, Docker
    ([{"status": "Loading layer", "progressDetail": {}}], []),
])
def test_loaded_names_from_each_engines_answer(answer, names):
    assert loaded_names(answer) == names
    assert load_error(answer) == ""


def test_a_load_error_is_the_engines_own_words():
    answer = [{"errorDetail": {"message": "unexpected EOF"}, "error": "unexpected EOF"}]
    assert load_error(answer) == "unexpected EOF"


@pytest.mark.parametrize("engine, tags, retags", [
    (facts_from(DOCKER_VERSION), ["python:3.12-slim", "monlab/app-base:bookworm"], []),  # Docker reads docker.io itself
    (facts_from(PODMAN_VERSION), ["python:3.12-slim", "prom/prometheus:v3.13.4", "monlab/app-base:bookworm"],
     [("localhost/python:3.12-slim", "docker.io/library/python:3.12-slim"),
      ("localhost/prom/prometheus:v3.13.4", "docker.io/prom/prometheus:v3.13.4"),
      ("localhost/monlab/app-base:bookworm", "docker.io/monlab/app-base:bookworm")]),
    # a tar Podman saved keeps the registry: nothing to add; another registry is never rewritten
    (facts_from(PODMAN_VERSION), ["docker.io/library/python:3.12-slim", "mirror.school:5000/grafana/grafana:12.4.10"], []),
])
def test_retags_after_load(engine, tags, retags):
    assert retags_after_load(engine, tags) == retags


@pytest.mark.parametrize("address, podman", [
    ("unix:///run/podman/podman.sock", True),
    ("unix:///run/user/1000/podman/podman.sock", True),
    ("unix:///run/monlab-podman.sock", True),
    ("unix:///var/run/docker.sock", False),
    ("tcp://127.0.0.1:2375", False),
])
def test_podman_sockets_are_recognised_for_advice(address, podman):
    assert looks_like_podman(address) is podman

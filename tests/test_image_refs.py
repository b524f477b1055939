"""Image references: the pins, overrides from the environment and from --image, and why a pull failed."""

from __future__ import annotations

import pytest

from monlab.image_refs import BadImageOverride, env_key, normalized, resolve, same_image
from monlab.project import OFFLINE_IMAGES, ONLINE_IMAGES
from monlab.pull_errors import classify, pull_error


def test_pins_are_on_the_supported_lines_and_fully_qualified():
    assert ONLINE_IMAGES["prometheus"].startswith("docker.io/prom/prometheus:v3.13.")
    assert ONLINE_IMAGES["grafana"].startswith("docker.io/grafana/grafana:12.4.")
    assert ONLINE_IMAGES["app-base"] == "docker.io/library/python:3.12-slim"
    assert all(normalized(ref) == ref for ref in ONLINE_IMAGES.values()), "no engine may guess the registry"


# Docker's normalisation (distribution/reference ParseNormalizedNamed), which Docker's RepoTags undo and Podman's keep.
@pytest.mark.parametrize("ref, full", [
    ("python:3.12-slim", "docker.io/library/python:3.12-slim"),
    ("docker.io/python:3.12-slim", "docker.io/library/python:3.12-slim"),
    ("index.docker.io/library/python:3.12-slim", "docker.io/library/python:3.12-slim"),
    ("prom/prometheus:v3.13.4", "docker.io/prom/prometheus:v3.13.4"),
    ("grafana/grafana", "docker.io/grafana/grafana:latest"),
    ("grafana/grafana@sha256:" + "a" * 64, "docker.io/grafana/grafana@sha256:" + "a" * 64),
    ("mirror.school:5000/grafana/grafana:12.4.11", "mirror.school:5000/grafana/grafana:12.4.11"),
    ("mirror.school:5000/python", "mirror.school:5000/python:latest"),
    ("ghcr.io/org/img:1", "ghcr.io/org/img:1"),
    ("localhost/monlab/app-base:bookworm", "localhost/monlab/app-base:bookworm"),
    ("monlab/app-base:bookworm", "docker.io/monlab/app-base:bookworm"),
])
def test_references_compare_in_their_fully_qualified_form(ref, full):
    assert normalized(ref) == full
    assert same_image(ref, full)


def test_different_registries_are_different_images():
    assert not same_image("mirror.school:5000/grafana/grafana:12.4.10", "grafana/grafana:12.4.10")
    assert not same_image("localhost/monlab/app-base:bookworm", "monlab/app-base:bookworm")


@pytest.mark.parametrize("options, environ, online, overridden", [
    ((), {}, ONLINE_IMAGES, {}),
    ((), {"MONLAB_IMAGE_GRAFANA": "mirror.school:5000/grafana/grafana:12.4.11"},
     {**ONLINE_IMAGES, "grafana": "mirror.school:5000/grafana/grafana:12.4.11"}, {"grafana": "MONLAB_IMAGE_GRAFANA"}),
    (("app-base=python:3.13-slim",), {"MONLAB_IMAGE_APP_BASE": "python:3.12-bookworm"},
     {**ONLINE_IMAGES, "app-base": "python:3.13-slim"}, {"app-base": "--image"}),
    (("Prometheus = prom/prometheus:v3.13.5",), {"MONLAB_IMAGE_PROMETHEUS": "  "},
     {**ONLINE_IMAGES, "prometheus": "prom/prometheus:v3.13.5"}, {"prometheus": "--image"}),
    (("grafana=grafana/grafana@sha256:" + "a" * 64,), {},
     {**ONLINE_IMAGES, "grafana": "grafana/grafana@sha256:" + "a" * 64}, {"grafana": "--image"}),
])
def test_overrides_apply_over_the_pins(options, environ, online, overridden):
    refs = resolve(options, environ)
    assert refs.online == online
    assert refs.overridden == overridden
    assert refs.for_mode(offline=True) == OFFLINE_IMAGES, "offline never uses an online override"


@pytest.mark.parametrize("options, environ, says", [
    (("grafana",), {}, "KEY=REF"),
    (("grafana=",), {}, "KEY=REF"),
    (("alertmanager=prom/alertmanager:v0.28.1",), {}, "unknown image 'alertmanager'"),
    (("grafana=Grafana/Grafana:12",), {}, "not a Docker image reference"),
    (("grafana=grafana/grafana:12 ; rm -rf /",), {}, "not a Docker image reference"),
    ((), {"MONLAB_IMAGE_GRAFANA": "http://x/y"}, "MONLAB_IMAGE_GRAFANA"),
])
def test_bad_overrides_are_refused_with_what_to_write(options, environ, says):
    with pytest.raises(BadImageOverride) as caught:
        resolve(options, environ)
    assert says in str(caught.value)


def test_env_key_names():
    assert [env_key(k) for k in ONLINE_IMAGES] == ["MONLAB_IMAGE_APP_BASE", "MONLAB_IMAGE_PROMETHEUS", "MONLAB_IMAGE_GRAFANA"]


# Messages as the Docker engine reports them (moby's distribution errors and Go's net package).
@pytest.mark.parametrize("message, kind", [
    ('Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io on 10.255.255.53:53: no such host',
     "no-registry"),
    ('Get "https://registry-1.docker.io/v2/": dial tcp 54.236.113.205:443: connect: connection refused', "no-registry"),
    ('Get "https://registry-1.docker.io/v2/": net/http: request canceled while waiting for connection '
     "(Client.Timeout exceeded while awaiting headers)", "no-registry"),
    ("manifest for prom/prometheus:v3.99.0 not found: manifest unknown: manifest unknown", "tag-missing"),
    ("toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating "
     "and upgrading: https://www.docker.com/increase-rate-limit", "rate-limited"),
    ("pull access denied for grafana/grafana-private, repository does not exist or may require 'docker login': "
     "denied: requested access to the resource is denied", "auth-required"),
    ("Head \"https://mirror.school/v2/grafana/grafana/manifests/12.4.10\": unauthorized: authentication required",
     "auth-required"),
    ("something nobody has seen", "unknown"),
])
def test_pull_failures_are_told_apart(message, kind):
    assert classify(message).kind == kind


@pytest.mark.parametrize("message, must, must_not", [
    ("dial tcp: lookup registry-1.docker.io: no such host", ["no container registry is reachable", "monlab images bootstrap", "--offline"], []),
    ("manifest for grafana/grafana:12.4.99 not found: manifest unknown", ["tag does not exist", "--image"], ["--offline"]),
    ("toomanyrequests: You have reached your pull rate limit.", ["rate limit", "docker login"], ["--offline"]),
    ("unauthorized: authentication required", ["requires authentication", "docker login"], ["--offline"]),
])
def test_each_failure_is_one_sentence_with_its_own_fix(message, must, must_not):
    line = pull_error("grafana/grafana:12.4.99", message).one_line()
    assert line.startswith("Cannot pull grafana/grafana:12.4.99: ") and "\n" not in line
    for words in must:
        assert words in line
    for words in must_not:
        assert words not in line

"""The desired stack as data: names, labels, ports, volumes and the config hash."""

import pytest

from monlab.project import LABEL_CONFIG_HASH, LABEL_PROJECT, LABEL_SERVICE, Project
from monlab.stack.spec import (
    GRAFANA_OFFLINE_NOTE, LABEL_GRAFANA_PASSWORD, LABEL_GRAFANA_RULES, LABEL_IMAGE_OVERRIDES, LABEL_MODE, ImageChoice, StackOptions, desired_stack,
    stack_spec,
)

RENDERED = {
    "prometheus": {"prometheus.yml": "global: {}\n", "rules/a.yml": "groups: []\n"},
    "grafana": {"provisioning/datasources/ds.yml": "apiVersion: 1\n", "dashboards/d.json": "{}"},
}
IMAGES = {
    "app": ImageChoice("monlab/p-app:latest", "sha256:app1"),
    "prometheus": ImageChoice("prom/prometheus:v3.13.4", "sha256:prom1"),
    "grafana": ImageChoice("grafana/grafana:12.4.0", "sha256:graf1"),
}
ONLINE = StackOptions(offline=False, grafana_password="s3cret")


def spec_for(project=Project("p"), rendered=RENDERED, images=IMAGES, options=ONLINE):
    return desired_stack(project, rendered, images, options)


def test_services_names_labels_and_network():
    spec = spec_for(Project("p"))
    assert [s.service for s in spec.services] == ["app", "prometheus", "grafana"]
    for service in spec.services:
        create = service.create
        assert create.name == f"p-{service.service}"
        assert create.labels[LABEL_PROJECT] == "p" and create.labels[LABEL_SERVICE] == service.service
        assert create.labels[LABEL_CONFIG_HASH] == service.config_hash
        assert create.network == "p-net" and create.network_alias == service.service
    assert all(labels[LABEL_PROJECT] == "p" for labels in spec.volumes.values())


def test_ports_carry_offset_and_bind():
    spec = spec_for(Project("p", bind="0.0.0.0", port_offset=123))
    ports = {s.service: s.create.ports for s in spec.services}
    assert ports == {"app": {5000: ("0.0.0.0", 5123)}, "prometheus": {9090: ("0.0.0.0", 9213)}, "grafana": {3000: ("0.0.0.0", 3123)}}


def test_no_bind_mounts_only_the_projects_named_volumes():
    spec = spec_for()
    mounts = {name: target for s in spec.services for name, target in s.create.volumes.items()}
    assert mounts == {"p-prometheus-v3-data": "/prometheus", "p-grafana-data": "/var/lib/grafana"}
    assert set(mounts) == set(spec.volumes)
    assert not any(name.startswith(("/", ".", "~")) for name in mounts)


def test_config_goes_in_as_files_under_the_service_roots():
    spec = spec_for()
    assert set(spec.service("prometheus").files) == {"/etc/prometheus/prometheus.yml", "/etc/prometheus/rules/a.yml"}
    assert set(spec.service("grafana").files) == {
        "/etc/grafana/provisioning/datasources/ds.yml", "/etc/grafana/dashboards/d.json"}
    assert spec.service("app").files == {}


def test_prometheus_command_repeats_config_and_storage_and_leaves_lifecycle_closed():
    command = spec_for().service("prometheus").create.command
    assert "--config.file=/etc/prometheus/prometheus.yml" in command
    assert "--storage.tsdb.path=/prometheus" in command
    assert "--web.enable-lifecycle" not in command, "it would open an unauthenticated POST /-/quit"
    assert any(arg.startswith("--storage.tsdb.retention.time=") for arg in command)


def test_grafana_login_is_the_projects_password_and_anonymous_viewer():
    spec = spec_for()
    env = spec.service("grafana").create.environment
    assert env["GF_SECURITY_ADMIN_PASSWORD"] == "s3cret"
    assert env["GF_AUTH_ANONYMOUS_ENABLED"] == "true" and env["GF_AUTH_ANONYMOUS_ORG_ROLE"] == "Viewer"
    assert spec.volumes["p-grafana-data"][LABEL_GRAFANA_PASSWORD] == "s3cret"


@pytest.mark.parametrize("project, root_url", [
    (Project("p"), "http://127.0.0.1:3000/"),
    (Project("p", port_offset=7), "http://127.0.0.1:3007/"),
    (Project("p", bind="127.0.0.5", port_offset=100), "http://127.0.0.5:3100/"),
    (Project("p", bind="0.0.0.0"), "http://127.0.0.1:3000/"),
])
def test_grafana_root_url_follows_bind_and_port_offset(project, root_url):
    assert spec_for(project).service("grafana").create.environment["GF_SERVER_ROOT_URL"] == root_url


@pytest.mark.parametrize("bind, root_url", [
    ("0.0.0.0", "http://192.0.2.7:3000/"),  # bound to all interfaces: the links must work from elsewhere
    ("::", "http://[2001:db8::7]:3000/"),
    ("127.0.0.1", "http://127.0.0.1:3000/"),  # a specific address is already the one to use
])
def test_grafana_links_use_the_public_host_when_bound_to_all_interfaces(bind, root_url):
    host = "2001:db8::7" if ":" in bind else "192.0.2.7"
    spec = stack_spec(Project("p", bind=bind), False, IMAGES, "s3cret", public_host=host if bind in ("0.0.0.0", "::") else "")
    assert spec.service("grafana").create.environment["GF_SERVER_ROOT_URL"] == root_url
    alerts = spec.service("prometheus").files
    assert any(root_url.rstrip("/") in text for text in alerts.values()), "the alerts' dashboard links too"


@pytest.mark.parametrize("offline, volume", [(True, "p-prometheus-data"), (False, "p-prometheus-v3-data")])
def test_each_mode_keeps_its_prometheus_data_in_its_own_volume(offline, volume):
    images = {k: v for k, v in IMAGES.items() if not (offline and k == "grafana")}
    spec = spec_for(images=images, options=StackOptions(offline=offline, grafana_password="s3cret"))
    assert spec.service("prometheus").create.volumes == {volume: "/prometheus"}
    assert spec.volumes[volume][LABEL_MODE] == ("offline" if offline else "online")


def test_grafana_carries_every_rule_uid_it_was_given():
    spec = spec_for(options=StackOptions(grafana_password="s3cret", grafana_rule_uids=("monlab-a-1", "monlab-b-2")))
    assert spec.service("grafana").create.labels[LABEL_GRAFANA_RULES] == "monlab-a-1,monlab-b-2"
    assert spec.service("prometheus").create.labels[LABEL_GRAFANA_RULES] == "monlab-a-1,monlab-b-2", "outlives an offline spell"


def test_offline_stack_has_no_grafana():
    spec = spec_for(images={k: v for k, v in IMAGES.items() if k != "grafana"}, options=StackOptions(offline=True))
    assert [s.service for s in spec.services] == ["app", "prometheus"]
    assert set(spec.volumes) == {"p-prometheus-data"}, "the volume offline stacks always had"
    assert "offline" in GRAFANA_OFFLINE_NOTE


def test_hash_is_stable_for_the_same_inputs():
    assert spec_for().hashes == spec_for().hashes


@pytest.mark.parametrize("change, changed", [
    (dict(rendered={**RENDERED, "prometheus": {**RENDERED["prometheus"], "rules/a.yml": "groups: [x]\n"}}), {"prometheus"}),
    (dict(images={**IMAGES, "app": ImageChoice("monlab/p-app:latest", "sha256:app2")}), {"app"}),
    (dict(project=Project("p", port_offset=1)), {"app", "prometheus", "grafana"}),
    (dict(options=StackOptions(grafana_password="other")), {"grafana"}),
    (dict(options=StackOptions(grafana_password="s3cret", grafana_rule_uids=("monlab-gone-1",))), {"prometheus", "grafana"}),
    (dict(options=StackOptions(grafana_password="s3cret", image_overrides="grafana=g/g:1")), {"app", "prometheus", "grafana"}),
])
def test_hash_changes_exactly_where_the_input_changed(change, changed):
    before, after = spec_for().hashes, spec_for(**change).hashes
    assert {s for s in before if before[s] != after[s]} == changed


def test_image_overrides_are_recorded_on_every_container_and_absent_without_any():
    spec = spec_for(options=StackOptions(grafana_password="s3cret", image_overrides="grafana=g/g:1"))
    assert {s.create.labels[LABEL_IMAGE_OVERRIDES] for s in spec.services} == {"grafana=g/g:1"}
    assert all(LABEL_IMAGE_OVERRIDES not in s.create.labels for s in spec_for().services), "stacks on the pins keep their hashes"


def test_the_desired_state_is_a_docker_free_pure_module():
    """The spec and the plan are computed without the docker SDK or the runtime ever being imported."""
    import subprocess
    import sys

    code = ("import sys; from monlab.project import Project; from monlab.stack.spec import ImageChoice, stack_spec; "
            "import monlab.stack.plan; "
            "stack_spec(Project('p'), True, {k: ImageChoice(k, 'sha256:' + k) for k in ('app', 'prometheus')}, ''); "
            "print(sorted(m for m in sys.modules if m == 'docker' or m.startswith(('docker.', 'monlab.docker'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _running(bind: str, offset: int) -> list:
    from monlab.docker_runtime import ContainerRecord
    from monlab.stack.spec import LABEL_BIND, LABEL_PORT_OFFSET

    return [ContainerRecord("c1", "p-app", "running", {LABEL_BIND: bind, LABEL_PORT_OFFSET: str(offset)}, "sha256:a")]


@pytest.mark.parametrize("records, bind, offset, wanted", [
    ([], None, None, ("127.0.0.1", 0)),  # a new stack: the defaults
    (_running("127.0.0.1", 40), None, None, ("127.0.0.1", 40)),  # a plain up keeps the stack where it is
    (_running("0.0.0.0", 40), None, 0, ("0.0.0.0", 0)),  # what the options say wins
    (_running("127.0.0.1", 40), "::1", None, ("::1", 40)),
    ([], "127.0.0.5", 7, ("127.0.0.5", 7)),
], ids=["new", "kept", "offset-given", "bind-given", "new-with-options"])
def test_up_keeps_the_stacks_own_ports_unless_told(records, bind, offset, wanted):
    """A newcomer's `up --project nc` moved a stack running at --port-offset 40 to the default ports."""
    from monlab.stack.observed import project_for_up

    project = project_for_up(records, "p", bind, offset)
    assert (project.name, project.bind, project.port_offset) == ("p", *wanted)

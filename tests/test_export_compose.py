"""`monlab export compose DIR`: the stack of `monlab up` as a Compose project.

Pure cases check the renderer against the StackSpec it is derived from; Debian's docker-compose 1.29
checks the file parses and interpolates; the e2e test starts it on the offline images and runs
`monlab status`, labs (by URL and by project) and `monlab teardown` on it.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import uuid
from functools import partial

import pytest
import yaml

from conftest import require
from labelled_projects import remove_labelled
from monlab.export.compose import ENV_FILE, PASSWORD_VARIABLE, AppBuild, compose_export
from monlab.export.source import export_spec
from monlab.export.write import write_export
from monlab.project import LABEL_CONFIG_HASH, Project
from monlab.prometheus_api import PrometheusAPI
from monlab.stack.spec import ImageChoice, StackOptions, desired_stack
from monlab.waiting import Outcome, poll
from monlab_cli import monlab as run_monlab

BUILD = AppBuild("app", "./app", "monlab/app-base:bookworm")
PASSWORD = "pw-Very$ecret-123"


monlab = partial(run_monlab, columns=200)


def rendered(project: Project, offline: bool, password: str = PASSWORD):
    spec = export_spec(project, offline, "" if offline else password)
    files = compose_export(spec, BUILD, "" if offline else password, {"Dockerfile": "FROM scratch\n"})
    return spec, files, yaml.safe_load(files["compose.yaml"].text)


CASES = [
    pytest.param(Project("classroom"), False, id="online-defaults"),
    pytest.param(Project("classroom"), True, id="offline"),
    pytest.param(Project("p.1_x", bind="0.0.0.0", port_offset=123), False, id="all-interfaces-offset"),
    pytest.param(Project("v6", bind="::1", port_offset=7), True, id="ipv6-loopback"),
]


@pytest.mark.parametrize("project, offline", CASES)
def test_services_and_names_are_those_of_up(project, offline):
    spec, _, doc = rendered(project, offline)
    assert list(doc["services"]) == [s.service for s in spec.services]
    for service in spec.services:
        out, create = doc["services"][service.service], service.create
        assert out["container_name"] == create.name and out["image"] == create.image
        assert out.get("command", []) == create.command
        assert out["labels"] == {k: v for k, v in create.labels.items() if k != LABEL_CONFIG_HASH}
        assert out["networks"] == {"monlab": {"aliases": [service.service]}}
    assert doc["networks"] == {"monlab": {"name": spec.network, "labels": project.labels()}}
    assert {v["name"] for v in doc["volumes"].values()} == set(spec.volumes)
    assert ("grafana" in doc["services"]) is (not offline)


@pytest.mark.parametrize("project, offline", CASES)
def test_ports_are_ups_host_ports_on_the_bind_address(project, offline):
    spec, _, doc = rendered(project, offline)
    for service in spec.services:
        ((port, (bind, host_port)),) = service.create.ports.items()
        host = f"[{bind}]" if ":" in bind else bind
        assert doc["services"][service.service]["ports"] == [f"{host}:{host_port}:{port}"]
        assert host_port == project.host_port(service.service)


@pytest.mark.parametrize("project, offline", CASES)
def test_every_config_file_reaches_the_container_path_up_writes_it_to(project, offline):
    spec, files, doc = rendered(project, offline)
    for service in spec.services:
        reached = {}
        for volume in doc["services"][service.service].get("volumes", []):
            source, target, *mode = volume.split(":")
            if not source.startswith("./"):
                assert source in doc["volumes"]  # a named data volume
                continue
            assert mode == ["ro"]
            source = source.removeprefix("./")
            for path, file in files.items():
                if path == source:
                    reached[target] = file.text
                elif path.startswith(source + "/"):
                    reached[f"{target}/{path.removeprefix(source + '/')}"] = file.text
        assert reached == service.files


@pytest.mark.parametrize("project, offline", CASES)
def test_the_grafana_password_is_in_the_private_env_file_only(project, offline):
    _, files, doc = rendered(project, offline)
    assert PASSWORD not in files["compose.yaml"].text
    env = files[ENV_FILE]
    assert env.mode == 0o600 and f"COMPOSE_PROJECT_NAME={project.name}" in env.text
    if offline:
        assert PASSWORD not in env.text
        return
    assert f"{PASSWORD_VARIABLE}={PASSWORD}" in env.text
    variable = "${%s}" % PASSWORD_VARIABLE
    assert doc["services"]["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"] == variable
    assert doc["volumes"]["grafana-data"]["labels"]["monlab.grafana-password"] == variable


def test_the_app_image_is_built_by_compose_with_ups_base_and_labels():
    _, files, doc = rendered(Project("b"), True)
    assert doc["services"]["app"]["build"] == {
        "context": "./app", "args": {"BASE_IMAGE": "monlab/app-base:bookworm"},
        "labels": {**Project("b").labels("app"), "monlab.built-as": Project("b").app_image}}
    assert "app/Dockerfile" in files


def test_a_literal_dollar_is_escaped_so_compose_keeps_it():
    spec = desired_stack(Project("d"), {"prometheus": {"prometheus.yml": ""}, "grafana": {}},
                         {k: ImageChoice(f"img/{k}", "") for k in ("app", "prometheus", "grafana")},
                         StackOptions(offline=True, retention="15d$HOME"))
    doc = yaml.safe_load(compose_export(spec, BUILD, "", {})["compose.yaml"].text)
    assert "--storage.tsdb.retention.time=15d$$HOME" in doc["services"]["prometheus"]["command"]


def test_written_modes_let_the_containers_read_and_keep_the_secret_private(tmp_path):
    _, files, _ = rendered(Project("m"), False)
    os.umask(0o077)  # the strictest umask a user may have
    try:
        write_export(tmp_path / "out", files)
    finally:
        os.umask(0o022)
    out = tmp_path / "out"
    assert stat.S_IMODE((out / ENV_FILE).stat().st_mode) == 0o600
    for path in [out / "prometheus", out / "prometheus" / "rules", out / "grafana" / "provisioning" / "datasources"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "prometheus" / "prometheus.yml").stat().st_mode) == 0o644


def test_re_export_keeps_the_password_and_refuses_foreign_directories(tmp_path):
    out = tmp_path / "out"
    assert monlab("export", "compose", str(out), "-p", "keep").returncode == 0
    first = (out / ENV_FILE).read_text()
    (out / "grafana" / "stale.yml").write_text("left over")  # not written by the export: must stay
    done = monlab("export", "compose", str(out), "-p", "keep", "--port-offset", "5")
    assert done.returncode == 0, done.stderr
    assert (out / ENV_FILE).read_text() == first and (out / "grafana" / "stale.yml").exists()
    assert "127.0.0.1:5005:5000" in (out / "compose.yaml").read_text()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("x")
    done = monlab("export", "compose", str(tmp_path / "mine"))
    assert done.returncode == 3 and "no previous monlab export" in done.stderr


@pytest.mark.parametrize("args, says", [
    (["--bind", "localhost:80"], "not an IP address"),
    (["--project", "Bad Name"], "not usable"),
    (["--port-offset", "60000"], "out of range"),
])
def test_bad_options_are_usage_errors(tmp_path, args, says):
    done = monlab("export", "compose", str(tmp_path / "out"), *args)
    assert done.returncode == 2 and says in " ".join(done.stderr.split()) and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="session")
def docker_compose() -> str:
    path = shutil.which("docker-compose")
    require(path is not None, "Debian's docker-compose")
    return path


@pytest.mark.parametrize("offline", [False, True], ids=["online", "offline"])
def test_docker_compose_1_29_reads_it_and_interpolates_the_password(docker_compose, tmp_path, offline):
    out = tmp_path / "export"
    assert monlab("export", "compose", str(out), "-p", "cfg", *(["--offline"] if offline else [])).returncode == 0
    done = subprocess.run([docker_compose, "-f", str(out / "compose.yaml"), "config"], capture_output=True, text=True,
                          cwd="/", timeout=60)  # .env is found next to compose.yaml, whatever the working directory
    assert done.returncode == 0, done.stderr
    resolved = yaml.safe_load(done.stdout)
    assert set(resolved["services"]) == ({"app", "prometheus"} if offline else {"app", "prometheus", "grafana"})
    if not offline:
        password = (out / ENV_FILE).read_text().split(f"{PASSWORD_VARIABLE}=")[1].strip()
        assert resolved["services"]["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"] == password
        assert resolved["volumes"]["grafana-data"]["labels"]["monlab.grafana-password"] == password


def labelled(client, project: str) -> list[str]:
    label = {"label": f"monlab.project={project}"}
    return ([c.name for c in client.containers.list(all=True, filters=label)]
            + [n.name for n in client.networks.list(filters=label)]
            + [v.name for v in client.volumes.list(filters=label)]
            + [i.id for i in client.images.list(filters=label)])


@pytest.mark.docker
def test_compose_started_stack_is_scraped_labbed_and_torn_down_by_monlab(docker_compose, docker_client, tmp_path):
    from labelled_projects import free_offset

    for ref in ("monlab/app-base:bookworm", "monlab/prometheus:bookworm"):
        require(bool(docker_client.images.list(name=ref)), f"the offline image {ref}")
    project, offset = f"monlabtest-compose-{uuid.uuid4().hex[:8]}", free_offset()
    out = tmp_path / "stack"
    try:
        done = monlab("export", "compose", str(out), "--offline", "-p", project, "--port-offset", str(offset))
        assert done.returncode == 0, done.stderr
        up = subprocess.run([docker_compose, "-f", str(out / "compose.yaml"), "up", "-d", "--build"],
                            capture_output=True, text=True, timeout=600)
        assert up.returncode == 0, up.stderr[-3000:]
        prometheus_url, app_url = f"http://127.0.0.1:{9090 + offset}", f"http://127.0.0.1:{5000 + offset}"
        with PrometheusAPI(prometheus_url) as api:
            scraped = poll(lambda: Outcome(_safe_up(api) == 1.0), timeout=90, interval=1)
        assert scraped.done, "Prometheus never scraped the compose-started app"

        status = monlab("status", "--project", project, "--json")
        assert status.returncode == 0, status.stderr
        report = json.loads(status.stdout)
        assert report["offline"] is True
        assert {n: s["url"] for n, s in report["services"].items()} == {"app": app_url, "prometheus": prometheus_url}
        assert all(s["state"] == "running" for s in report["services"].values())
        assert {t["job"]: t["health"] for t in report["targets"]} == {"flask-app": "up", "flask-app-uptime": "up"}

        by_url = monlab("lab", "business", "--json", "--prometheus", prometheus_url, "--app", app_url)
        assert by_url.returncode == 0, by_url.stdout[-3000:] + by_url.stderr[-2000:]
        assert json.loads(by_url.stdout)["passed"] is True

        every = monlab("lab", "all", "--json", "--project", project, timeout=900)
        results = json.loads(every.stdout)
        failed = {lab["name"]: [c for c in lab["checks"] if c["passed"] is False] for lab in results["labs"] if not lab["passed"]}
        assert every.returncode == 0 and not failed, failed or every.stderr[-2000:]

        done = monlab("teardown", "--project", project)
        assert done.returncode == 0, done.stderr
        assert labelled(docker_client, project) == []
    finally:
        remove_labelled(docker_client, project)


def _safe_up(api: PrometheusAPI) -> float | None:
    """1.0 once both of the app's scrape jobs have succeeded (each is scraped on its own schedule)."""
    try:
        both = api.query_value('count(up{job=~"flask-app|flask-app-uptime"} == 1)')
    except Exception:  # not ready yet
        return None
    return 1.0 if both == 2 else None


@pytest.mark.docker
def test_online_compose_stack_on_the_stand_ins_shares_its_grafana_password_with_monlab(
        docker_compose, docker_client, standin_images, tmp_path):  # noqa: F811
    """Online: the Grafana *stand-in* (tests/standins; real Grafana cannot run here) reads the
    password Compose takes from .env, `monlab status` shows that same login from the volume label,
    and a section with a Grafana check passes by URL with the credentials in --grafana."""
    from labelled_projects import free_offset

    project, offset = f"monlabtest-composeon-{uuid.uuid4().hex[:8]}", free_offset()
    out = tmp_path / "stack"
    try:
        assert monlab("export", "compose", str(out), "-p", project, "--port-offset", str(offset)).returncode == 0
        password = (out / ENV_FILE).read_text().split(f"{PASSWORD_VARIABLE}=")[1].strip()
        up = subprocess.run([docker_compose, "-f", str(out / "compose.yaml"), "up", "-d", "--build"],
                            capture_output=True, text=True, timeout=600)
        assert up.returncode == 0, up.stderr[-3000:]
        urls = {s: f"http://127.0.0.1:{base + offset}" for s, base in (("app", 5000), ("prometheus", 9090), ("grafana", 3000))}
        with PrometheusAPI(urls["prometheus"]) as api:
            assert poll(lambda: Outcome(_safe_up(api) == 1.0), timeout=90, interval=1).done, "never scraped"

        report = json.loads(monlab("status", "--project", project, "--json").stdout)
        assert report["offline"] is False and report["grafana"] == {"url": urls["grafana"], "user": "admin", "password": password}

        grafana = urls["grafana"].replace("http://", f"http://admin:{password}@")
        done = monlab("lab", "capacity", "--json", "--prometheus", urls["prometheus"], "--app", urls["app"], "--grafana", grafana)
        checks = {c["name"]: c["passed"] for lab in json.loads(done.stdout)["labs"] for c in lab["checks"]}
        assert done.returncode == 0, checks
        assert checks["HighRequestRate is firing in Grafana"] is True  # not skipped: the login worked

        assert monlab("teardown", "--project", project).returncode == 0
        assert labelled(docker_client, project) == []
    finally:
        remove_labelled(docker_client, project)

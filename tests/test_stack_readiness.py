"""Readiness waits on a fake clock and a fake engine: time is driven, never slept."""

import pytest

from monlab.docker_runtime import ContainerRecord
from monlab.errors import ServiceUnhealthy
from monlab.project import Project
from monlab.stack.readiness import ReadinessCheck, wait_ready
from monlab.stack.up import UpRequest, waits_for_healthchecks
from monlab.waiting import Clock
from test_grafana_api import FakeGrafana


class FakeClock:
    def __init__(self):
        self.t = 0.0

    def clock(self):
        return Clock(now=lambda: self.t, sleep=self._sleep)

    def _sleep(self, seconds):
        self.t += seconds


class FakeEngine:
    """Containers whose state a test scripts; each keeps a log."""

    def __init__(self, states, logs):
        self.states, self.logs = states, logs

    def container(self, cid):
        return ContainerRecord(cid, f"p-{cid}", self.states[cid], {}, "sha256:x", exit_code=0 if self.states[cid] == "running" else 2)

    def logs_tail(self, cid, lines=10):
        return self.logs[cid][-lines:]


LOGS = {"prom": [f"prometheus line {i}" for i in range(30)], "app": ["app started"]}


def test_passes_once_every_check_passes_in_order():
    fake = FakeClock()
    seen = []

    def ready_after(seconds, name):
        def probe():
            seen.append(name)
            return fake.t >= seconds
        return probe

    checks = [ReadinessCheck("prometheus", "ready", ready_after(3, "p"), 60), ReadinessCheck("app", "scraped", ready_after(7, "a"), 60)]
    wait_ready(FakeEngine({"prom": "running", "app": "running"}, LOGS), {"prometheus": "prom", "app": "app"}, checks, fake.clock())
    assert fake.t >= 7
    assert seen[-1] == "a" and seen == sorted(seen, key=lambda name: name == "a")


def test_timeout_names_the_service_and_carries_its_last_log_lines():
    fake = FakeClock()
    engine = FakeEngine({"prom": "running"}, LOGS)
    with pytest.raises(ServiceUnhealthy) as caught:
        wait_ready(engine, {"prometheus": "prom"}, [ReadinessCheck("prometheus", "Prometheus /-/ready", lambda: False, 30)], fake.clock())
    error = caught.value
    assert "prometheus did not become ready within 30 s" in error.message
    assert error.log_lines == [f"prometheus line {i}" for i in range(20, 30)]
    assert "prometheus line 29" in error.one_line() and "prometheus line 19" not in error.one_line()
    assert "\n" not in error.one_line()
    assert fake.t >= 30


def test_an_exited_container_fails_at_once_with_its_logs():
    fake = FakeClock()
    engine = FakeEngine({"prom": "running", "app": "exited"}, LOGS)
    with pytest.raises(ServiceUnhealthy) as caught:
        wait_ready(engine, {"prometheus": "prom", "app": "app"}, [ReadinessCheck("prometheus", "ready", lambda: False, 60)], fake.clock())
    assert "app container p-app stopped (exited, exit code 2)" in caught.value.message
    assert caught.value.log_lines == ["app started"]
    assert fake.t == 0


def test_a_probe_raising_a_monlab_error_counts_as_not_ready_yet():
    from monlab.errors import ServiceError

    fake = FakeClock()
    calls = []

    def flaky():
        calls.append(fake.t)
        if len(calls) < 3:
            raise ServiceError("connection refused")
        return True

    wait_ready(FakeEngine({}, {}), {}, [ReadinessCheck("grafana", "health", flaky, 60)], fake.clock())
    assert len(calls) == 3


def test_timeout_says_what_is_still_missing():
    fake = FakeClock()
    check = ReadinessCheck("grafana", "provisioning", lambda: False, 30, missing=lambda: "the dashboard monlab-lecture")
    with pytest.raises(ServiceUnhealthy) as caught:
        wait_ready(FakeEngine({"g": "running"}, {"g": ["provisioning dashboards"]}), {"grafana": "g"}, [check], fake.clock())
    assert "waiting for: provisioning; still missing: the dashboard monlab-lecture" in caught.value.message
    assert "provisioning dashboards" in caught.value.one_line()


def test_a_broken_service_fails_at_once_instead_of_waiting_out_the_timeout():
    fake = FakeClock()
    faults = iter(["", "", "alert rule 'AppDown' fails to evaluate (data source not found)"])
    check = ReadinessCheck("grafana", "provisioning", lambda: False, 120, broken=lambda: next(faults))
    with pytest.raises(ServiceUnhealthy) as caught:
        wait_ready(FakeEngine({"g": "running"}, {"g": ["logger=ngalert level=error"]}), {"grafana": "g"}, [check], fake.clock())
    assert caught.value.message == "grafana is broken: alert rule 'AppDown' fails to evaluate (data source not found)"
    assert fake.t < 120


class HealthEngine(FakeEngine):
    """A running app whose Docker health a test scripts over (fake) time: [(from_t, health), ...];
    like Docker, it runs the healthcheck every 5 s, and the status it reports is the latest check's."""

    def __init__(self, clock, health):
        super().__init__({"app": "running"}, LOGS)
        self.fake, self.health = clock, health

    def container(self, cid):
        checked = [t for t, _ in self.health if self.fake.t >= t][-1]  # the latest check's time
        now = [h for t, h in self.health if self.fake.t >= t][-1]
        return ContainerRecord(cid, f"p-{cid}", "running", {}, "sha256:x", health=now, health_checked=str(checked))


def test_ready_only_once_docker_calls_the_app_healthy():
    """`up` printed "ready" beside a table showing the app's health `starting` (issue 19)."""
    fake = FakeClock()
    engine = HealthEngine(fake, [(0, "starting"), (6, "healthy")])
    wait_ready(engine, {"app": "app"}, [ReadinessCheck("app", "scraped", lambda: True, 60)], fake.clock())
    assert fake.t >= 6 and engine.container("app").health == "healthy"


@pytest.mark.parametrize("only, engine_runs_them, waits", [
    (None, True, True),  # `up`: its table must not show `starting`
    (None, False, False),  # an engine without healthchecks (Podman without systemd) never reports healthy
    (frozenset({"app"}), True, False),  # a lab's redeploy: the app answering HTTP is what the next step needs
    (frozenset({"app"}), False, False),
])
def test_only_up_waits_for_the_engines_healthchecks(only, engine_runs_them, waits):
    request = UpRequest(Project("p"), offline=True, only=only)
    assert waits_for_healthchecks(request, engine_runs_them) is waits


def test_an_unhealthy_container_fails_at_its_next_check_naming_its_healthcheck():
    fake = FakeClock()
    engine = HealthEngine(fake, [(0, "unhealthy"), (5, "unhealthy")])
    with pytest.raises(ServiceUnhealthy) as caught:
        wait_ready(engine, {"app": "app"}, [], fake.clock())
    assert "app is broken: its healthcheck reports unhealthy" in caught.value.message and fake.t == 5


def test_a_just_unpaused_container_is_not_judged_by_the_check_before_its_pause():
    """Docker calls a paused container unhealthy until its next check after unpause (seen on 20.10):
    `up` that unpaused the app waited for that check instead of failing at once."""
    fake = FakeClock()
    engine = HealthEngine(fake, [(0, "unhealthy"), (5, "healthy")])
    wait_ready(engine, {"app": "app"}, [], fake.clock())
    assert fake.t == 5


class CountingGrafana(FakeGrafana):
    """The fake Grafana of test_grafana_api, counting logins it refused; `refusal` is how it says no."""

    def do_GET(self) -> None:
        if self.headers.get("Authorization") and not self._logged_in():
            self.server.refused += 1
            status, body = self.server.refusal
            return self._send(status, body)
        return super().do_GET()


@pytest.mark.parametrize("refusal", [
    (401, b'{"message":"Invalid username or password"}'),  # Grafana's basic auth client (and the stand-in)
    (400, b'{"message":"invalid username or password"}'),  # what some Grafana versions answer instead
], ids=["401", "400"])
def test_readiness_stops_at_the_first_refused_grafana_login_and_says_how_to_reset_it(refusal):
    from http.server import ThreadingHTTPServer
    import threading

    from monlab.grafana_api import GrafanaAPI
    from monlab.stack.readiness import GrafanaExpected, ProvisioningProbe

    server = ThreadingHTTPServer(("127.0.0.1", 0), CountingGrafana)
    server.health_body, server.provisioned, server.rules = b'{"database":"ok"}', {}, {}
    server.refused, server.refusal = 0, refusal
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        api = GrafanaAPI(f"http://127.0.0.1:{server.server_address[1]}", password="changed-in-the-ui", timeout=2.0)
        expected = GrafanaExpected("changed-in-the-ui", "monlab-prometheus", "monlab-lecture", frozenset({"r1"}), "p-grafana")
        probe = ProvisioningProbe(api, expected)
        check = ReadinessCheck("grafana", "provisioning", probe, 120, missing=lambda: probe.missing, broken=lambda: probe.broken)
        clock = FakeClock()
        with pytest.raises(ServiceUnhealthy) as caught:
            wait_ready(FakeEngine({}, {}), {}, [check], clock.clock())
    finally:
        server.shutdown()
        server.server_close()
    assert server.refused == 1, "one refused login, never a second"
    assert clock.t < 5
    said = caught.value.one_line()
    assert "refused the login" in said and "docker exec -it p-grafana grafana cli admin reset-admin-password" in said

"""Converging with a fake engine that fails on cue: whatever the run created is removed again."""

import pytest

from monlab.docker_runtime import ContainerRecord
from monlab.errors import PortInUse
from monlab.project import Project
from monlab.stack.plan import Action
from monlab.stack.spec import ImageChoice, StackOptions, desired_stack
from monlab.stack.up import QuietReporter, converge
from monlab.waiting import Clock

RENDERED = {"prometheus": {"prometheus.yml": "global: {}\n"}, "grafana": {}}
IMAGES = {"app": ImageChoice("a", "sha256:a"), "prometheus": ImageChoice("p", "sha256:p")}
SPEC = desired_stack(Project("p"), RENDERED, IMAGES, StackOptions(offline=True))


class FakeEngine:
    def __init__(self, fail_start_of=None, network_exists=False):
        self.fail_start_of = fail_start_of
        self.network_exists = network_exists
        self.containers, self.calls, self.files = {}, [], {}

    def ensure_network(self, name, labels):
        self.calls.append(("network", name))
        return not self.network_exists

    def ensure_volume(self, name, labels):
        self.calls.append(("volume", name))

    def refuse_foreign_container(self, name, labels):
        pass

    def create_container(self, create):
        cid = f"id-{create.name}"
        self.containers[cid] = create.name
        self.calls.append(("create", create.name))
        return cid

    def put_files(self, cid, files):
        self.files[cid] = files

    def start(self, cid):
        if self.containers.get(cid) == self.fail_start_of:
            raise PortInUse(f"A host port is already in use while starting {cid}")
        self.calls.append(("start", cid))

    def remove_container(self, cid):
        self.containers.pop(cid, None)
        self.calls.append(("remove", cid))

    def remove_network(self, name):
        self.calls.append(("remove-network", name))

    def container(self, cid):
        return ContainerRecord(cid, self.containers.get(cid, "?"), "running", {}, "sha256:x")

    def logs_tail(self, cid, lines=10):
        return []


CLOCK = Clock(now=lambda: 0.0, sleep=lambda s: None)
NO_CHECKS = lambda urls: []  # noqa: E731


def test_creates_uploads_config_and_starts_in_order():
    engine = FakeEngine()
    plan = [Action("create", "app"), Action("create", "prometheus")]
    converge(engine, SPEC, plan, NO_CHECKS, QuietReporter(), CLOCK)
    assert [c for c in engine.calls if c[0] in ("create", "start")] == [
        ("create", "p-app"), ("start", "id-p-app"), ("create", "p-prometheus"), ("start", "id-p-prometheus")]
    assert engine.files == {"id-p-prometheus": {"/etc/prometheus/prometheus.yml": "global: {}\n"}}
    assert ("volume", "p-prometheus-data") in engine.calls


def test_a_failure_removes_the_containers_and_network_this_run_created():
    engine = FakeEngine(fail_start_of="p-prometheus")
    plan = [Action("create", "app"), Action("create", "prometheus")]
    with pytest.raises(PortInUse) as caught:
        converge(engine, SPEC, plan, NO_CHECKS, QuietReporter(), CLOCK)
    assert engine.containers == {}
    assert engine.calls[-1] == ("remove-network", "p-net")
    assert "removed the 2 container(s) this run created, data volumes are kept" in caught.value.message
    assert not any(c[0] == "remove-volume" for c in engine.calls)


def test_a_failure_leaves_what_existed_before_alone():
    engine = FakeEngine(fail_start_of="p-prometheus", network_exists=True)
    engine.containers["old-app"] = "p-app"
    plan = [Action("keep", "app", "old-app"), Action("recreate", "prometheus", "old-prom")]
    with pytest.raises(PortInUse):
        converge(engine, SPEC, plan, NO_CHECKS, QuietReporter(), CLOCK)
    assert engine.containers == {"old-app": "p-app"}
    assert not any(c[0] == "remove-network" for c in engine.calls)

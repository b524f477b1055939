"""Converging with a fake engine that holds every container by id (name, state) and fails on cue:
whatever the run created is removed again, and a recreate never leaves a service without its
container: the old one is set aside, and put back running when the new one fails."""

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
    """Containers: id -> [name, state]. A name is held by one container at a time, as on Docker."""

    def __init__(self, fail_start_of=None, fail_create_of=None):
        self.fail_start_of, self.fail_create_of = fail_start_of, fail_create_of
        self.containers, self.calls, self.files = {}, [], {}

    def holding(self, name):
        return [cid for cid, (held, _) in self.containers.items() if held == name]

    def add(self, cid, name, state="running"):
        self.containers[cid] = [name, state]

    def refuse_foreign_container(self, name, labels):
        pass

    def create_container(self, create):
        if create.name == self.fail_create_of:
            raise PortInUse(f"Docker refused creating container {create.name}")
        assert not self.holding(create.name), f"name {create.name} is taken"
        cid = f"new-{create.name}"
        self.add(cid, create.name, "created")
        self.calls.append(("create", create.name))
        return cid

    def put_files(self, cid, files):
        self.files[cid] = files

    def start(self, cid):
        if self.containers[cid][0] == self.fail_start_of and cid.startswith("new-"):
            raise PortInUse(f"A host port is already in use while starting {cid}")
        self.containers[cid][1] = "running"
        self.calls.append(("start", cid))

    def stop(self, cid):
        self.containers[cid][1] = "exited"
        self.calls.append(("stop", cid))

    def unpause(self, cid):
        self.containers[cid][1] = "running"
        self.calls.append(("unpause", cid))

    def rename_container(self, cid, name):
        assert not self.holding(name), f"name {name} is taken"
        self.containers[cid][0] = name
        self.calls.append(("rename", cid, name))

    def remove_container(self, cid):
        self.containers.pop(cid)
        self.calls.append(("remove", cid))

    def container(self, cid):
        name, state = self.containers[cid]
        return ContainerRecord(cid, name, state, {}, "sha256:x")

    def logs_tail(self, cid, lines=10):
        return []


CLOCK = Clock(now=lambda: 0.0, sleep=lambda s: None)
NO_CHECKS = lambda urls: []  # noqa: E731


def test_creates_uploads_config_and_starts_in_order():
    engine = FakeEngine()
    plan = [Action("create", "app"), Action("create", "prometheus")]
    converge(engine, SPEC, plan, NO_CHECKS, QuietReporter(), CLOCK)
    assert [c for c in engine.calls if c[0] in ("create", "start")] == [
        ("create", "p-app"), ("start", "new-p-app"), ("create", "p-prometheus"), ("start", "new-p-prometheus")]
    assert engine.files == {"new-p-prometheus": {"/etc/prometheus/prometheus.yml": "global: {}\n"}}


def test_a_failure_removes_the_containers_this_run_created():
    engine = FakeEngine(fail_start_of="p-prometheus")
    plan = [Action("create", "app"), Action("create", "prometheus")]
    with pytest.raises(PortInUse) as caught:
        converge(engine, SPEC, plan, NO_CHECKS, QuietReporter(), CLOCK)
    assert engine.containers == {}
    assert "removed the 2 container(s) this run created, data volumes are kept" in caught.value.message


def test_recreate_starts_the_new_container_before_the_old_one_is_removed():
    engine = FakeEngine()
    engine.add("old-prom", "p-prometheus")
    converge(engine, SPEC, [Action("recreate", "prometheus", "old-prom")], NO_CHECKS, QuietReporter(), CLOCK)
    assert engine.calls == [("stop", "old-prom"), ("rename", "old-prom", "old-prom_p-prometheus"),
                            ("create", "p-prometheus"), ("start", "new-p-prometheus"), ("remove", "old-prom")]
    assert engine.containers == {"new-p-prometheus": ["p-prometheus", "running"]}


@pytest.mark.parametrize("failing", [{"fail_start_of": "p-prometheus"}, {"fail_create_of": "p-prometheus"}],
                         ids=["start-fails", "create-fails"])
@pytest.mark.parametrize("old_state", ["running", "exited", "paused"])
def test_a_failed_recreate_puts_the_old_container_back_as_it_was(failing, old_state):
    engine = FakeEngine(**failing)
    engine.add("old-app", "p-app")
    engine.add("old-prom", "p-prometheus", old_state)
    plan = [Action("keep", "app", "old-app"), Action("recreate", "prometheus", "old-prom")]
    with pytest.raises(PortInUse):
        converge(engine, SPEC, plan, NO_CHECKS, QuietReporter(), CLOCK)
    back = "exited" if old_state == "exited" else "running"
    assert engine.containers == {"old-app": ["p-app", "running"], "old-prom": ["p-prometheus", back]}


def test_unpause_resumes_the_paused_container_itself():
    engine = FakeEngine()
    engine.add("old-app", "p-app", "paused")
    converge(engine, SPEC, [Action("unpause", "app", "old-app")], NO_CHECKS, QuietReporter(), CLOCK)
    assert engine.containers == {"old-app": ["p-app", "running"]}

"""The convergence plan is a pure function: a table of (desired, observed) -> actions."""

import pytest

from monlab.stack.plan import Action, Observed, convergence_plan

WANT = {"app": "h-app", "prometheus": "h-prom"}


CASES = [
    ("nothing there: create both in start order", WANT, [],
     [("create", "app", None), ("create", "prometheus", None)]),
    ("running with the same hash: keep", WANT, [Observed("a", "app", "running", "h-app"), Observed("p", "prometheus", "running", "h-prom")],
     [("keep", "app", "a"), ("keep", "prometheus", "p")]),
    ("running with another hash: recreate", WANT, [Observed("a", "app", "running", "old"), Observed("p", "prometheus", "running", "h-prom")],
     [("recreate", "app", "a"), ("keep", "prometheus", "p")]),
    ("exited with the same hash: start", WANT, [Observed("a", "app", "exited", "h-app"), Observed("p", "prometheus", "running", "h-prom")],
     [("start", "app", "a"), ("keep", "prometheus", "p")]),
    ("created, never started: start", {"app": "h-app"}, [Observed("a", "app", "created", "h-app")],
     [("start", "app", "a")]),
    ("exited with another hash: recreate", {"app": "h-app"}, [Observed("a", "app", "exited", "old")],
     [("recreate", "app", "a")]),
    ("dead: recreate; paused and right: unpause", {"app": "h-app", "prometheus": "h-prom"},
     [Observed("a", "app", "dead", "h-app"), Observed("p", "prometheus", "paused", "h-prom")],
     [("recreate", "app", "a"), ("unpause", "prometheus", "p")]),
    ("paused with another hash: recreate", {"app": "h-app"}, [Observed("a", "app", "paused", "old")],
     [("recreate", "app", "a")]),
    ("right hash but files differ from the render (crash before the upload): recreate", WANT,
     [Observed("a", "app", "running", "h-app"), Observed("p", "prometheus", "running", "h-prom", files_match=False)],
     [("keep", "app", "a"), ("recreate", "prometheus", "p")]),
    ("right hash but not on the project's network (removed, or another one): recreate", WANT,
     [Observed("a", "app", "running", "h-app", attached=False), Observed("p", "prometheus", "exited", "h-prom", attached=False)],
     [("recreate", "app", "a"), ("recreate", "prometheus", "p")]),
    ("only a container set aside by an interrupted recreate: recreate", {"app": "h-app"},
     [Observed("a", "app", "exited", "h-app", named=False)],
     [("recreate", "app", "a")]),
    ("the new one and the one set aside: keep the sound one, remove the aside", {"app": "h-app"},
     [Observed("aside", "app", "exited", "h-app", named=False), Observed("new", "app", "running", "h-app")],
     [("remove", "app", "aside"), ("keep", "app", "new")]),
    ("duplicates that are alike: the choice does not depend on order", {"app": "h-app"},
     [Observed("y", "app", "exited", "h-app"), Observed("x", "app", "exited", "h-app")],
     [("remove", "app", "y"), ("start", "app", "x")]),
    ("orphan service of this project (grafana, now offline): removed first", WANT,
     [Observed("g", "grafana", "running", "h-graf"), Observed("a", "app", "running", "h-app"), Observed("p", "prometheus", "running", "h-prom")],
     [("remove", "grafana", "g"), ("keep", "app", "a"), ("keep", "prometheus", "p")]),
    ("one missing, one kept", WANT, [Observed("p", "prometheus", "running", "h-prom")],
     [("create", "app", None), ("keep", "prometheus", "p")]),
    ("duplicates: keep the right running one, remove the other", {"app": "h-app"},
     [Observed("old", "app", "exited", "old"), Observed("good", "app", "running", "h-app")],
     [("remove", "app", "old"), ("keep", "app", "good")]),
    ("duplicates, none right: remove extras, recreate the best", {"app": "h-app"},
     [Observed("x", "app", "exited", "old"), Observed("y", "app", "running", "old")],
     [("remove", "app", "x"), ("recreate", "app", "y")]),
    ("nothing desired: remove everything observed", {},
     [Observed("a", "app", "running", "h-app")],
     [("remove", "app", "a")]),
]


@pytest.mark.parametrize("desired, observed, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_convergence_plan(desired, observed, expected):
    plan = convergence_plan(desired, observed)
    assert [(a.kind, a.service, a.container_id) for a in plan] == expected


def test_plan_does_not_depend_on_observation_order():
    observed = [Observed("p", "prometheus", "exited", "h-prom"), Observed("a", "app", "running", "other")]
    assert convergence_plan(WANT, observed) == convergence_plan(WANT, list(reversed(observed)))


def test_only_keep_is_not_a_change():
    assert not Action("keep", "app", "a").changes
    assert all(Action(kind, "app").changes for kind in ("create", "recreate", "start", "unpause", "remove"))


def test_observation_compares_files_read_back_with_the_render_by_content():
    from monlab.docker_runtime import ContainerRecord
    from monlab.project import Project
    from monlab.stack.observed import observation
    from monlab.stack.spec import ImageChoice, StackOptions, desired_stack

    images = {"app": ImageChoice("a", "sha256:a"), "prometheus": ImageChoice("p", "sha256:p")}
    spec = desired_stack(Project("p"), {"prometheus": {"prometheus.yml": "global: {}\n"}}, images, StackOptions(offline=True))
    wanted = spec.service("prometheus")
    record = ContainerRecord("c", "p-prometheus", "running", wanted.create.labels, "sha256:p", networks={"p-net": "net1"})
    path = "/etc/prometheus/prometheus.yml"
    assert observation(record, wanted, "net1", {path: b"global: {}\n"}).sound(wanted.config_hash)
    assert not observation(record, wanted, "net1", {path: b"scrape_configs: []\n"}).files_match
    assert not observation(record, wanted, "net1", {path: None}).files_match
    assert not observation(record, wanted, "net2", {path: b"global: {}\n"}).attached
    assert not observation(record, wanted, "", None).attached
    aside = ContainerRecord("c", "c_p-prometheus", "exited", wanted.create.labels, "sha256:p", networks={"p-net": "net1"})
    assert not observation(aside, wanted, "net1", None).named
    never_started = ContainerRecord("c", "p-prometheus", "created", wanted.create.labels, "sha256:p", networks={"p-net": ""})
    assert observation(never_started, wanted, "net1", None).attached, "joins p-net by name when it starts"
    assert not observation(never_started, wanted, "", None).attached, "no network of that name"

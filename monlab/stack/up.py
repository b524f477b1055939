"""`monlab up`: get the images, build the app, render the config, converge the containers, wait
until the stack is usable. Whatever this run created is removed again if it fails."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from monlab import interrupts
from monlab.interrupts import Leftovers
from monlab.catalog import Catalog, load_catalog
from monlab.docker_runtime import ContainerRecord, DockerRuntime
from monlab.errors import ConfigError, ImageUnavailable, MonlabError
from monlab.image_refs import ImageRefs, resolve
from monlab.project import SERVICES, Project, up_command
from monlab.stack import observed, readiness
from monlab.stack.exposure import public_host
from monlab.stack.plan import CREATE, HOLDS_PORTS, KEEP, RECREATE, REMOVE, START, UNPAUSE, Action, convergence_plan
from monlab.stack.ports import PortProbe, check_ports, port_is_free
from monlab.registry_probe import probe_all
from monlab.stack.mode import ModeChoice, choose_mode
from monlab.stack.spec import LABEL_BUILT_AS, LABEL_GRAFANA_RULES, LABEL_MODE, ImageChoice, ServiceSpec, StackSpec, app_build_labels, stack_spec
from monlab.stackinfo import StackInfo
from monlab.waiting import REAL_CLOCK, Clock


class UpReporter(Protocol):
    def step(self, text: str) -> None: ...

    def build(self, chunk: dict[str, Any]) -> None: ...

    def pull(self, ref: str, chunk: dict[str, Any]) -> None: ...


class QuietReporter:
    def step(self, text: str) -> None:
        pass

    def build(self, chunk: dict[str, Any]) -> None:
        pass

    def pull(self, ref: str, chunk: dict[str, Any]) -> None:
        pass


@dataclass(frozen=True)
class UpRequest:
    project: Project
    offline: bool = False
    app_dir: Path | None = None
    only: frozenset[str] | None = None  # converge just these services (redeploying the app)
    images: ImageRefs = field(default_factory=resolve)  # the pins, or the user's overrides


@dataclass(frozen=True)
class UpResult:
    info: StackInfo
    actions: list[Action]


def bring_up(
    runtime: DockerRuntime,
    request: UpRequest,
    reporter: UpReporter = QuietReporter(),
    clock: Clock = REAL_CLOCK,
    is_free: PortProbe = port_is_free,
    leftovers: Leftovers | None = None,
) -> UpResult:
    """The phases of `up`, in order: ports, images, desired state, network and volumes, plan, converge.
    While it changes containers, `leftovers` holds how to finish the stack after a Ctrl-C."""
    project = request.project
    records = runtime.containers(project.label_filter)
    _check_ports(runtime, request, records, is_free)
    previous_app = runtime.image_id(project.app_image)
    images = _obtain_stack_images(runtime, request, reporter)
    catalog = load_catalog()
    spec = _spec(runtime, request, images, records, catalog)
    plan = _converge_stack(runtime, request, spec, _checks(request, spec, catalog), reporter, clock,
                           leftovers or Leftovers())
    forget_replaced_build(runtime, project, previous_app, images["app"].id)
    return UpResult(observed.stack_info(runtime, project.name), plan)


def _converge_stack(runtime: DockerRuntime, request: UpRequest, spec: StackSpec,
                    checks: Callable[[dict[str, str]], list[readiness.ReadinessCheck]],
                    reporter: UpReporter, clock: Clock, leftovers: Leftovers) -> list[Action]:
    """Network and volumes, then the plan from what is there, carried out until ready; a network
    made here is removed again when this fails."""
    network_created = prepare_network_and_volumes(runtime, spec)
    try:
        plan = _plan(runtime, request, spec)
        with leftovers.while_changing(f"up:{request.project.name}", _interrupted_note(request, plan)):
            converge(runtime, spec, plan, checks, reporter, clock,
                     waits_for_healthchecks(request, runtime.engine_facts().runs_healthchecks))
    except BaseException:
        if network_created:
            _quietly(runtime.remove_network, spec.network)
        raise
    return plan


def waits_for_healthchecks(request: UpRequest, engine_runs_them: bool) -> bool:
    """`up` also waits for the engine's healthchecks, so its table never shows a health still
    `starting`. A lab's redeploy of the app waits only for the app to answer HTTP through its request
    workers, which is more than the image's healthcheck asks, and which the engine runs first one
    interval after the start: the lab would wait that interval for nothing."""
    return engine_runs_them and request.only is None


def _wanted_services(request: UpRequest) -> list[str]:
    return [s for s in SERVICES if not (request.offline and s == "grafana")]


def _check_ports(runtime: DockerRuntime, request: UpRequest, records: list[ContainerRecord], is_free: PortProbe) -> None:
    if engine_is_local(runtime.address):
        checked = [s for s in _wanted_services(request) if _selected(request, s)]
        check_ports(request.project, checked, observed.held_ports(records), is_free)


def _obtain_stack_images(runtime: DockerRuntime, request: UpRequest, reporter: UpReporter) -> dict[str, ImageChoice]:
    refs = request.images.for_mode(request.offline)
    keys = ["app-base", *_wanted_services(request)[1:]]
    images = obtain_images(runtime, refs, request.offline, keys, reporter)
    images["app"] = build_app(runtime, request.project, request.app_dir, images["app-base"].ref, reporter)
    return images


def prepare_network_and_volumes(runtime: DockerRuntime, spec: StackSpec) -> bool:
    """The project's network and volumes, made where missing; True when the network was made now."""
    created = runtime.ensure_network(spec.network, spec.project.labels())
    for name, labels in spec.volumes.items():
        runtime.ensure_volume(name, labels)
    return created


def _plan(runtime: DockerRuntime, request: UpRequest, spec: StackSpec) -> list[Action]:
    records = runtime.containers(request.project.label_filter)
    found = observed.for_plan(runtime, records, spec)
    return [a for a in convergence_plan(spec.hashes, found) if _selected(request, a.service)]


def _interrupted_note(request: UpRequest, plan: list[Action]) -> str:
    changes = ", ".join(f"{a.kind} {a.service}" for a in plan if a.kind != KEEP) or "waiting until ready"
    again = up_command(request.project, request.offline, {} if request.offline else request.images.overrides)
    return (f"Stack {request.project.name!r} was being changed ({changes}) and may be incomplete (a service "
            f"stopped or missing): run `{again}` to finish it")


def choose_stack_mode(runtime: DockerRuntime, project: Project, refs: ImageRefs, requested: str | None) -> ModeChoice:
    """Online or offline for this `up`, from what is on the engine (see monlab/stack/mode.py)."""
    records = runtime.containers(project.label_filter)
    observed_mode = next((r.labels[LABEL_MODE] for r in records if r.labels.get(LABEL_MODE)), None)
    online_refs = list(refs.online.values())
    here = all(runtime.image_id(ref) for ref in online_refs)
    return choose_mode(requested, observed_mode, here, lambda: probe_all(online_refs))


def engine_is_local(address: str) -> bool:
    """Host ports can be checked here only when the engine publishes them on this machine."""
    return address.startswith(("unix://", "tcp://127.", "tcp://localhost", "npipe://"))


def obtain_images(
    runtime: DockerRuntime, refs: dict[str, str], offline: bool, keys: list[str], reporter: UpReporter
) -> dict[str, ImageChoice]:
    """The image for each key of `refs`: local, or pulled when online (offline never pulls)."""
    chosen = {}
    for key in keys:
        ref = refs[key]
        image_id = runtime.image_id(ref)
        if image_id is None and offline:
            raise ImageUnavailable(f"The offline image {ref} is missing", "Run `monlab images bootstrap` first.")
        if image_id is None:
            reporter.step(f"Pulling {ref}")
            runtime.pull(ref, lambda chunk, ref=ref: reporter.pull(ref, chunk))
            image_id = runtime.image_id(ref) or ""
        chosen[key] = ImageChoice(ref, image_id)
    return chosen


def build_app(runtime: DockerRuntime, project: Project, app_dir: Path | None, base: str, reporter: UpReporter) -> ImageChoice:
    from monlab.resources import app_source_dir

    context = Path(app_dir or app_source_dir())
    if not (context / "Dockerfile").is_file():
        raise ConfigError(f"{context} has no Dockerfile", "Point --app at a directory holding the app and its Dockerfile.")
    reporter.step(f"Building {project.app_image} from {context} on {base}")
    labels = app_build_labels(project)
    image_id = runtime.build_image(context, project.app_image, {"BASE_IMAGE": base}, labels, reporter.build)
    return ImageChoice(project.app_image, image_id)


def forget_replaced_build(runtime: DockerRuntime, project: Project, previous_id: str | None, current_id: str) -> None:
    """The build this `up` moved the app's tag away from, once nothing uses it: removed by id without
    force, only while it is untagged and monlab's (the engine refuses while a container uses it)."""
    if not previous_id or previous_id == current_id:
        return
    facts = runtime.image_tags(previous_id)
    if facts and not facts[1] and facts[2].get(LABEL_BUILT_AS) == project.app_image:
        _quietly(runtime.untag_image, previous_id)


def _spec(runtime: DockerRuntime, request: UpRequest, images: dict[str, ImageChoice], records: list[ContainerRecord], catalog: Catalog) -> StackSpec:
    password = "" if request.offline else grafana_password(runtime, request.project)
    overrides = {} if request.offline else request.images.overrides
    return stack_spec(request.project, request.offline, images, password, provisioned_rule_uids(records), catalog, overrides,
                      public_host(request.project.bind))


def provisioned_rule_uids(records: list[ContainerRecord]) -> tuple[str, ...]:
    """Every Grafana rule uid this project's Grafana was ever given, from its containers' labels."""
    uids = {uid for record in records for uid in record.labels.get(LABEL_GRAFANA_RULES, "").split(",") if uid}
    return tuple(sorted(uids))


def grafana_password(runtime: DockerRuntime, project: Project) -> str:
    """The project's password: the one its Grafana volume remembers, else a new one."""
    return observed.grafana_password(runtime, project) or secrets.token_urlsafe(12)


def converge(
    runtime: DockerRuntime,
    spec: StackSpec,
    plan: list[Action],
    checks: Callable[[dict[str, str]], list[readiness.ReadinessCheck]],
    reporter: UpReporter,
    clock: Clock,
    watch_health: bool = True,
) -> None:
    """Carry out `plan`, then wait until ready (and healthy, on an engine that runs healthchecks).
    On failure the containers this run created anew are removed again; a recreate has already put
    back the container it replaced, or finished."""
    created: list[str] = []
    try:
        containers = {}
        for action in plan:
            reporter.step(f"{action.kind.capitalize()} {action.service}")
            cid = _apply(runtime, spec, action, created)
            if cid:
                containers[action.service] = cid
        reporter.step("Waiting until the stack is ready")
        readiness.wait_ready(runtime, containers, checks(_urls(spec)), clock, watch_health=watch_health)
    except BaseException as error:
        for cid in reversed(created):
            _quietly(runtime.remove_container, cid)
        if isinstance(error, MonlabError) and created:
            error.message += f"; removed the {len(created)} container(s) this run created, data volumes are kept"
        raise


def _apply(runtime: DockerRuntime, spec: StackSpec, action: Action, created: list[str]) -> str | None:
    """Carry out one action; returns the service's container id afterwards (None once removed)."""
    if action.kind == REMOVE:
        runtime.remove_container(action.container_id)
        return None
    if action.kind == CREATE:
        return _create_and_start(runtime, spec.service(action.service), spec, on_created=created.append)
    if action.kind == RECREATE:
        return recreate(runtime, spec, spec.service(action.service), action.container_id)
    if action.kind == START:
        runtime.start(action.container_id)
    if action.kind == UNPAUSE:
        runtime.unpause(action.container_id)
    assert action.kind in (START, UNPAUSE, KEEP), action
    return action.container_id


def _create_and_start(runtime: DockerRuntime, service: ServiceSpec, spec: StackSpec, on_created: Callable[[str], None]) -> str:
    runtime.refuse_foreign_container(service.create.name, spec.project.labels())
    cid = runtime.create_container(service.create)
    on_created(cid)
    if service.files:
        runtime.put_files(cid, service.files)
    runtime.start(cid)
    return cid


def recreate(runtime: DockerRuntime, spec: StackSpec, service: ServiceSpec, old_id: str) -> str:
    """Replace a container without a gap in which the service has none, as compose 1.29 does: stop
    the old one and rename it aside, create and start the new one, then remove the old. If the new
    one cannot be made or started, it is removed and the old one gets its name back and runs again."""
    old = runtime.container(old_id)
    if old.state == "paused":
        runtime.unpause(old_id)
    if old.state in HOLDS_PORTS:
        runtime.stop(old_id)
    aside = aside_name(old.id, service.create.name)
    if old.name != aside:
        runtime.rename_container(old_id, aside)
    new: list[str] = []
    try:
        cid = _create_and_start(runtime, service, spec, on_created=new.append)
    except BaseException:
        with interrupts.deferred():
            for cid in new:
                _quietly(runtime.remove_container, cid)
            _quietly(runtime.rename_container, old_id, service.create.name)
            if old.state in HOLDS_PORTS:
                _quietly(runtime.start, old_id)
        raise
    runtime.remove_container(old_id)
    return cid


def aside_name(container_id: str, name: str) -> str:
    """Where a container being replaced waits (compose's `<id>_<name>`)."""
    return f"{container_id[:12]}_{name}"


def _quietly(action: Callable[..., object], *args: str) -> None:
    try:
        action(*args)
    except MonlabError:
        pass


def _checks(request: UpRequest, spec: StackSpec, catalog: Catalog) -> Callable[[dict[str, str]], list[readiness.ReadinessCheck]]:
    if request.only == frozenset({"app"}):
        return lambda urls: [readiness.app_answers_check(urls["app"])]
    expected = grafana_expected(spec, frozenset(alert.uid for alert in catalog.alerts))
    return lambda urls: readiness.default_checks(urls, expected)


def grafana_expected(spec: StackSpec, rule_uids: frozenset[str]) -> readiness.GrafanaExpected | None:
    """What the spec's Grafana must have provisioned before `up` is done; None without Grafana."""
    from monlab.render import DASHBOARD_UID, DATASOURCE_UID

    grafana = next((s for s in spec.services if s.service == "grafana"), None)
    if grafana is None:
        return None
    return readiness.GrafanaExpected(
        password=grafana.create.environment["GF_SECURITY_ADMIN_PASSWORD"],
        datasource_uid=DATASOURCE_UID, dashboard_uid=DASHBOARD_UID, rule_uids=rule_uids, container=grafana.create.name,
    )


def _urls(spec: StackSpec) -> dict[str, str]:
    return {s.service: spec.project.host_url(s.service) for s in spec.services}


def _selected(request: UpRequest, service: str) -> bool:
    return request.only is None or service in request.only

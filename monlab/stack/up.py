"""`monlab up`: get the images, build the app, render the config, converge the containers, wait
until the stack is usable. Whatever this run created is removed again if it fails."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Protocol

from monlab import interrupts
from monlab.catalog import Catalog, load_catalog
from monlab.docker_runtime import ContainerRecord, DockerRuntime
from monlab.errors import ConfigError, ImageUnavailable, MonlabError
from monlab.image_refs import ImageRefs, encode_overrides, resolve
from monlab.project import SERVICES, Project, up_command
from monlab.stack import observed, readiness
from monlab.stack.plan import CREATE, KEEP, RECREATE, REMOVE, START, Action, convergence_plan
from monlab.stack.ports import PortProbe, check_ports, port_is_free
from monlab.registry_probe import probe_all
from monlab.stack.mode import ModeChoice, choose_mode
from monlab.stack.spec import LABEL_GRAFANA_RULES, LABEL_MODE, ImageChoice, StackOptions, StackSpec, desired_stack
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
) -> UpResult:
    project = request.project
    services = [s for s in SERVICES if not (request.offline and s == "grafana")]
    records = runtime.containers(project.label_filter)
    if engine_is_local(runtime.address):
        checked = [s for s in services if _selected(request, s)]
        check_ports(project, checked, observed.held_ports(records), is_free)
    refs = request.images.for_mode(request.offline)
    images = obtain_images(runtime, refs, request.offline, ["app-base", *services[1:]], reporter)
    images["app"] = build_app(runtime, project, request.app_dir, images["app-base"].ref, reporter)
    catalog = load_catalog()
    spec = _spec(runtime, request, images, records, catalog)
    plan = [a for a in convergence_plan(spec.hashes, observed.for_plan(records)) if _selected(request, a.service)]
    changes = ", ".join(f"{a.kind} {a.service}" for a in plan if a.kind != KEEP) or "waiting until ready"
    note = (f"Stack {project.name!r} was being changed ({changes}) and may be incomplete (a service stopped or "
            f"missing): run `{up_command(project, request.offline, {} if request.offline else request.images.overrides)}` to finish it")
    with interrupts.while_changing(f"up:{project.name}", note):
        converge(runtime, spec, plan, _checks(request, spec, catalog), reporter, clock)
    return UpResult(observed.stack_info(runtime, project.name), plan)


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
    image_id = runtime.build_image(context, project.app_image, {"BASE_IMAGE": base}, project.labels("app"), reporter.build)
    return ImageChoice(project.app_image, image_id)


def _spec(runtime: DockerRuntime, request: UpRequest, images: dict[str, ImageChoice], records: list[ContainerRecord], catalog: Catalog) -> StackSpec:
    password = "" if request.offline else grafana_password(runtime, request.project)
    overrides = {} if request.offline else request.images.overrides
    return stack_spec(request.project, request.offline, images, password, provisioned_rule_uids(records), catalog, overrides)


def stack_spec(
    project: Project,
    offline: bool,
    images: dict[str, ImageChoice],
    password: str,
    provisioned: tuple[str, ...] = (),
    catalog: Catalog | None = None,
    image_overrides: dict[str, str] | None = None,
) -> StackSpec:
    """The stack `up` converges to (pure): also what `monlab export` writes as Compose or Kubernetes."""
    from monlab.render import RenderContext, render_stack, require_sound_grafana

    catalog = catalog or load_catalog()
    rendered = render_stack(
        RenderContext(project=project.name, grafana_url=project.host_url("grafana"), retired_rule_uids=provisioned),
        catalog,
    )
    if not offline:
        require_sound_grafana(rendered["grafana"])
    rule_uids = tuple(sorted(set(provisioned) | {alert.uid for alert in catalog.alerts}))
    options = StackOptions(offline=offline, grafana_password=password, grafana_rule_uids=rule_uids,
                           image_overrides=encode_overrides(image_overrides or {}))
    return desired_stack(project, rendered, images, options)


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
) -> None:
    created: list[str] = []
    network_created = False
    try:
        network_created = runtime.ensure_network(spec.network, spec.project.labels())
        for name, labels in spec.volumes.items():
            runtime.ensure_volume(name, labels)
        containers = {}
        for action in plan:
            reporter.step(f"{action.kind.capitalize()} {action.service}")
            cid = _apply(runtime, spec, action, created)
            if cid:
                containers[action.service] = cid
        reporter.step("Waiting until the stack is ready")
        readiness.wait_ready(runtime, containers, checks(_urls(spec)), clock)
    except BaseException as error:
        _undo(runtime, created, spec.network if network_created else None)
        if isinstance(error, MonlabError) and created:
            error.message += f"; removed the {len(created)} container(s) this run created, data volumes are kept"
        raise


def _apply(runtime: DockerRuntime, spec: StackSpec, action: Action, created: list[str]) -> str | None:
    """Carry out one action; returns the service's container id afterwards (None once removed)."""
    if action.kind in (REMOVE, RECREATE):
        runtime.remove_container(action.container_id)
    if action.kind == REMOVE:
        return None
    if action.kind in (CREATE, RECREATE):
        service = spec.service(action.service)
        runtime.refuse_foreign_container(service.create.name, spec.project.labels())
        cid = runtime.create_container(service.create)
        created.append(cid)
        if service.files:
            runtime.put_files(cid, service.files)
        runtime.start(cid)
        return cid
    if action.kind == START:
        runtime.start(action.container_id)
    assert action.kind in (START, KEEP), action
    return action.container_id


def _undo(runtime: DockerRuntime, created: list[str], network: str | None) -> None:
    for cid in reversed(created):
        try:
            runtime.remove_container(cid)
        except MonlabError:
            pass
    if network:
        try:
            runtime.remove_network(network)
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
        datasource_uid=DATASOURCE_UID, dashboard_uid=DASHBOARD_UID, rule_uids=rule_uids,
    )


def _urls(spec: StackSpec) -> dict[str, str]:
    return {s.service: spec.project.host_url(s.service) for s in spec.services}


def _selected(request: UpRequest, service: str) -> bool:
    return request.only is None or service in request.only

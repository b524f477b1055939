"""The Docker engine: reachable, usable by this user, and what monlab already has on it."""

from __future__ import annotations

import os

from monlab.docker_runtime import engine_address
from monlab.doctor.model import DoctorContext, Verdict, fail, ok
from monlab.project import LABEL_PROJECT
from monlab.stack.spec import LABEL_MODE


def engine(ctx: DoctorContext) -> Verdict:
    if ctx.runtime is None:
        return fail(ctx.engine_error,
                    "Start it (`sudo systemctl start docker`, or `sudo dockerd &`), or point DOCKER_HOST at one; "
                    "not installed: `sudo bash setup.sh`")
    version = ctx.runtime.engine_version()
    return ok(f"Docker {version['version']} (API {version['api_version']}) at {ctx.runtime.address}")


def permission(ctx: DoctorContext) -> Verdict:
    address = engine_address()
    if ctx.runtime is not None:
        return ok("this user may use the engine")
    socket_path = address.removeprefix("unix://")
    if address.startswith("unix://") and os.path.exists(socket_path) and not os.access(socket_path, os.R_OK | os.W_OK):
        return fail(f"{socket_path} exists but this user may not use it",
                    "sudo usermod -aG docker $USER, then log in again (or run monlab with sudo)")
    return ok("nothing refused this user (the engine itself does not answer)")


def stack(ctx: DoctorContext) -> Verdict:
    records = ctx.runtime.containers(ctx.project.label_filter)
    if not records:
        return ok(f"project {ctx.project.name!r} has no stack yet: `monlab up` creates it")
    modes = {r.labels.get(LABEL_MODE, "?") for r in records}
    running = sum(r.state == "running" for r in records)
    return ok(f"project {ctx.project.name!r}: {'/'.join(sorted(modes))} stack, {running} of {len(records)} containers running")


def other_projects(ctx: DoctorContext) -> Verdict:
    names = sorted({r.labels.get(LABEL_PROJECT, "") for r in ctx.runtime.containers(LABEL_PROJECT)} - {ctx.project.name, ""})
    return ok(f"other monlab projects here: {', '.join(names)}" if names else "no other monlab projects on this engine")

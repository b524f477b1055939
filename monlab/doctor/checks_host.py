"""This machine: the project's ports, disk space for the images, the CPU architecture."""

from __future__ import annotations

import os
import platform
import shutil

from monlab.doctor.model import DoctorContext, Verdict, fail, ok, warn
from monlab.errors import MonlabError
from monlab.project import SERVICES
from monlab.stack import observed
from monlab.stack.ports import check_ports

IMAGES_NEED_GIB = 2.0  # the offline images, the app image and a little Prometheus data
ARCHITECTURES = ("x86_64", "amd64", "aarch64", "arm64")


def ports(ctx: DoctorContext) -> Verdict:
    held = observed.held_ports(ctx.runtime.containers(ctx.project.label_filter)) if ctx.runtime else set()
    wanted = ", ".join(str(ctx.project.host_port(s)) for s in SERVICES)
    try:
        check_ports(ctx.project, SERVICES, held)
    except MonlabError as error:
        return fail(error.message, error.hint or "")
    return ok(f"free on {ctx.project.bind} (or this project's own): {wanted}")


def disk(ctx: DoctorContext) -> Verdict:
    where = "/var/lib/docker" if os.path.isdir("/var/lib/docker") else "/"
    free_gib = shutil.disk_usage(where).free / 2**30
    if free_gib < IMAGES_NEED_GIB:
        return warn(f"{free_gib:.1f} GiB free under {where}; the images need about {IMAGES_NEED_GIB:.0f} GiB",
                    "docker system df, then remove what you do not need (docker image prune)")
    return ok(f"{free_gib:.0f} GiB free under {where}")


def architecture(ctx: DoctorContext) -> Verdict:
    machine = platform.machine()
    if machine.lower() in ARCHITECTURES:
        return ok(machine)
    return warn(f"{machine}: the pinned images are built for amd64 and arm64 only",
                "use an amd64 or arm64 machine, or `monlab images bootstrap` (Debian builds for most)")

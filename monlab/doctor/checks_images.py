"""Where the images come from: the registry (online), or the Debian bootstrap (offline)."""

from __future__ import annotations

import shutil

from monlab.doctor.model import DoctorContext, Verdict, fail, ok, warn
from monlab.project import OFFLINE_IMAGES
from monlab.stack.mode import choose_mode
from monlab.stack.spec import LABEL_MODE


def registry(ctx: DoctorContext) -> Verdict:
    online_here = ctx.images_here(ctx.refs.online.values())
    if all(online_here.values()):
        return ok("the online images are here already; no pull needed")
    down = [p for p in ctx.registries() if not p.reachable]
    if not down:
        return ok(f"reachable: {', '.join(p.host for p in ctx.registries())}")
    why = "; ".join(f"{p.host}: {p.detail}" for p in down)
    if not choose_mode(None, _stack_mode(ctx), False, ctx.registries).offline:  # a plain `up` stays online
        missing = [ref for ref, here in online_here.items() if not here]
        return fail(f"project {ctx.project.name!r} is an online stack and needs {', '.join(missing)}, which is not "
                    f"on this machine, and no registry is reachable ({why})",
                    "registry access, `monlab images load FILE` from a machine that has it, or "
                    f"`monlab up --offline --project {ctx.project.name}` to switch the stack to the offline images")
    if all(ctx.images_here(OFFLINE_IMAGES.values()).values()) or shutil.which("mmdebstrap"):
        return warn(f"no registry reachable ({why}); `monlab up` falls back to the offline stack (no Grafana)",
                    "for Grafana: registry access, or `monlab images load FILE` from a machine that has it")
    return fail(f"no registry reachable ({why}) and no way to build the offline images",
                "sudo apt-get install mmdebstrap (then `monlab up` builds the offline stack), or `monlab images load FILE`")


def _stack_mode(ctx: DoctorContext) -> str | None:
    """The mode label of the project's stack, None without one."""
    records = ctx.runtime.containers(ctx.project.label_filter)
    return next((r.labels[LABEL_MODE] for r in records if r.labels.get(LABEL_MODE)), None)


def offline_images(ctx: DoctorContext) -> Verdict:
    missing = [ref for ref, here in ctx.images_here(OFFLINE_IMAGES.values()).items() if not here]
    if not missing:
        return ok("present: " + ", ".join(OFFLINE_IMAGES.values()))
    return warn(f"missing: {', '.join(missing)} (needed only without registry access)", "monlab images bootstrap")


def mmdebstrap(ctx: DoctorContext) -> Verdict:
    path = shutil.which("mmdebstrap")
    if path:
        return ok(f"at {path}")
    return warn("not installed: the offline images cannot be built here", "sudo apt-get install mmdebstrap")

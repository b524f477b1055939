"""Where the images come from: the registry (online), or the Debian bootstrap (offline)."""

from __future__ import annotations

import shutil

from monlab.doctor.model import DoctorContext, Verdict, fail, ok, warn
from monlab.project import OFFLINE_IMAGES


def registry(ctx: DoctorContext) -> Verdict:
    online_here = ctx.images_here(ctx.refs.online.values())
    if all(online_here.values()):
        return ok("the online images are here already; no pull needed")
    down = [p for p in ctx.registries() if not p.reachable]
    if not down:
        return ok(f"reachable: {', '.join(p.host for p in ctx.registries())}")
    why = "; ".join(f"{p.host}: {p.detail}" for p in down)
    if all(ctx.images_here(OFFLINE_IMAGES.values()).values()) or shutil.which("mmdebstrap"):
        return warn(f"no registry reachable ({why}); `monlab up` falls back to the offline stack (no Grafana)",
                    "for Grafana: registry access, or `monlab images load FILE` from a machine that has it")
    return fail(f"no registry reachable ({why}) and no way to build the offline images",
                "sudo apt-get install mmdebstrap (then `monlab up` builds the offline stack), or `monlab images load FILE`")


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

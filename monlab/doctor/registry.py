"""Every check `monlab doctor` runs, by name, in the order shown. Adding one: a small function in a
checks_*.py module and one entry here."""

from __future__ import annotations

from monlab.doctor import checks_engine, checks_host, checks_images
from monlab.doctor.model import Check

CHECKS: dict[str, Check] = {check.name: check for check in (
    Check("docker engine", checks_engine.engine, needs_engine=False),
    Check("docker permission", checks_engine.permission, needs_engine=False),
    Check("podman", checks_engine.podman),
    Check("container registry", checks_images.registry),
    Check("offline images", checks_images.offline_images),
    Check("mmdebstrap", checks_images.mmdebstrap, needs_engine=False),
    Check("host ports", checks_host.ports, needs_engine=False),
    Check("disk space", checks_host.disk, needs_engine=False),
    Check("cpu architecture", checks_host.architecture, needs_engine=False),
    Check("this project's stack", checks_engine.stack),
    Check("other monlab projects", checks_engine.other_projects),
)}

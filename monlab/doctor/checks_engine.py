"""The Docker engine: reachable, usable by this user, and what monlab already has on it."""

from __future__ import annotations

import getpass
import os
import pwd

from monlab.docker_runtime import engine_address
from monlab.engine import UNPRIVILEGED_PORT_START, looks_like_podman
from monlab.doctor.model import DoctorContext, Verdict, fail, ok
from monlab.project import DEFAULT_PROJECT, LABEL_PROJECT, SERVICES
from monlab.stack.spec import LABEL_MODE


def engine(ctx: DoctorContext) -> Verdict:
    if ctx.runtime is None:
        address = engine_address()
        if looks_like_podman(address):
            return fail(ctx.engine_error,
                        f"Start Podman's Docker-compatible service: `podman system service --time=0 {address} &` "
                        "(or `systemctl --user enable --now podman.socket`, rootful: `sudo systemctl enable --now podman.socket`)")
        return fail(ctx.engine_error,
                    "Start it (`sudo systemctl start docker`, or `sudo dockerd &`), or point DOCKER_HOST at one; "
                    "not installed: `sudo bash setup.sh`")
    return ok(f"{ctx.runtime.engine_facts().describe()} at {ctx.runtime.address}")


def podman(ctx: DoctorContext) -> Verdict:
    """What Podman needs beyond Docker: its service answering (see `docker engine`), and, rootless,
    host ports at or above the unprivileged start and subordinate uids for the images' users."""
    facts = ctx.runtime.engine_facts()
    if not facts.is_podman:
        return ok(f"the engine is {facts.name}: nothing Podman-specific to check")
    if ctx.runtime.network_dns(ctx.project.network) is False:
        return fail(f"containers on {ctx.project.network} cannot find each other by name (Podman made it without DNS), "
                    "so Prometheus cannot scrape the app",
                    "Install container DNS (netavark with aardvark-dns, or on the CNI backend the dnsname plugin: "
                    f"Debian's golang-github-containernetworking-plugin-dnsname), then `monlab teardown{_project_flag(ctx)}` and `monlab up`")
    if not facts.rootless:
        return ok(f"Podman {facts.version}, rootful, through its Docker-compatible service")
    ports = [ctx.project.host_port(service) for service in SERVICES]
    return rootless_verdict(ports, unprivileged_port_start(), has_subuids(socket_owner(ctx.runtime.address)))


def _project_flag(ctx: DoctorContext) -> str:
    return "" if ctx.project.name == DEFAULT_PROJECT else f" --project {ctx.project.name}"


def socket_owner(address: str) -> str:
    """Who runs a rootless engine: the owner of its socket (root may be talking to a user's Podman)."""
    try:
        return pwd.getpwuid(os.stat(address.removeprefix("unix://")).st_uid).pw_name
    except (OSError, KeyError):
        return getpass.getuser()


def rootless_verdict(ports: list[int], port_start: int, subuids: bool) -> Verdict:
    low = [port for port in ports if port < port_start]
    if low:
        return fail(f"rootless Podman cannot publish host ports below {port_start}: {', '.join(map(str, low))}",
                    f"Choose a --port-offset that puts every port at {port_start} or above")
    if not subuids:
        return fail("rootless Podman needs subordinate uids for this user (Prometheus runs as 65534, Grafana as 472)",
                    "sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $USER, then `podman system migrate`")
    return ok(f"rootless Podman: ports {', '.join(map(str, ports))} are at or above {port_start}, subordinate uids are set")


def unprivileged_port_start(path: str = "/proc/sys/net/ipv4/ip_unprivileged_port_start") -> int:
    try:
        return int(open(path).read().strip())
    except (OSError, ValueError):
        return UNPRIVILEGED_PORT_START


def has_subuids(user: str, path: str = "/etc/subuid") -> bool:
    try:
        return any(line.split(":")[0] == user for line in open(path).read().splitlines())
    except OSError:
        return False


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

"""Online or offline: what plain `monlab up` does when nobody said, as a pure decision over what
was observed. Probing the registry is passed in as a callable, so it is asked only when needed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from monlab.registry_probe import RegistryProbe


@dataclass(frozen=True)
class ModeChoice:
    offline: bool
    reason: str  # one sentence for the user when `fell_back`, else for --json and tests
    fell_back: bool = False  # chose offline by itself: say so, and build the offline images if missing


def choose_mode(
    requested: str | None,  # "online" (--online), "offline" (--offline), or None
    observed: str | None,  # the mode label of the project's existing stack, if any
    online_images_here: bool,
    registries: Callable[[], list[RegistryProbe]],
) -> ModeChoice:
    if requested == "offline":
        return ModeChoice(True, "--offline was given")
    if requested == "online":
        return ModeChoice(False, "--online was given")
    if observed in ("online", "offline"):
        return ModeChoice(observed == "offline", f"the stack is {observed}; --online or --offline switches it")
    if online_images_here:
        return ModeChoice(False, "the online images are on this machine")
    unreachable = [p for p in registries() if not p.reachable]
    if not unreachable:
        return ModeChoice(False, "the container registry is reachable")
    why = "; ".join(f"{p.host}: {p.detail}" for p in unreachable)
    return ModeChoice(
        True,
        f"No container registry is reachable ({why}) and the online images are not here, so this is the "
        "offline stack: app and Prometheus from Debian packages, without Grafana (`monlab up --online` forces a pull)",
        fell_back=True,
    )

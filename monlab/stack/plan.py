"""What to do to get from the containers there are to the containers wanted: a pure function,
like compose 1.x's convergence plan, deciding on what was observed of each container: its state,
its config-hash label, and what labels cannot prove (its name, the network it is attached to, the
files inside it compared with the render)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

CREATE, RECREATE, START, UNPAUSE, KEEP, REMOVE = "create", "recreate", "start", "unpause", "keep", "remove"
STARTABLE = ("created", "exited")
HOLDS_PORTS = ("running", "paused", "restarting")  # a paused container keeps its published ports


@dataclass(frozen=True)
class Observed:
    container_id: str
    service: str
    state: str
    config_hash: str
    attached: bool = True  # attached to the project's network, by id
    files_match: bool = True  # the files read back from it are the render's
    named: bool = True  # carries the service's name (not one set aside by an interrupted recreate)

    def sound(self, wanted_hash: str) -> bool:
        """Made from the wanted config, and still what it was made as."""
        return self.config_hash == wanted_hash and self.attached and self.files_match and self.named


@dataclass(frozen=True)
class Action:
    kind: str
    service: str
    container_id: str | None = None  # the existing container acted on (start, keep, remove, recreate)

    @property
    def changes(self) -> bool:
        return self.kind != KEEP


def convergence_plan(desired: Mapping[str, str], observed: Sequence[Observed]) -> list[Action]:
    """`desired`: service -> config hash, in start order. Removals come first, then one action per
    desired service."""
    by_service: dict[str, list[Observed]] = {}
    for found in observed:
        by_service.setdefault(found.service, []).append(found)
    removals = [Action(REMOVE, o.service, o.container_id) for o in observed if o.service not in desired]
    actions = []
    for service, wanted_hash in desired.items():
        best, *extras = sorted(by_service.get(service, []), key=lambda o: _preference(o, wanted_hash)) or [None]
        removals += [Action(REMOVE, service, o.container_id) for o in extras]
        actions.append(_action_for(service, wanted_hash, best))
    return removals + actions


def _preference(found: Observed, wanted_hash: str) -> tuple[bool, bool, bool, str]:
    """Among duplicates keep the one already right: sound first, then running, then paused."""
    return (not found.sound(wanted_hash), found.state != "running", found.state != "paused", found.container_id)


def _action_for(service: str, wanted_hash: str, found: Observed | None) -> Action:
    if found is None:
        return Action(CREATE, service)
    if not found.sound(wanted_hash):
        return Action(RECREATE, service, found.container_id)
    if found.state == "running":
        return Action(KEEP, service, found.container_id)
    if found.state == "paused":
        return Action(UNPAUSE, service, found.container_id)
    if found.state in STARTABLE:
        return Action(START, service, found.container_id)
    return Action(RECREATE, service, found.container_id)  # restarting, dead: start afresh

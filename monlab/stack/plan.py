"""What to do to get from the containers there are to the containers wanted: a pure function,
like compose 1.x's convergence plan, deciding by service label, state and config-hash label."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

CREATE, RECREATE, START, KEEP, REMOVE = "create", "recreate", "start", "keep", "remove"
STARTABLE = ("created", "exited")


@dataclass(frozen=True)
class Observed:
    container_id: str
    service: str
    state: str
    config_hash: str


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


def _preference(found: Observed, wanted_hash: str) -> tuple[bool, bool]:
    """Among duplicates keep the one already right: matching hash first, then running."""
    return (found.config_hash != wanted_hash, found.state != "running")


def _action_for(service: str, wanted_hash: str, found: Observed | None) -> Action:
    if found is None:
        return Action(CREATE, service)
    if found.config_hash != wanted_hash:
        return Action(RECREATE, service, found.container_id)
    if found.state == "running":
        return Action(KEEP, service, found.container_id)
    if found.state in STARTABLE:
        return Action(START, service, found.container_id)
    return Action(RECREATE, service, found.container_id)  # paused, restarting, dead: start afresh

"""What a check sees and what it says."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable

from monlab.image_refs import ImageRefs
from monlab.project import Project
from monlab.registry_probe import RegistryProbe, probe_all

OK, WARN, FAIL = "ok", "warn", "fail"


@dataclass(frozen=True)
class Verdict:
    status: str  # ok, warn (up can still succeed), fail (up cannot)
    detail: str
    fix: str = ""  # the exact command or step that makes it ok; empty when ok


@dataclass(frozen=True)
class Check:
    name: str
    run: Callable[["DoctorContext"], Verdict]
    needs_engine: bool = True


@dataclass
class DoctorContext:
    project: Project
    refs: ImageRefs
    runtime: object | None  # a DockerRuntime, or None when the engine does not answer
    engine_error: str = ""
    _registries: list[RegistryProbe] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def registries(self) -> list[RegistryProbe]:
        """The registries of the online images, probed once however many checks ask."""
        with self._lock:
            if self._registries is None:
                self._registries = probe_all(self.refs.online.values())
            return self._registries

    def images_here(self, refs) -> dict[str, bool]:
        return {ref: self.runtime.image_id(ref) is not None for ref in refs}


def ok(detail: str) -> Verdict:
    return Verdict(OK, detail)


def warn(detail: str, fix: str) -> Verdict:
    return Verdict(WARN, detail, fix)


def fail(detail: str, fix: str) -> Verdict:
    return Verdict(FAIL, detail, fix)

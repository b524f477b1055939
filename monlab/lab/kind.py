"""What a step kind is: its fields, how its parameters are parsed, and how it runs.

A kind is one module under monlab/lab/kinds/ that defines KIND; the registry lists them all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from monlab.catalog import Catalog
from monlab.labfile import LabFileError, join

if TYPE_CHECKING:
    from monlab.lab.context import RunContext
    from monlab.lab.results import CheckResult
    from monlab.lab.timing import Timing

LOAD_ID = "traffic/load step id"  # what StepSource.earlier calls a load's id

FieldTypes = Mapping[str, "type | tuple[type, ...]"]


@dataclass
class References:
    """Names defined by earlier steps of one lab, so a later step can only refer backwards."""

    marks: set[str] = field(default_factory=set)
    figures: set[str] = field(default_factory=set)
    loads: set[str] = field(default_factory=set)
    snapshots: dict[str, list[str]] = field(default_factory=dict)  # mark -> queries to read at it


@dataclass(frozen=True)
class StepSource:
    """One step's checked fields, with where they came from for error messages."""

    file: Path
    where: str  # e.g. "steps[3].expect"
    data: dict[str, Any]
    catalog: Catalog
    refs: References
    used: list[tuple[str, str]] = field(default_factory=list)  # (what, name) of each earlier definition it needs

    def error(self, key: str, problem: str) -> LabFileError:
        return LabFileError(self.file, join(self.where, key) if key else self.where, problem)

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def one_of(self, keys: tuple[str, ...]) -> str:
        present = [k for k in keys if k in self.data]
        if len(present) != 1:
            raise self.error("", f"needs exactly one of {', '.join(keys)}" + (f" (got {', '.join(present)})" if present else ""))
        return present[0]

    def earlier(self, key: str, name: str, defined: set[str], what: str) -> str:
        if not isinstance(name, str):
            raise self.error(key, f"must name an earlier {what} (a string), got {name!r}")
        if name not in defined:
            known = ", ".join(sorted(defined)) or "none"
            raise self.error(key, f"no earlier {what} named {name!r} (defined before this step: {known})")
        self.used.append((what, name))
        return name

    def positive(self, key: str, default: float | None = None, maximum: float | None = None) -> float | None:
        value = self.data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.error(key, f"must be a finite number, got {value!r}")
        if value <= 0 or (maximum is not None and value > maximum):
            raise self.error(key, f"must be more than 0{f' and at most {maximum:g}' if maximum else ''}, got {value!r}")
        return value


def no_snapshots(params: Any) -> list[tuple[str, str]]:
    return []


def no_wait(params: Any, timing: "Timing") -> float:
    return 0.0


@dataclass(frozen=True)
class Kind:
    name: str
    summary: str  # one line for labs/README.md and error messages
    required: FieldTypes
    optional: FieldTypes
    parse: Callable[[StepSource], Any]
    run: Callable[["RunContext", Any], "list[CheckResult]"]
    describe: Callable[[Any], str]
    shorthand: str = ""  # `- mark: before` means `- mark: {name: before}` when shorthand is "name"
    snapshots: Callable[[Any], list[tuple[str, str]]] = no_snapshots  # (mark, query) pairs to read at marks
    controls_containers: bool = False  # stops, starts or redeploys a container: needs a Docker-run stack
    pace: Callable[[Any, "Timing"], float] = no_wait  # seconds it typically takes at this timing
    touches_app: bool = False  # sends requests to the app or restarts it: its counters change

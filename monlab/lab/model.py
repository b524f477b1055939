"""Lab files into validated steps: a wrong key, kind or type names the file and the key path."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monlab.catalog import Catalog, Section, load_catalog
from monlab.lab.kind import LOAD_ID, References, StepSource
from monlab.lab.kinds import KINDS
from monlab.labfile import LabFileError, check_fields, check_list

COMMON_FIELDS = {"title": str, "say": str}


@dataclass(frozen=True)
class Step:
    kind: str
    params: Any
    title: str  # what the step does, as shown and as its check's name
    say: str  # narration shown before it runs
    where: str  # "steps[3]"
    titled: bool = False  # the lab file gave the title: it names the step's check too
    needs: tuple[tuple[str, str], ...] = ()  # (what, name) defined by earlier steps, e.g. ("mark", "before")
    defines: tuple[tuple[str, str], ...] = ()  # (what, name) this step sets for later steps


@dataclass(frozen=True)
class Lab:
    section: Section
    steps: tuple[Step, ...]
    snapshots: dict[str, tuple[str, ...]]  # mark name -> queries read when the mark is set

    @property
    def name(self) -> str:
        return self.section.name

    @property
    def controls_containers(self) -> bool:
        """Some step stops, starts or redeploys a container: the section needs a stack run in Docker."""
        return any(KINDS[step.kind].controls_containers for step in self.steps)


def load_labs(catalog: Catalog | None = None) -> list[Lab]:
    """Every section of `catalog` (default: the shipped labs/) as validated steps."""
    catalog = catalog or load_catalog()
    return [load_lab(section, catalog) for section in catalog.sections]


def load_lab(section: Section, catalog: Catalog) -> Lab:
    refs = References()
    steps = tuple(
        _step(section, catalog, refs, i, raw)
        for i, raw in enumerate(check_list(section.file, "steps", list(section.steps)))
    )
    if not steps:
        raise LabFileError(section.file, "steps", "missing: a lab needs at least one step")
    return Lab(section, steps, {mark: tuple(dict.fromkeys(exprs)) for mark, exprs in refs.snapshots.items()})


def _step(section: Section, catalog: Catalog, refs: References, index: int, raw: Any) -> Step:
    where = f"steps[{index}]"
    if not isinstance(raw, dict) or len(raw) != 1:
        raise LabFileError(section.file, where, "must be a mapping with exactly one kind, e.g. `- mark: before`")
    kind_name, body = next(iter(raw.items()))
    kind = KINDS.get(kind_name)
    if kind is None:
        raise LabFileError(section.file, f"{where}.{kind_name}", f"unknown kind (kinds: {', '.join(sorted(KINDS))})")
    where = f"{where}.{kind_name}"
    if kind.shorthand and not isinstance(body, dict):
        body = {kind.shorthand: body}
    data = check_fields(section.file, where, body if body is not None else {}, kind.required,
                        {**COMMON_FIELDS, **kind.optional})
    before = _defined(refs)
    source = StepSource(section.file, where, data, catalog, refs)
    params = kind.parse(source)
    for mark, expr in kind.snapshots(params):
        refs.snapshots.setdefault(mark, []).append(expr)
    return Step(kind_name, params, data.get("title") or kind.describe(params), data.get("say", "").strip(), f"steps[{index}]",
                "title" in data, tuple(dict.fromkeys(source.used)), tuple(sorted(_defined(refs) - before)))


def _defined(refs: References) -> set[tuple[str, str]]:
    """Everything earlier steps defined, as (what, name) in the words StepSource.earlier uses."""
    return ({("mark", m) for m in refs.marks} | {("figure", f) for f in refs.figures}
            | {(LOAD_ID, load) for load in refs.loads})

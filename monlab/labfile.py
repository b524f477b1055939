"""Reading lab files with errors that name the file and the key path (e.g. `labs/x.yaml: steps[2].kind`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import yaml

from monlab.errors import ConfigError

# libyaml's safe loader parses the lab files several times faster than the pure-Python one.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LabFileError(ConfigError):
    def __init__(self, file: Path | str, key_path: str, problem: str) -> None:
        key_path, problem = _printable(key_path), _printable(problem)  # one line, whatever keys a file holds
        where = f"{Path(file).name}: {key_path}" if key_path else Path(file).name
        super().__init__(f"{where}: {problem}", "Fix the lab file (see labs/README.md for the format).")
        self.file = str(file)
        self.key_path = key_path


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


MAX_BYTES = 64 * 1024  # the shipped lab files are 2-3 KB
MAX_ALIASES = 20  # a few `*anchor` reuses are fine; hundreds are how "billion laughs" files start
MAX_NODES = 50_000  # values after every alias is expanded (the shipped files have a few hundred)


def read_yaml(file: Path) -> dict[str, Any]:
    """A lab file's top-level mapping; files over the size limit, or whose aliases would expand
    beyond the node limit, are refused with the key path before anything walks the data."""
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise LabFileError(file, "", f"is {size} bytes; lab files may have at most {MAX_BYTES}")
        text = file.read_text(encoding="utf-8")
        check_expansion(file, text)
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except OSError as exc:
        raise LabFileError(file, "", f"cannot be read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise LabFileError(file, "", "is not UTF-8 text") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise LabFileError(file, "", f"is not valid YAML{at}") from exc
    if not isinstance(data, dict):
        raise LabFileError(file, "", "must be a mapping at the top level")
    return data


class _Open:
    """A mapping or sequence being read: its key path, its size so far, and where the next child goes."""

    def __init__(self, path: str, anchor: str | None, mapping: bool) -> None:
        self.path, self.anchor, self.mapping = path, anchor, mapping
        self.size = 1
        self.index = 0  # sequences: next item; mappings: even = a key comes next, odd = its value
        self.key = ""

    def child_path(self) -> str:
        if not self.mapping:
            return join(self.path, self.index)
        return join(self.path, self.key) if self.index % 2 else self.path

    def add(self, size: int, scalar: str | None) -> None:
        if self.mapping and self.index % 2 == 0:
            self.key = scalar if scalar is not None else "?"
        self.size += size
        self.index += 1


def check_expansion(file: Path, text: str) -> None:
    """Count alias events and the nodes they expand to from the event stream (linear in the file's
    size, nothing expanded): too many aliases or nodes is refused with the key path where it happened."""
    anchors: dict[str, int] = {}
    stack: list[_Open] = []
    aliases = 0
    for event in yaml.parse(text, Loader=_SAFE_LOADER):
        where = stack[-1].child_path() if stack else ""
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            stack.append(_Open(where, event.anchor, isinstance(event, yaml.MappingStartEvent)))
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            done = stack.pop()
            size, scalar, anchor = done.size, None, done.anchor
        elif isinstance(event, yaml.ScalarEvent):
            size, scalar, anchor = 1, event.value, event.anchor
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise LabFileError(file, where, f"more than {MAX_ALIASES} aliases (*{event.anchor}); write the values out")
            size, scalar, anchor = anchors.get(event.anchor, 1), None, None
        else:
            continue
        if anchor:
            anchors[anchor] = size
        if stack:
            stack[-1].add(size, scalar)
            if stack[0].size + sum(s.size for s in stack[1:]) > MAX_NODES:
                raise LabFileError(file, where, f"expands to more than {MAX_NODES} values through its aliases")


_TYPE_NAMES = {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
               list: "a list", dict: "a mapping"}


def _type_name(expected: type | tuple[type, ...]) -> str:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(_TYPE_NAMES.get(k, k.__name__) for k in kinds)


def check_fields(
    file: Path,
    key_path: str,
    mapping: Any,
    required: Mapping[str, type | tuple[type, ...]],
    optional: Mapping[str, type | tuple[type, ...]] = {},
) -> dict[str, Any]:
    """Check that `mapping` has exactly the allowed keys with the right types; returns it."""
    if not isinstance(mapping, dict):
        raise LabFileError(file, key_path, "must be a mapping")
    allowed = {**required, **optional}
    for key in mapping:
        if key not in allowed:
            choices = ", ".join(sorted(allowed))
            raise LabFileError(file, join(key_path, str(key)), f"unknown key (allowed: {choices})")
    for key in required:
        if key not in mapping:
            raise LabFileError(file, join(key_path, key), "missing")
    for key, value in mapping.items():
        expected = allowed[key]
        numeric = expected in (float, (int, float)) and isinstance(value, int) and not isinstance(value, bool)
        if not numeric and (not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool)):
            raise LabFileError(file, join(key_path, key), f"must be {_type_name(expected)}, got {value!r}")
    return mapping


def check_list(file: Path, key_path: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise LabFileError(file, key_path, "must be a list")
    return value


def join(key_path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{key_path}[{key}]"
    return f"{key_path}.{key}" if key_path else key

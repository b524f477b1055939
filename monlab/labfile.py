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


def read_yaml(file: Path) -> dict[str, Any]:
    try:
        data = yaml.load(file.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
    except OSError as exc:
        raise LabFileError(file, "", f"cannot be read ({exc.strerror})") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise LabFileError(file, "", f"is not valid YAML{at}") from exc
    if not isinstance(data, dict):
        raise LabFileError(file, "", "must be a mapping at the top level")
    return data


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

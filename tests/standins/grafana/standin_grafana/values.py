"""Small value parsers shared by the provisioning readers."""

from __future__ import annotations

import os
import re

# pkg/services/provisioning/values/values.go: string values in provisioning files are interpolated
# with environment variables ($VAR or ${VAR}); `$$` stands for a literal `$`.
_ENV_REF = re.compile(r"\$(\$|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def interpolate(value: object) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)

    def repl(match: re.Match) -> str:
        if match.group(1) == "$":
            return "$"
        return os.environ.get(match.group(2) or match.group(3) or "", "")

    return _ENV_REF.sub(repl, text)


# github.com/prometheus/common/model.ParseDuration, which Grafana uses for `interval` and `for`.
_DURATION = re.compile(r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$")
_UNIT_SECONDS = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001)


def parse_duration(text: str) -> float:
    if text == "0":
        return 0.0
    match = _DURATION.match(text)
    if not text or not match:
        raise ValueError(f'not a valid duration string: "{text}"')
    return sum(int(part) * unit for part, unit in zip(match.groups(), _UNIT_SECONDS) if part)


def go_duration(seconds: float) -> str:
    """Go's time.Duration.String() for whole seconds, as Grafana prints them in errors: 15s, 1m0s, 1h0m0s."""
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


def as_int(value: object, default: int = 0) -> int:
    if value in (None, ""):
        return default
    return int(interpolate(value))


def as_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return interpolate(value).strip().lower() == "true"

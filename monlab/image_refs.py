"""Which image each part of the stack runs: the pinned online references, the bootstrapped offline
ones, and a user's overrides (`MONLAB_IMAGE_<KEY>=REF` or `--image key=REF`) on top of the pins."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from monlab.project import OFFLINE_IMAGES, ONLINE_IMAGES

ENV_PREFIX = "MONLAB_IMAGE_"
KEYS = tuple(ONLINE_IMAGES)  # "app-base", "prometheus", "grafana"

# A Docker reference as `docker pull` takes it: [registry[:port]/]path[:tag][@digest], lowercase path.
_REFERENCE = re.compile(
    r"^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"
)


DOCKER_HUB_DOMAIN = "docker.io"
_HUB_ALIASES = ("docker.io", "index.docker.io")


def domain_of(ref: str) -> str:
    """The registry a reference names, by Docker's rule: a first part with '.', ':' or 'localhost' is a
    registry, anything else is Docker Hub (docker.io). Podman instead guesses through its registry list,
    which is why monlab's own references are written fully qualified."""
    return normalized(ref).partition("/")[0]


def normalized(ref: str) -> str:
    """The fully qualified form of `ref`, as Docker reads it: `python:3.12-slim` is
    `docker.io/library/python:3.12-slim`; without tag or digest it means `:latest`. Engines report
    stored names in different forms (Docker's RepoTags drop `docker.io/`, Podman's keep it), so
    references are compared in this form."""
    first, sep, rest = ref.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        domain, path = (DOCKER_HUB_DOMAIN if first in _HUB_ALIASES else first), rest
    else:
        domain, path = DOCKER_HUB_DOMAIN, ref
    if domain == DOCKER_HUB_DOMAIN and "/" not in path:
        path = "library/" + path
    last = path.rsplit("/", 1)[-1]
    if ":" not in last and "@" not in last:
        path += ":latest"
    return f"{domain}/{path}"


def same_image(a: str, b: str) -> bool:
    return normalized(a) == normalized(b)


class BadImageOverride(ValueError):
    """An override names no known image or is not a Docker reference (a usage error, exit 2)."""


@dataclass(frozen=True)
class ImageRefs:
    online: dict[str, str]
    offline: dict[str, str] = field(default_factory=lambda: dict(OFFLINE_IMAGES))
    overridden: dict[str, str] = field(default_factory=dict)  # key -> where the override came from

    def for_mode(self, offline: bool) -> dict[str, str]:
        return self.offline if offline else self.online

    @property
    def overrides(self) -> dict[str, str]:
        """key -> reference, for the online images that are not the pins."""
        return {key: self.online[key] for key in sorted(self.overridden)}


def env_key(key: str) -> str:
    return ENV_PREFIX + key.upper().replace("-", "_")


def resolve(options: Sequence[str] = (), environ: Mapping[str, str] | None = None) -> ImageRefs:
    """The pins, then environment overrides (os.environ unless given), then `--image key=REF` options."""
    environ = os.environ if environ is None else environ
    online = dict(ONLINE_IMAGES)
    overridden: dict[str, str] = {}
    for key in KEYS:
        value = environ.get(env_key(key), "").strip()
        if value:
            online[key] = _checked(key, value, env_key(key))
            overridden[key] = env_key(key)
    for option in options:
        key, ref = parse_option(option)
        online[key] = ref
        overridden[key] = "--image"
    return ImageRefs(online, overridden=overridden)


def recorded(overrides: Mapping[str, str]) -> ImageRefs:
    """The references a stack was made with, from the overrides its labels recorded (LABEL_IMAGE_OVERRIDES)."""
    return ImageRefs({**ONLINE_IMAGES, **overrides}, overridden={key: "the stack's labels" for key in overrides})


def encode_overrides(overrides: Mapping[str, str]) -> str:
    return ",".join(f"{key}={ref}" for key, ref in sorted(overrides.items()))


def decode_overrides(text: str) -> dict[str, str]:
    """The inverse of encode_overrides; entries that are not a known key and a reference are dropped."""
    decoded = {}
    for entry in filter(None, text.split(",")):
        try:
            key, ref = parse_option(entry)
        except BadImageOverride:
            continue
        decoded[key] = ref
    return decoded


def parse_option(option: str) -> tuple[str, str]:
    key, sep, ref = option.partition("=")
    key, ref = key.strip().lower(), ref.strip()
    if not sep or not ref:
        raise BadImageOverride(f"--image takes KEY=REF, got {option!r} (keys: {', '.join(KEYS)})")
    if key not in KEYS:
        raise BadImageOverride(f"--image: unknown image {key!r}; use one of {', '.join(KEYS)}")
    return key, _checked(key, ref, "--image")


def _checked(key: str, ref: str, source: str) -> str:
    if not _REFERENCE.match(ref):
        raise BadImageOverride(f"{source}: {ref!r} is not a Docker image reference for {key} (e.g. registry.example/grafana/grafana:12.4.10)")
    return ref

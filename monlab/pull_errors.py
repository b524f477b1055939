"""Why a pull failed, told from the engine's message, as one sentence with the fix that fits.

The wordings are the registry protocol's error codes (distribution spec: MANIFEST_UNKNOWN,
UNAUTHORIZED, DENIED, TOOMANYREQUESTS) as the Docker engine passes them on, and the Go resolver's
and dialer's messages for a registry that cannot be reached.
"""

from __future__ import annotations

from dataclasses import dataclass

from monlab.errors import ImageUnavailable


@dataclass(frozen=True)
class PullFailure:
    kind: str
    markers: tuple[str, ...]  # lowercase substrings of the engine's message
    says: str  # what went wrong, after "Cannot pull REF: "
    fix: str


FAILURES = (
    PullFailure(
        "rate-limited", ("toomanyrequests", "too many requests", "pull rate limit"),
        "the registry's pull rate limit is reached",
        "Wait a few hours or `docker login` (authenticated pulls have a higher limit); in a classroom, "
        "pull once and carry the images with `monlab images save`/`load`.",
    ),
    PullFailure(
        "auth-required", ("unauthorized", "authentication required", "no basic auth credentials",
                          "pull access denied", "requested access to the resource is denied"),
        "the registry requires authentication for it (or the repository does not exist)",
        "Run `docker login` for that registry, or check the image name (`monlab images list`).",
    ),
    PullFailure(
        "tag-missing", ("manifest unknown", "not found: manifest", "manifest for", "name unknown"),
        "that tag does not exist in the registry",
        "Check the tag, or override it with `--image KEY=REF` / `MONLAB_IMAGE_<KEY>` (`monlab images list` shows the references).",
    ),
    PullFailure(
        "no-registry", ("no such host", "dial tcp", "connection refused", "i/o timeout", "network is unreachable",
                        "tls handshake timeout", "client.timeout exceeded", "server misbehaving",
                        "temporary failure in name resolution", "connection reset"),
        "no container registry is reachable from the Docker engine",
        "Without registry access run `monlab images bootstrap`, then `monlab up --offline`.",
    ),
)
UNKNOWN = PullFailure(
    "unknown", (), "the registry refused it",
    "Check the image reference (`monlab images list`) and the engine's registry settings.",
)


def classify(message: str) -> PullFailure:
    lowered = message.lower()
    return next((f for f in FAILURES if any(marker in lowered for marker in f.markers)), UNKNOWN)


def pull_error(ref: str, message: str) -> ImageUnavailable:
    failure = classify(message)
    error = ImageUnavailable(f"Cannot pull {ref}: {failure.says} ({_first_line(message)})", failure.fix)
    error.kind = failure.kind
    error.doctor_helps = failure.kind == "no-registry"  # a missing tag or a login is not doctor's to see
    return error


def _first_line(message: str, limit: int = 160) -> str:
    line = message.strip().splitlines()[0] if message.strip() else "no message"
    return line if len(line) <= limit else line[: limit - 1] + "…"

"""The one exception family users see. The CLI turns any MonlabError into exit 3 and one line."""

from __future__ import annotations


class MonlabError(Exception):
    """Something about the environment or the input is wrong; `hint` says what to do about it."""

    exit_code = 3
    doctor_helps = False  # `monlab doctor` would tell the user more (engine, registry, ports, images)

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        text = self.message.rstrip(".") + "."
        return f"{text} {self.hint}" if self.hint else text


class DockerUnavailable(MonlabError):
    """The Docker engine cannot be reached."""

    doctor_helps = True


class PortInUse(MonlabError):
    """A host port the stack needs is taken."""

    doctor_helps = True


class ImageUnavailable(MonlabError):
    """An image is neither local nor obtainable."""

    doctor_helps = True


class ServiceUnhealthy(MonlabError):
    """A container exited or never became ready."""


class ConfigError(MonlabError):
    """A file monlab reads (lab definition, template, app directory) is malformed."""


class ServiceError(MonlabError):
    """An HTTP service of the stack (Prometheus, Grafana, the app) did not answer as expected."""


class ForeignResource(MonlabError):
    """A container or network holds a monlab name without monlab's labels; never adopted or removed."""


class NotOurs(MonlabError):
    """A file, folder or image monlab did not make (or that was edited since) would be replaced or
    removed: refused, the thing untouched, unless the user says `--force`."""

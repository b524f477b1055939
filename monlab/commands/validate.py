"""One validator per option value a user types: a bad value is a usage error (exit 2, Typer's
BadParameter), never an environment error. The rules themselves live with the domain (Project)."""

from __future__ import annotations

import typer


def project_name(value: str) -> str:
    from monlab.errors import ConfigError
    from monlab.project import Project

    try:
        Project(value)
    except ConfigError as error:
        raise typer.BadParameter(error.one_line()) from None
    return value


def port_offset(value: int | None) -> int | None:
    if value is None:  # not given: the command decides (up keeps the stack's own)
        return None
    from monlab.errors import ConfigError
    from monlab.project import Project

    try:
        Project(port_offset=value)
    except ConfigError as error:
        raise typer.BadParameter(error.one_line()) from None
    return value


def bind_address(value: str | None) -> str | None:
    if value is None:
        return None
    from monlab.project import parse_bind

    try:
        return parse_bind(value)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def project_option(help: str = "Project name: prefix of every container, network and volume.") -> typer.models.OptionInfo:
    return typer.Option("monlab", "--project", "-p", help=help, callback=project_name)


def port_offset_option(help: str = "Added to the host ports 5000/9090/3000.", default: int | None = 0) -> typer.models.OptionInfo:
    return typer.Option(default, "--port-offset", help=help, callback=port_offset)


def bind_option(help: str = "Host address the ports are published on (IPv4 or IPv6).", default: str | None = "127.0.0.1") -> typer.models.OptionInfo:
    return typer.Option(default, "--bind", help=help, callback=bind_address)

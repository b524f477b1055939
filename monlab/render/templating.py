"""Jinja2 templates from templates/, with undefined values as errors rather than empty strings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from monlab.errors import ConfigError
from monlab.resources import templates_dir


def render_template(name: str, directory: Path | None = None, **values: Any) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(directory or templates_dir())),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    try:
        return env.get_template(name).render(**values)
    except jinja2.TemplateNotFound as exc:
        raise ConfigError(f"Template {name} is missing from {directory or templates_dir()}",
                          "Reinstall monlab or restore templates/ from git.") from exc
    except jinja2.UndefinedError as exc:
        raise ConfigError(f"Template {name} uses a value monlab does not provide: {exc.message}",
                          "Fix the template or the render context.") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise ConfigError(f"Template {name} line {exc.lineno}: {exc.message}", "Fix the template.") from exc

"""Where the shipped data lives: top-level labs/ and templates/ in a checkout, monlab/_data/ once installed."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def labs_dir() -> Path:
    return data_dir("labs")


def templates_dir() -> Path:
    return data_dir("templates")


def app_source_dir() -> Path:
    """The lab app, self-contained: the directory that becomes the app image's build context."""
    return _PACKAGE / "app"

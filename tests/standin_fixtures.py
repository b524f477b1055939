"""The session fixture that makes the stand-in images of issue 9 exist (tests/standins)."""

from __future__ import annotations

import pytest

from monlab.docker_runtime import connect
from standins import STANDINS, build, remove


@pytest.fixture(scope="session")
def standin_images(docker_client):
    """Build the stand-ins that are missing; afterwards remove only those this session built.
    Another helper's stand-ins (or real pulled images under the same tags) are left alone."""
    from monlab.images.build import bootstrap

    runtime = connect()
    bootstrap(runtime, force=False, say=lambda _line: None)  # the stand-ins' bases; nothing when present
    built = build(runtime, say=lambda _line: None)
    yield {s.key: s.ref for s in STANDINS}
    remove(runtime, refs=built, say=lambda _line: None)

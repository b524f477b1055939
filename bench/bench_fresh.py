"""Fresh machine to first lab: the engine runs but no monlab image exists; plain `monlab up` (the
README's first command, after setup) must end with a running stack and `monlab lab reliability`
must pass. Beside it, the sum of its parts measured one by one in the same run: bootstrapping the
offline images, `up` with the images present (app build and start), and the lab. Also the offline
images' size (what a classroom copies on a USB stick) and the bootstrap time, against their goals.

Removes the offline images to start from nothing, so run it on a bench machine, not beside a class.
"""

from __future__ import annotations

import subprocess

from bench_stack import BASE_IMAGE, PROJECT, PROMETHEUS_IMAGE, image_mib, port_offset, teardown
from measure import Row, python_command, timed

SIZE_GOAL_MIB = 350.0
BOOTSTRAP_GOAL_SECONDS = 30.0
OFFLINE_IMAGES = (BASE_IMAGE, PROMETHEUS_IMAGE)
# The online references must not be found locally, or plain `up` would take the online path.
ABSENT_ONLINE = {"MONLAB_IMAGE_APP_BASE": "monlab-bench-absent/python:none",
                 "MONLAB_IMAGE_PROMETHEUS": "monlab-bench-absent/prometheus:none",
                 "MONLAB_IMAGE_GRAFANA": "monlab-bench-absent/grafana:none"}


def _monlab(*args: str, check: bool = True) -> bool:
    import os

    env = {**os.environ, **ABSENT_ONLINE}
    result = subprocess.run(python_command("-m", "monlab", *args), env=env, text=True, capture_output=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"monlab {' '.join(args)} exited {result.returncode}: {result.stderr[-500:]}")
    return result.returncode == 0


def _remove_offline_images() -> None:
    for image in OFFLINE_IMAGES:
        subprocess.run(["docker", "image", "rm", "--force", image], capture_output=True)


def _fresh_to_first_lab(offset: int) -> tuple[float, bool]:
    _remove_offline_images()
    passed = {"lab": False}

    def journey() -> None:
        _monlab("up", "--project", PROJECT, "--port-offset", str(offset))
        passed["lab"] = _monlab("lab", "reliability", "--project", PROJECT, check=False)

    seconds = timed(journey)
    return seconds, passed["lab"]


def _unslimmed_mib() -> float:
    """The baseline: both images' packages bootstrapped the plain way (docs and man pages left out)."""
    import tempfile
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from monlab.images.build import OFFLINE_RECIPES

    def size(recipe) -> float:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "rootfs.tar"
            subprocess.run(["mmdebstrap", "--variant=apt", f"--include={','.join(recipe.packages)}",
                            "--dpkgopt=path-exclude=/usr/share/doc/*", "--dpkgopt=path-exclude=/usr/share/man/*",
                            "bookworm", str(out)], check=True, capture_output=True)
            return out.stat().st_size / 2**20

    with ThreadPoolExecutor(max_workers=len(OFFLINE_RECIPES)) as pool:
        return sum(pool.map(size, OFFLINE_RECIPES))


def run(repeat: int) -> list[Row]:
    offset = port_offset()
    try:
        fresh, passed = _fresh_to_first_lab(offset)
        teardown()
        _remove_offline_images()
        bootstrap = timed(lambda: _monlab("images", "bootstrap"))
        sizes = {image: image_mib(image) for image in OFFLINE_IMAGES}
        up = timed(lambda: _monlab("up", "--offline", "--project", PROJECT, "--port-offset", str(offset)))
        lab = timed(lambda: _monlab("lab", "reliability", "--project", PROJECT, check=False))
    finally:
        teardown()
    total_size = sum(sizes.values())
    return [
        Row("Fresh machine to first lab: plain up, then lab reliability", fresh, "s",
            "sum of its parts (bootstrap + up --offline + lab)", bootstrap + up + lab, goal="passes", met=passed),
        Row("images bootstrap (both offline images)", bootstrap, "s", goal=f"≤ {BOOTSTRAP_GOAL_SECONDS:.0f} s",
            met=bootstrap <= BOOTSTRAP_GOAL_SECONDS),
        Row("Offline images together (app base + prometheus)", total_size, "MiB",
            "the same packages, plain mmdebstrap --variant=apt", _unslimmed_mib(), goal=f"≤ {SIZE_GOAL_MIB:.0f} MiB",
            met=total_size <= SIZE_GOAL_MIB),
    ]  # each image's own size is in the stack suite's rows

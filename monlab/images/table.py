"""What `monlab images list` shows: each image key's online and offline reference, and which are here."""

from __future__ import annotations

from monlab.docker_runtime import DockerRuntime
from monlab.image_refs import ImageRefs
from monlab.project import OFFLINE_IMAGES, ONLINE_IMAGES


def default_images(runtime: DockerRuntime) -> list[str]:
    """The stack's images present locally: offline ones and pulled online ones."""
    wanted = list(OFFLINE_IMAGES.values()) + list(ONLINE_IMAGES.values())
    return [ref for ref in wanted if runtime.image_id(ref)]


STANDIN_LABEL = "monlab.standin"  # on images that stand in for upstream ones in tests (tests/standins)


def image_table(runtime: DockerRuntime, refs: ImageRefs) -> list[dict]:
    """Per image key: its online and offline reference, whether each is local, and overrides."""
    rows = []
    for key, online_ref in refs.online.items():
        offline_ref = refs.offline.get(key)
        online_here = runtime.image_id(online_ref) is not None
        rows.append({
            "key": key,
            "online": {
                "ref": online_ref,
                "pinned": ONLINE_IMAGES[key],
                "overridden_by": refs.overridden.get(key),
                "present": online_here,
                "standin": runtime.image_labels(online_ref).get(STANDIN_LABEL) if online_here else None,
            },
            "offline": {"ref": offline_ref, "present": runtime.image_id(offline_ref) is not None} if offline_ref else None,
        })
    return rows

"""Projects the tests make on the engine: ports free for them, and everything carrying their
`monlab.project` label found and removed (never anything else)."""

from __future__ import annotations

import random

from monlab.stack.ports import port_is_free


def free_offset() -> int:
    for _ in range(200):
        offset = random.randint(20000, 45000)
        if all(port_is_free("127.0.0.1", base + offset) for base in (5000, 9090, 3000)):
            return offset
    raise RuntimeError("no free port range")


def remove_labelled(client, project):
    label = {"label": f"monlab.project={project}"}
    for container in client.containers.list(all=True, filters=label):
        container.remove(force=True)
    for network in client.networks.list(filters=label):
        network.remove()
    for volume in client.volumes.list(filters=label):
        volume.remove(force=True)
    for image in client.images.list(filters=label):
        client.images.remove(image.id, force=True)


def labelled(client, project):
    label = {"label": f"monlab.project={project}"}
    return {
        "containers": [c.name for c in client.containers.list(all=True, filters=label)],
        "networks": [n.name for n in client.networks.list(filters=label)],
        "volumes": [v.name for v in client.volumes.list(filters=label)],
        "images": [i.id for i in client.images.list(filters=label)],
    }

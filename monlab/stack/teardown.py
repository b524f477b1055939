"""`monlab down` (stop, keep everything) and `monlab teardown` (remove what carries the project's
label, and nothing else)."""

from __future__ import annotations

from dataclasses import dataclass, field

from monlab.docker_runtime import DockerRuntime
from monlab.project import LABEL_SERVICE, SERVICES, Project


def down(runtime: DockerRuntime, project: Project) -> list[str]:
    """Stop the project's running containers, Prometheus before the app so its history shows no
    outage that was only a shutdown; returns the names stopped."""
    running = [r for r in runtime.containers(project.label_filter) if r.state == "running"]
    order = {service: i for i, service in enumerate(reversed(SERVICES))}
    stopped = []
    for record in sorted(running, key=lambda r: order.get(r.labels.get(LABEL_SERVICE, ""), -1)):
        runtime.stop(record.id)
        stopped.append(record.name)
    return stopped


@dataclass
class Removed:
    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.containers) + len(self.networks) + len(self.volumes) + len(self.images)


def teardown(runtime: DockerRuntime, project: Project, keep_data: bool = False) -> Removed:
    """Containers, networks, the project's app image and (unless keep_data) volumes labelled
    `monlab.project=<project>`. Shared base images (python, prometheus, grafana) are never ours to remove."""
    label = project.label_filter
    removed = Removed()
    for record in runtime.containers(label):
        runtime.remove_container(record.id)
        removed.containers.append(record.name)
    for network_id, name in runtime.labelled_networks(label):  # by id: duplicates of one name too
        runtime.remove_network(network_id)
        removed.networks.append(name)
    for image_id in runtime.images(label):
        runtime.remove_image(image_id)
        removed.images.append(image_id)
    if not keep_data:
        for volume in runtime.volumes(label):
            runtime.remove_volume(volume.name)
            removed.volumes.append(volume.name)
    return removed

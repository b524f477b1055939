"""`monlab down` (stop, keep everything) and `monlab teardown` (remove what carries the project's
label, and nothing else)."""

from __future__ import annotations

from dataclasses import dataclass, field

from monlab.docker_runtime import DockerRuntime
from monlab.errors import MonlabError
from monlab.project import LABEL_PROJECT, LABEL_SERVICE, SERVICES, Project
from monlab.stack.spec import LABEL_BUILT_AS


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
    """Containers, networks and (unless keep_data) volumes labelled `monlab.project=<project>`, and
    the app image monlab built. Shared base images (python, prometheus, grafana) are never ours to remove."""
    label = project.label_filter
    removed = Removed()
    for record in runtime.containers(label):
        runtime.remove_container(record.id)
        removed.containers.append(record.name)
    for network_id, name in runtime.labelled_networks(label):  # by id: duplicates of one name too
        runtime.remove_network(network_id)
        removed.networks.append(name)
    removed.images += remove_built_images(runtime, project)
    if not keep_data:
        for volume in runtime.volumes(label):
            runtime.remove_volume(volume.name)
            removed.volumes.append(volume.name)
    return removed


def remove_built_images(runtime: DockerRuntime, project: Project) -> list[str]:
    """The app image, by its exact reference, when monlab built it there (its LABEL_BUILT_AS says so):
    untagged without force, so another tag of it keeps the image, and an image in use stays. Images
    built FROM it inherit its labels but not its reference: they are never looked at."""
    facts = runtime.image_tags(project.app_image)
    if facts is None or not built_by_monlab(facts[2], project):
        return []
    try:
        runtime.untag_image(project.app_image)
    except MonlabError:  # a container of someone else's runs it: theirs to remove
        return []
    return [project.app_image]


def built_by_monlab(labels: dict[str, str], project: Project) -> bool:
    return labels.get(LABEL_PROJECT) == project.name and labels.get(LABEL_BUILT_AS) == project.app_image

"""What a container is made of, as plain data: what the desired-state spec holds and the runtime
creates. No Docker here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContainerCreate:
    """Everything needed to create one container; no host bind mounts, by design."""

    name: str
    image: str
    command: list[str]
    environment: dict[str, str]
    labels: dict[str, str]
    ports: dict[int, tuple[str, int]]  # container port -> (bind address, host port)
    volumes: dict[str, str]  # volume name -> mount point
    network: str
    network_alias: str
    user: str | None = None

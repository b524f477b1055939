"""The Docker engine, seen through the few operations monlab needs.

The only module that imports `docker`: every docker-py or requests error is translated into a
MonlabError here. Everything else receives a DockerRuntime (or a fake with the same methods) and
works with the plain records below.
"""

from __future__ import annotations

import io
import os
import tarfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator

import docker
import docker.errors
from docker.types import Mount
import requests.exceptions

from monlab.container_spec import ContainerCreate  # noqa: F401  (re-exported: the runtime creates these)
from monlab import interrupts
from monlab.engine import EngineFacts, facts_from, load_error, loaded_names, retags_after_load
from monlab.errors import DockerUnavailable, ForeignResource, ImageUnavailable, MonlabError, PortInUse
from monlab.pull_errors import pull_error

Progress = Callable[[dict[str, Any]], None]

DEFAULT_SOCKET = "unix:///var/run/docker.sock"


@dataclass(frozen=True)
class ContainerRecord:
    id: str
    name: str
    state: str  # "running", "exited", "created", ...
    labels: dict[str, str]
    image_id: str
    health: str = ""  # "healthy", "starting", ... when the image has a healthcheck
    health_checked: str = ""  # when the engine last ran the healthcheck, in its own clock (an opaque mark)
    ports: dict[int, tuple[str, int]] = field(default_factory=dict)  # container port -> configured (host ip, port)
    exit_code: int = 0
    networks: dict[str, str] = field(default_factory=dict)  # network name -> network id it is attached to


@dataclass(frozen=True)
class VolumeRecord:
    name: str
    labels: dict[str, str]


def engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or DEFAULT_SOCKET


def connect(timeout: float | None = None) -> "DockerRuntime":
    """The engine at DOCKER_HOST (or the default socket); `timeout` bounds every call to it."""
    address = engine_address()
    try:
        client = docker.from_env(timeout=timeout) if timeout else docker.from_env()
        client.ping()
    except (ValueError, TypeError) as exc:  # docker-py parsing DOCKER_HOST ("tcp://host:notaport")
        raise DockerUnavailable(
            f"DOCKER_HOST={address!r} is not a usable engine address ({_short(exc)})",
            "Set DOCKER_HOST to e.g. unix:///var/run/docker.sock or tcp://127.0.0.1:2375, or unset it.",
        ) from exc
    except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
        raise DockerUnavailable(
            f"Cannot reach the Docker engine at {address} ({_unreachable_reason(exc)})",
            "Start Docker, or point DOCKER_HOST at a running engine.",
        ) from exc
    return DockerRuntime(client, address)


_OS_REASONS = {
    FileNotFoundError: "no socket there",
    ConnectionRefusedError: "connection refused",
    PermissionError: "permission denied: run as root or join the docker group",
    TimeoutError: "timed out",
}


def _unreachable_reason(exc: BaseException) -> str:
    """The root cause in a few words, instead of urllib3's nested retry message."""
    for cause in _causes(exc):
        for kind, reason in _OS_REASONS.items():
            if isinstance(cause, kind):
                return reason
    return _short(exc)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    pending: list[Any] = [exc]
    while pending:
        current = pending.pop()
        if not isinstance(current, BaseException) or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        pending.extend([current.__cause__, current.__context__, *current.args, getattr(current, "reason", None)])


def _carries(found: dict[str, str] | None, labels: dict[str, str]) -> bool:
    return all((found or {}).get(key) == value for key, value in labels.items())


def _label_text(labels: dict[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in labels.items())


def _short(exc: BaseException) -> str:
    text = getattr(exc, "explanation", None) or str(exc) or type(exc).__name__
    return " ".join(str(text).split())[:200]


class DockerRuntime:
    def __init__(self, client: Any, address: str) -> None:
        self.client = client
        self.address = address
        self._facts: EngineFacts | None = None

    @contextmanager
    def _engine(self, doing: str) -> Iterator[None]:
        """Translate docker-py/requests failures during `doing` into MonlabError."""
        try:
            yield
        except MonlabError:
            raise
        except docker.errors.ImageNotFound as exc:
            raise ImageUnavailable(
                f"Image not available while {doing}: {_short(exc)}",
                "Run `monlab images bootstrap` and use `--offline`, or check your registry access.",
            ) from exc
        except docker.errors.APIError as exc:
            message = _short(exc)
            if "port is already allocated" in message or "address already in use" in message:
                raise PortInUse(f"A host port is already in use while {doing} ({message})", "Choose another `--port-offset`.") from exc
            raise MonlabError(f"Docker refused {doing}: {message}") from exc
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            raise DockerUnavailable(
                f"Lost the Docker engine at {self.address} while {doing} ({_short(exc)})",
                "Check that Docker is running.",
            ) from exc

    @contextmanager
    def _changing(self, doing: str) -> Iterator[None]:
        """`_engine` for a call that changes the engine's state: a Ctrl-C meanwhile waits until the
        engine has answered. An interrupted request still runs to its end inside the engine (a stop
        keeps stopping), so raising before the answer would leave monlab unsure what happened."""
        with self._engine(doing), interrupts.deferred():
            yield

    def engine_facts(self) -> EngineFacts:
        """Which engine this is (Docker or Podman), its version and quirks; asked once."""
        if self._facts is None:
            with self._engine("asking the engine's version"):
                self._facts = facts_from(self.client.version(), self.client.info())
        return self._facts

    def network_dns(self, name: str) -> bool | None:
        """Do containers on network `name` find each other by name? None when it does not exist.
        Docker's user-defined bridges always do; Podman's only with a DNS plugin (CNI's dnsname, or
        netavark's aardvark-dns), which its own API reports as `dns_enabled`."""
        api = self.client.api
        with self._engine(f"inspecting network {name}"):
            if not self.engine_facts().is_podman:
                return bool(api.networks(names=[name])) or None
            response = api._get(api._url("/v4.0.0/libpod/networks/{0}/json", name, versioned_api=False))
            if response.status_code == 404:
                return None
            return bool(api._result(response, json=True).get("dns_enabled"))

    # --- finding things by label -------------------------------------------------------------

    def containers(self, label: str) -> list[ContainerRecord]:
        with self._engine("listing containers"):
            found = self.client.api.containers(all=True, filters={"label": label})
            return [self.container(c["Id"]) for c in found]

    def container(self, container_id: str) -> ContainerRecord:
        with self._engine(f"inspecting container {container_id[:12]}"):
            data = self.client.api.inspect_container(container_id)
        state = data["State"]
        return ContainerRecord(
            id=data["Id"],
            name=data["Name"].lstrip("/"),
            state=state["Status"],
            labels=data["Config"].get("Labels") or {},
            image_id=data["Image"],
            health=(state.get("Health") or {}).get("Status", ""),
            health_checked=((state.get("Health") or {}).get("Log") or [{}])[-1].get("Start", ""),
            ports=_published_ports(data["HostConfig"].get("PortBindings") or {}),
            exit_code=state.get("ExitCode", 0),
            networks=_attached_networks(data),
        )

    def networks(self, label: str) -> list[str]:
        with self._engine("listing networks"):
            return [n["Name"] for n in self.client.api.networks(filters={"label": label})]

    def volumes(self, label: str) -> list[VolumeRecord]:
        with self._engine("listing volumes"):
            found = self.client.api.volumes(filters={"label": label}).get("Volumes") or []
        return [VolumeRecord(v["Name"], v.get("Labels") or {}) for v in found]

    def images(self, label: str) -> list[str]:
        with self._engine("listing images"):
            return [i["Id"] for i in self.client.api.images(filters={"label": label})]

    # --- networks and volumes ----------------------------------------------------------------

    def labelled_networks(self, label: str) -> list[tuple[str, str]]:
        """(id, name) of each network carrying `label`; names may repeat, ids never do."""
        with self._engine("listing networks"):
            return [(n["Id"], n["Name"]) for n in self.client.api.networks(filters={"label": label})]

    def ensure_network(self, name: str, labels: dict[str, str]) -> bool:
        """Create the bridge network unless it exists; True when this call created it.

        Works by id, never by the name alone: duplicates of ours (left by an older, unlocked
        monlab) are healed down to one, and a network of someone else's that holds the name is
        refused, never adopted."""
        with self._changing(f"creating network {name}"):
            same_name = [n for n in self.client.api.networks(names=[name]) if n["Name"] == name]
            _refuse_foreign("network", name, same_name, labels, "docker network rm")
            if not same_name:
                self.client.api.create_network(name, driver="bridge", labels=labels, check_duplicate=True)
                return True
            keep = min(same_name, key=self._network_rank)
            for extra in same_name:
                if extra["Id"] != keep["Id"]:
                    self.client.api.remove_network(extra["Id"])
            return False

    def _network_rank(self, network: dict) -> tuple[int, str]:
        """Keep the duplicate with most containers attached, then the older one."""
        data = self.client.api.inspect_network(network["Id"])
        return -len(data.get("Containers") or {}), data.get("Created", "")

    def refuse_foreign_container(self, name: str, labels: dict[str, str]) -> None:
        """A container named `name` without `labels` is someone else's: say so, never touch it."""
        with self._engine(f"looking for container {name}"):
            same_name = [c for c in self.client.api.containers(all=True, filters={"name": name})
                         if f"/{name}" in (c.get("Names") or [])]
        _refuse_foreign("container", name, same_name, labels, "docker rm -f")

    def ensure_volume(self, name: str, labels: dict[str, str]) -> VolumeRecord:
        """The volume, created with `labels` if missing; an existing volume keeps its own labels."""
        with self._changing(f"creating volume {name}"):
            try:
                data = self.client.api.inspect_volume(name)
            except docker.errors.NotFound:
                data = self.client.api.create_volume(name, labels=labels)
        return VolumeRecord(data["Name"], data.get("Labels") or {})

    def remove_network(self, name_or_id: str) -> None:
        with self._changing(f"removing network {name_or_id[:40]}"):
            self.client.api.remove_network(name_or_id)

    def remove_volume(self, name: str) -> None:
        with self._changing(f"removing volume {name}"):
            self.client.api.remove_volume(name)

    # --- containers --------------------------------------------------------------------------

    def create_container(self, spec: ContainerCreate) -> str:
        api = self.client.api
        with self._changing(f"creating container {spec.name}"):
            host_config = api.create_host_config(
                port_bindings={f"{port}/tcp": bound for port, bound in spec.ports.items()},
                mounts=[Mount(target, volume, type="volume") for volume, target in spec.volumes.items()],
                network_mode=spec.network,
            )
            networking = api.create_networking_config(
                {spec.network: api.create_endpoint_config(aliases=[spec.network_alias])}
            )
            created = api.create_container(
                image=spec.image,
                name=spec.name,
                command=spec.command or None,
                environment=spec.environment,
                labels=spec.labels,
                ports=[f"{port}/tcp" for port in spec.ports],
                host_config=host_config,
                networking_config=networking,
                user=spec.user,
            )
        return created["Id"]

    def put_files(self, container_id: str, files: dict[str, str]) -> None:
        """Upload {absolute path: text} into a container, through the API (no bind mounts)."""
        with self._changing(f"uploading configuration into {container_id[:12]}"):
            self.client.api.put_archive(container_id, "/", _tar_of(files))

    def start(self, container_id: str) -> None:
        with self._changing(f"starting container {container_id[:12]}"):
            self.client.api.start(container_id)

    def stop(self, container_id: str, timeout: int = 10) -> None:
        with self._changing(f"stopping container {container_id[:12]}"):
            self.client.api.stop(container_id, timeout=timeout)

    def remove_container(self, container_id: str) -> None:
        with self._changing(f"removing container {container_id[:12]}"):
            self.client.api.remove_container(container_id, force=True)

    def logs_tail(self, container_id: str, lines: int = 10) -> list[str]:
        try:
            raw = self.client.api.logs(container_id, tail=lines, stdout=True, stderr=True)
        except (docker.errors.DockerException, requests.exceptions.RequestException):
            return []
        return raw.decode("utf-8", "replace").splitlines()[-lines:]

    # --- images ------------------------------------------------------------------------------

    def image_id(self, ref: str) -> str | None:
        with self._engine(f"looking up image {ref}"):
            try:
                return self.client.api.inspect_image(ref)["Id"]
            except docker.errors.ImageNotFound:
                return None

    def image_labels(self, ref: str) -> dict[str, str]:
        with self._engine(f"inspecting image {ref}"):
            return self.client.api.inspect_image(ref)["Config"].get("Labels") or {}

    def build_image(
        self, context: Path, tag: str, buildargs: dict[str, str], labels: dict[str, str], progress: Progress
    ) -> str:
        """Build `context` (its Dockerfile) as `tag`, streaming progress chunks; returns the image id."""
        image_id = None
        with self._engine(f"building {tag}"):
            for chunk in self.client.api.build(
                path=str(context), tag=tag, buildargs=buildargs, labels=labels, rm=True, forcerm=True, decode=True
            ):
                if "error" in chunk:
                    raise MonlabError(
                        f"Building {tag} from {context} failed: {' '.join(chunk['error'].split())}",
                        _base_image_hint(buildargs),
                    )
                image_id = (chunk.get("aux") or {}).get("ID", image_id)
                progress(chunk)
        return image_id or self.image_id(tag) or ""

    def pull(self, ref: str, progress: Progress) -> None:
        """Pull `ref`; a failure says which kind it is (no registry, no such tag, rate limit, login)."""
        repository, tag = split_ref(ref)
        try:
            for chunk in self.client.api.pull(repository, tag=tag, stream=True, decode=True):
                if "error" in chunk:
                    raise pull_error(ref, str(chunk["error"]))
                progress(chunk)
        except docker.errors.APIError as exc:
            raise pull_error(ref, str(exc.explanation or exc)) from exc
        except (docker.errors.DockerException, requests.exceptions.RequestException) as exc:
            raise DockerUnavailable(
                f"Lost the Docker engine at {self.address} while pulling {ref} ({_short(exc)})",
                "Check that Docker is running.",
            ) from exc

    def remove_image(self, ref: str) -> None:
        with self._changing(f"removing image {ref[:19]}"):
            self.client.api.remove_image(ref, force=True)

    def import_image(self, tar_path: Path, repository: str, tag: str, changes: list[str]) -> str:
        with self._engine(f"importing {repository}:{tag}"):
            # The tag inside `repo`: Docker reads it there too, and Podman 4.3 ignores a separate `tag`.
            self.client.api.import_image_from_file(str(tar_path), repository=f"{repository}:{tag}", changes=changes)
        image_id = self.image_id(f"{repository}:{tag}")
        if image_id is None:
            raise MonlabError(f"The engine at {self.address} imported an image but not as {repository}:{tag}",
                              "Report the engine and version `monlab doctor` names.")
        return image_id

    def save_images(self, refs: list[str], out: BinaryIO) -> None:
        """One tar holding all `refs`, like `docker save A B > FILE`."""
        api = self.client.api
        with self._engine("saving images"):
            # docker-py's get_image takes one name; the engine's endpoint takes several.
            response = api._get(api._url("/images/get"), params={"names": refs}, stream=True)
            api._raise_for_status(response)
            for chunk in response.iter_content(chunk_size=1 << 20):
                out.write(chunk)

    def load_images(self, source: BinaryIO, archive_tags: Iterable[str] = ()) -> list[str]:
        """Load a `docker save` tar; its `archive_tags` then answer to their fully qualified
        references on every engine (Podman stores short names under localhost/)."""
        with self._engine("loading images"):
            answer = list(self.client.api.load_image(source, quiet=False))
            if load_error(answer):
                raise MonlabError(f"The engine at {self.address} refused loading images: {load_error(answer)}")
            names = loaded_names(answer)
            for stored, full in retags_after_load(self.engine_facts(), archive_tags):
                self.client.api.tag(stored, *split_ref(full))
        return names


    # --- converging a stack on what is: renames, pauses, networks, files read back, tags -------

    def rename_container(self, container_id: str, name: str) -> None:
        with self._changing(f"renaming container {container_id[:12]} to {name}"):
            self.client.api.rename(container_id, name)

    def unpause(self, container_id: str) -> None:
        with self._changing(f"unpausing container {container_id[:12]}"):
            self.client.api.unpause(container_id)

    def network_id(self, name: str) -> str | None:
        """The id of the network named exactly `name`, None when there is none."""
        with self._engine(f"looking up network {name}"):
            found = [n["Id"] for n in self.client.api.networks(names=[name]) if n["Name"] == name]
        return found[0] if found else None

    def read_files(self, container_id: str, paths: list[str]) -> dict[str, bytes | None]:
        """The bytes of each regular file at `paths` inside the container (None where there is none),
        read back through the API: what is there, whatever its labels say."""
        found: dict[str, bytes | None] = {}
        with self._engine(f"reading configuration back from {container_id[:12]}"):
            for path in paths:
                try:
                    stream, _ = self.client.api.get_archive(container_id, path)
                except docker.errors.NotFound:
                    found[path] = None
                    continue
                found[path] = _single_file(b"".join(stream))
        return found

    def image_tags(self, ref: str) -> tuple[str, list[str], dict[str, str]] | None:
        """(id, every tag, labels) of the image `ref` names; None when there is none."""
        with self._engine(f"inspecting image {ref}"):
            try:
                data = self.client.api.inspect_image(ref)
            except docker.errors.ImageNotFound:
                return None
        return data["Id"], list(data.get("RepoTags") or []), data["Config"].get("Labels") or {}

    def untag_image(self, ref: str) -> None:
        """Remove the reference `ref`, without force: the image goes only with its last tag, and
        never while a container or another image needs it."""
        with self._changing(f"removing image {ref}"):
            self.client.api.remove_image(ref, force=False)


def _attached_networks(data: dict[str, Any]) -> dict[str, str]:
    networks = (data.get("NetworkSettings") or {}).get("Networks") or {}
    return {name: (endpoint or {}).get("NetworkID") or "" for name, endpoint in networks.items()}


def _single_file(archive: bytes) -> bytes | None:
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        member = next(iter(tar.getmembers()), None)
        if member is None or not member.isfile():
            return None
        extracted = tar.extractfile(member)
        return extracted.read() if extracted else None


def _refuse_foreign(kind: str, name: str, same_name: list[dict], labels: dict[str, str], remove: str) -> None:
    """Raise ForeignResource when one of `same_name` lacks monlab's `labels`: someone else's."""
    foreign = [found for found in same_name if not _carries(found.get("Labels"), labels)]
    if foreign:
        short = foreign[0]["Id"][:12]
        raise ForeignResource(
            f"A {kind} named {name} exists that monlab did not make (id {short}, no "
            f"{_label_text(labels)} label); monlab neither uses nor removes it",
            f"Remove or rename it (`{remove} {short}`), or choose another --project.",
        )


def split_ref(ref: str) -> tuple[str, str]:
    """("repo", "tag") of an image reference; the tag defaults to latest."""
    last = ref.rsplit("/", 1)[-1]
    if ":" in last:
        repository, _, tag = ref.rpartition(":")
        return repository, tag
    return ref, "latest"


def _base_image_hint(buildargs: dict[str, str]) -> str:
    base = buildargs.get("BASE_IMAGE")
    return f"Check the app's Dockerfile and that the base image {base} works." if base else ""


def _published_ports(ports: dict[str, Any]) -> dict[int, tuple[str, int]]:
    published = {}
    for key, bindings in ports.items():
        port, _, proto = key.partition("/")
        if proto == "tcp" and bindings:
            published[int(port)] = (bindings[0]["HostIp"], int(bindings[0]["HostPort"]))
    return published


def _tar_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path, text in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo(path.lstrip("/"))
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()

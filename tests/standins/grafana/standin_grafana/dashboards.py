"""Dashboard provisioning, as pkg/services/provisioning/dashboards/ does it:

- config_reader.go: providers from *.yaml/*.yml of provisioning/dashboards; a file that does not
  parse stops provisioning ("could not parse provisioning config file: NAME error: ...");
  type defaults to "file", updateIntervalSeconds to 10.
- file_reader.go: each provider walks options.path for *.json (skipping dot-directories), saves
  each dashboard into the provider's folder (found or created by title); a file that does not load
  or save is logged ("failed to load dashboard from " / "failed to save dashboard") and skipped;
  a provisioned dashboard whose file is gone is deleted, or with disableDeletion only
  unprovisioned (kept, no longer marked provisioned); the walk repeats every updateIntervalSeconds.
- dashboard.go / validator.go: after a walk, a uid or (folder, title) used more than once across
  providers is logged ("the same UID is used more than once", "dashboard title is not unique in
  folder") and the providers involved lose database write access until it is fixed.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

from . import yamlfiles
from .alerting import validate_uid
from .errors import ProvisioningError
from .log import log
from .store import Store, new_uid
from .values import as_bool, as_int, interpolate

LOGGER = "provisioning.dashboard"


class Provider:
    def __init__(self, raw: dict[str, Any]) -> None:
        options = raw.get("options") or {}
        self.name = interpolate(raw.get("name"))
        self.org_id = as_int(raw.get("orgId"), 1) or 1
        self.folder = interpolate(raw.get("folder"))
        self.type = interpolate(raw.get("type")) or "file"
        self.disable_deletion = as_bool(raw.get("disableDeletion", False))
        self.update_interval = as_int(raw.get("updateIntervalSeconds"), 0) or 10
        self.path = interpolate(options.get("path") or options.get("folder") or "")
        self.restricted = False  # validator.go takeAwayWritePermissions
        self.usage: dict[str, Any] = {"uids": {}, "titles": {}}
        if self.type != "file":
            raise ProvisioningError(f"Failed to initialize file readers: type {self.type} is not supported")
        if not self.path:
            raise ProvisioningError(
                f"Failed to initialize file readers: failed to create file reader for config {self.name}: "
                "failed to load dashboards, path param is not a string"
            )


def read_providers(directory: Path) -> list[Provider]:
    files = yamlfiles.list_files(directory, (".yaml", ".yml"))
    if files is None:
        log(LOGGER, "error", "can't read dashboard provisioning files from directory", path=str(directory))
        return []
    raws = []
    for path in files:
        try:
            data = yamlfiles.load(path)
        except ValueError as exc:
            raise ProvisioningError(
                f"Failed to read dashboards config: could not parse provisioning config file: {path.name} error: {exc}"
            ) from exc
        if isinstance(data, dict) and as_int(data.get("apiVersion"), 0) > 0:
            raws += data.get("providers") or []
        elif isinstance(data, list):
            log(LOGGER, "warn", "[Deprecated] the dashboard provisioning config is outdated. please upgrade", filename=str(path))
            raws += data
    return [Provider(raw or {}) for raw in raws]


def provision(store: Store, providers: list[Provider]) -> None:
    log(LOGGER, "info", "starting to provision dashboards")
    _clean_up_orphans(store, providers)
    for provider in providers:
        if not Path(provider.path).exists():
            # dashboard.go: a missing folder does not stop the provisioning service
            log(LOGGER, "warn", "Failed to provision config", name=provider.name,
                error=f"stat {provider.path}: no such file or directory")
            return
        walk(store, provider)
    validate_duplicates(providers)
    log(LOGGER, "info", "finished to provision dashboards")


def poll(store: Store, providers: list[Provider], stop: threading.Event) -> None:
    """file_reader.go pollChanges: walk each provider again every updateIntervalSeconds."""
    due = {p.name: p.update_interval for p in providers}
    elapsed = 0
    while not stop.wait(1.0):
        elapsed += 1
        for provider in providers:
            if elapsed % due[provider.name] == 0:
                try:
                    walk(store, provider)
                except OSError as exc:
                    log(LOGGER, "error", "failed to search for dashboards", error=str(exc))
        if elapsed % 30 == 0:  # validator.go runs every 30 s
            validate_duplicates(providers)


def walk(store: Store, provider: Provider) -> None:
    root = Path(os.path.realpath(provider.path))
    on_disk = _json_files(root)
    _handle_missing_files(store, provider, on_disk)
    folder_uid = store.folder_uid(provider.folder) if provider.folder else ""
    usage: dict[str, Any] = {"uids": {}, "titles": {}}
    for path in on_disk:
        try:
            dashboard, checksum = _read_dashboard(path)
        except ValueError as exc:
            log(LOGGER, "error", "failed to load dashboard from ", type=provider.type, name=provider.name,
                file=str(path), error=str(exc))
            continue
        uid, title = str(dashboard.get("uid") or ""), str(dashboard.get("title") or "")
        try:
            _save(store, provider, path, dashboard, checksum, folder_uid)
        except ValueError as exc:
            log(LOGGER, "error", "failed to save dashboard", type=provider.type, name=provider.name,
                file=str(path), error=str(exc))
            continue
        if uid:
            usage["uids"][uid] = usage["uids"].get(uid, 0) + 1
        if title:
            key = f"{folder_uid}/{title}"
            usage["titles"][key] = usage["titles"].get(key, 0) + 1
    provider.usage = usage


def _json_files(root: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [Path(dirpath) / name for name in sorted(filenames) if name.endswith(".json")]
    return found


def _read_dashboard(path: Path) -> tuple[dict[str, Any], str]:
    text = path.read_bytes()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(str(exc)) from exc
    if not isinstance(data, dict):
        raise ValueError("dashboard JSON is not an object")
    return data, hashlib.md5(text).hexdigest()


def _save(store: Store, provider: Provider, path: Path, dashboard: dict[str, Any], checksum: str, folder_uid: str) -> None:
    title = str(dashboard.get("title") or "")
    if not title.strip():
        raise ValueError("Dashboard title cannot be empty")  # dashboards.ErrDashboardTitleEmpty
    uid = str(dashboard.get("uid") or "")
    if uid:
        problem = validate_uid(uid)
        if problem:
            raise ValueError("uid too long, max 40 characters" if "longer" in problem else "uid contains illegal characters")
    with store.lock:
        table = store.data["dashboards"]
        current = next((d for d in table.values() if d.get("external_id") == str(path)
                        and d.get("provisioner") == provider.name), None)
        if current and current.get("checksum") == checksum and current.get("folderUid") == folder_uid:
            return  # "provisioned dashboard is up to date"
        if provider.restricted:
            log(LOGGER, "warn", "Not saving new dashboard due to restricted database access",
                provisioner=provider.name, file=str(path))
            return
        if current and current["uid"] != uid:
            table.pop(current["uid"], None)
        uid = uid or (current["uid"] if current else new_uid())
        previous = table.get(uid)
        dashboard = {**dashboard, "uid": uid, "id": previous["id"] if previous else store.next_id(),
                     "version": (previous["version"] + 1) if previous else 1}
        table[uid] = {
            "uid": uid, "id": dashboard["id"], "version": dashboard["version"], "title": title,
            "dashboard": dashboard, "folderUid": folder_uid, "orgId": provider.org_id,
            "provisioned": True, "provisioner": provider.name, "external_id": str(path), "checksum": checksum,
        }
        store.save()


def _handle_missing_files(store: Store, provider: Provider, on_disk: list[Path]) -> None:
    present = {str(p) for p in on_disk}
    with store.lock:
        table = store.data["dashboards"]
        missing = [d for d in table.values() if d.get("provisioned") and d.get("provisioner") == provider.name
                   and d.get("external_id") not in present]
        for entry in missing:
            if provider.disable_deletion:
                entry.update(provisioned=False, provisioner="", external_id="")  # UnprovisionDashboard
            else:
                table.pop(entry["uid"], None)  # DeleteProvisionedDashboard
                log(LOGGER, "info", "deleted provisioned dashboard, missing on disk", uid=entry["uid"])
        if missing:
            store.save()


def _clean_up_orphans(store: Store, providers: list[Provider]) -> None:
    # dashboard.go CleanUpOrphanedDashboards: provisioned dashboards of providers that no longer exist
    names = {p.name for p in providers}
    with store.lock:
        table = store.data["dashboards"]
        orphans = [uid for uid, d in table.items() if d.get("provisioned") and d.get("provisioner") not in names]
        for uid in orphans:
            table.pop(uid)
        if orphans:
            store.save()


def validate_duplicates(providers: list[Provider]) -> None:
    uids: dict[str, list[str]] = {}
    titles: dict[str, list[str]] = {}
    for provider in providers:
        for uid, times in provider.usage["uids"].items():
            uids.setdefault(uid, []).extend([provider.name] * times)
        for key, times in provider.usage["titles"].items():
            titles.setdefault(key, []).extend([provider.name] * times)
    involved: set[str] = set()
    for uid, names in uids.items():
        if len(names) > 1:
            log(LOGGER, "warn", "the same UID is used more than once", uid=uid, times=len(names),
                providers=f"[{' '.join(sorted(set(names)))}]")
            involved |= set(names)
    for key, names in titles.items():
        if len(names) > 1:
            folder, title = key.split("/", 1)
            log(LOGGER, "warn", "dashboard title is not unique in folder", title=title, folderUid=folder,
                times=len(names), providers=f"[{' '.join(sorted(set(names)))}]")
            involved |= set(names)
    for provider in providers:
        provider.restricted = provider.name in involved
        if provider.restricted:
            log(LOGGER, "warn", "dashboards provisioning provider has no database write permissions because of duplicates",
                provider=provider.name)

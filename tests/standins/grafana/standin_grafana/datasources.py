"""Datasource provisioning, as pkg/services/provisioning/datasources/ does it:
config_reader.go reads *.yaml and *.yml of provisioning/datasources (sorted by name), checks that at
most one datasource per org is the default, and datasources.go deletes `deleteDatasources` then
inserts or updates each datasource found by (orgId, name)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import yamlfiles
from .errors import ProvisioningError
from .log import log
from .store import Store, new_uid
from .values import as_bool, as_int, interpolate

LOGGER = "provisioning.datasources"
# datasources.go ErrInvalidConfigToManyDefault
TOO_MANY_DEFAULT = "datasource.yaml config is invalid. Only one datasource per organization can be marked as default"


def provision(store: Store, directory: Path) -> None:
    try:
        configs = _read(directory)
        _apply(store, configs)
    except ProvisioningError as exc:
        # provisioning.go: fmt.Errorf("%v: %w", "Datasource provisioning error", err)
        raise ProvisioningError(f"Datasource provisioning error: {exc}") from exc


def _read(directory: Path) -> list[dict[str, Any]]:
    files = yamlfiles.list_files(directory, (".yaml", ".yml"))
    if files is None:
        log(LOGGER, "error", "can't read datasource provisioning files from directory", path=str(directory))
        return []
    configs = []
    for path in files:
        try:
            data = yamlfiles.load(path) or {}
        except ValueError as exc:
            raise ProvisioningError(str(exc)) from exc
        if not isinstance(data, dict):
            raise ProvisioningError(f"yaml: unmarshal errors: cannot unmarshal {path.name} into a datasource config")
        if as_int(data.get("apiVersion"), 0) < 1:
            log(LOGGER, "warn", "[Deprecated] the datasource provisioning config is outdated. please upgrade", filename=str(path))
        configs.append({
            "datasources": [_datasource(d) for d in data.get("datasources") or [] if d],
            "deleteDatasources": [
                {"name": interpolate(d.get("name")), "orgId": as_int(d.get("orgId"), 1) or 1}
                for d in data.get("deleteDatasources") or [] if d
            ],
        })
    defaults: dict[int, int] = {}
    for config in configs:
        for ds in config["datasources"]:
            if ds["isDefault"]:
                defaults[ds["orgId"]] = defaults.get(ds["orgId"], 0) + 1
                if defaults[ds["orgId"]] > 1:
                    raise ProvisioningError(TOO_MANY_DEFAULT)
    return configs


def _datasource(raw: dict[str, Any]) -> dict[str, Any]:
    access = interpolate(raw.get("access")) or "proxy"
    if access not in ("proxy", "direct"):
        log(LOGGER, "warn", "invalid access value, will use 'proxy' instead", value=access)
        access = "proxy"
    return {
        "name": interpolate(raw.get("name")),
        "type": interpolate(raw.get("type")),
        "uid": interpolate(raw.get("uid")),
        "url": interpolate(raw.get("url")),
        "access": access,
        "isDefault": as_bool(raw.get("isDefault", False)),
        "orgId": as_int(raw.get("orgId"), 1) or 1,
        "jsonData": raw.get("jsonData") or {},
        "editable": as_bool(raw.get("editable", False)),
    }


def _apply(store: Store, configs: list[dict[str, Any]]) -> None:
    with store.lock:
        table = store.data["datasources"]
        for config in configs:
            for gone in config["deleteDatasources"]:
                if table.pop(_key(gone), None) is not None:
                    log(LOGGER, "info", "deleted datasource based on configuration", name=gone["name"])
            for ds in config["datasources"]:
                existing = table.get(_key(ds))
                if existing is None:
                    ds["uid"] = ds["uid"] or new_uid()
                    ds["id"] = store.next_id()
                    log(LOGGER, "info", "inserting datasource from configuration", name=ds["name"], uid=ds["uid"])
                else:
                    ds["uid"] = ds["uid"] or existing["uid"]
                    ds["id"] = existing["id"]
                table[_key(ds)] = ds
        store.save()


def _key(ds: dict[str, Any]) -> str:
    return f"{ds['orgId']}/{ds['name']}"


def by_uid(store: Store, uid: str) -> dict[str, Any] | None:
    with store.lock:
        return next((ds for ds in store.data["datasources"].values() if ds["uid"] == uid), None)

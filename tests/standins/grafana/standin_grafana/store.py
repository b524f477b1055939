"""The stand-in's database: one JSON file in the data directory (GF_PATHS_DATA, a named volume in
monlab), playing the part of Grafana's grafana.db. What Grafana keeps across restarts is kept here
too: the admin password set on first start, datasources, folders, dashboards with their
provisioning records, alert rules and annotations."""

from __future__ import annotations

import json
import os
import threading
import uuid
from pathlib import Path
from typing import Any

DB_FILE = "standin-grafana.db.json"
EMPTY: dict[str, Any] = {"admin": {}, "datasources": {}, "folders": {}, "dashboards": {}, "rules": {}, "annotations": [], "next_id": 1}


class Store:
    def __init__(self, data_dir: str) -> None:
        self.path = Path(data_dir) / DB_FILE
        self.lock = threading.RLock()
        self.data: dict[str, Any] = json.loads(json.dumps(EMPTY))
        if self.path.exists():
            self.data.update(json.loads(self.path.read_text()))

    def save(self) -> None:
        with self.lock:
            partial = self.path.with_suffix(".partial")
            partial.write_text(json.dumps(self.data, indent=1, sort_keys=True))
            os.replace(partial, self.path)

    def next_id(self) -> int:
        with self.lock:
            value = self.data["next_id"]
            self.data["next_id"] = value + 1
            return value

    def folder_uid(self, title: str) -> str:
        """Find a folder by title or create it with a generated uid (getOrCreateFolder in
        provisioning/dashboards/file_reader.go and alerting/rules_provisioner.go)."""
        with self.lock:
            folders = self.data["folders"]
            if title not in folders:
                folders[title] = {"uid": new_uid(), "id": self.next_id(), "title": title}
            return folders[title]["uid"]

    def folder_by_uid(self, uid: str) -> dict[str, Any] | None:
        return next((f for f in self.data["folders"].values() if f["uid"] == uid), None)


def new_uid() -> str:
    # pkg/util/shortid_generator.go GenerateShortUID: a UUID starting with a letter.
    value = str(uuid.uuid4())
    return value if value[0].isalpha() else "a" + value[1:]

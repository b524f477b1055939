"""Log lines in Grafana's logfmt shape: `logger=provisioning.alerting t=... level=info msg="..." k=v`
(pkg/infra/log; the loggers are named as in the provisioning packages)."""

from __future__ import annotations

import sys
import threading
from datetime import datetime, timezone

_LOCK = threading.Lock()


def _quote(value: object) -> str:
    text = str(value)
    if text and not any(c in text for c in ' "=\n\t\\'):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def line(logger: str, level: str, msg: str, **fields: object) -> str:
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    parts = [f"logger={logger}", f"t={now}", f"level={level}", f"msg={_quote(msg)}"]
    parts += [f"{key}={_quote(value)}" for key, value in fields.items()]
    return " ".join(parts)


def log(logger: str, level: str, msg: str, **fields: object) -> None:
    with _LOCK:
        sys.stdout.write(line(logger, level, msg, **fields) + "\n")
        sys.stdout.flush()

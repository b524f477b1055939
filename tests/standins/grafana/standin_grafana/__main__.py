"""Start-up in Grafana 12's order (pkg/server/server.go, pkg/services/provisioning/provisioning.go):
the HTTP server listens and /api/health answers before file provisioning has run; provisioning
then runs datasources -> (plugins) -> alerting -> dashboards (12.x `starting()`; newer main runs
alerting and dashboards side by side after datasources). A provisioning error is logged and stops
the server with a non-zero exit, as the failed background service stops Grafana.

STANDIN_PROVISIONING_DELAY (seconds, default 5) holds provisioning back so that readiness checks
trusting /api/health alone are caught by tests.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

from . import VERSION, alerting, dashboards, datasources
from .api import Context, handler_class
from .errors import ProvisioningError
from .evaluate import Scheduler, StateManager
from .log import log
from .store import Store


def settings_from_env() -> dict:
    root_url = os.environ.get("GF_SERVER_ROOT_URL", "") or "http://localhost:3000/"
    return {
        "port": int(os.environ.get("GF_SERVER_HTTP_PORT", "3000")),
        "root_url": root_url if root_url.endswith("/") else root_url + "/",  # setting.go parseAppUrlAndSubUrl
        "admin_user": os.environ.get("GF_SECURITY_ADMIN_USER", "admin"),
        "admin_password": os.environ.get("GF_SECURITY_ADMIN_PASSWORD", "admin"),
        "anonymous": os.environ.get("GF_AUTH_ANONYMOUS_ENABLED", "false").lower() == "true",
        "anonymous_role": os.environ.get("GF_AUTH_ANONYMOUS_ORG_ROLE", "Viewer"),
        "data": os.environ.get("GF_PATHS_DATA", "/var/lib/grafana"),
        "provisioning": Path(os.environ.get("GF_PATHS_PROVISIONING", "/etc/grafana/provisioning")),
        "delay": float(os.environ.get("STANDIN_PROVISIONING_DELAY", "5")),
    }


def fail(step: str, exc: ProvisioningError) -> None:
    log("provisioning", "error", step, error=str(exc))
    # The stand-in's own wording for the stop (Grafana stops its background services and exits non-zero).
    log("server", "error", "Provisioning failed, server shuts down", reason=f"{step}: {exc}")
    os._exit(1)


def provision(store: Store, settings: dict, stop: threading.Event) -> None:
    root = settings["provisioning"]
    try:
        datasources.provision(store, root / "datasources")
    except ProvisioningError as exc:
        fail("Failed to provision data sources", exc)
    try:
        alerting.provision(store, root / "alerting")
    except ProvisioningError as exc:
        fail("Failed to provision alerting", exc)
    try:
        try:
            providers = dashboards.read_providers(root / "dashboards")
        except ProvisioningError as exc:
            raise ProvisioningError(f"Failed to create provisioner: {exc}") from exc
        dashboards.provision(store, providers)
    except ProvisioningError as exc:
        fail("Failed to provision dashboard", exc)
    threading.Thread(target=dashboards.poll, args=(store, providers, stop), name="dashboards-poll", daemon=True).start()


def main() -> None:
    settings = settings_from_env()
    log("standin", "warn", "This is monlab's Grafana stand-in, not Grafana", version=VERSION)
    if not os.access(settings["data"], os.W_OK):
        # packaging/docker/run.sh
        print(f"GF_PATHS_DATA='{settings['data']}' is not writable.", flush=True)
        sys.exit(1)
    store = Store(settings["data"])
    with store.lock:
        if not store.data["admin"]:  # the admin user is created once; later password settings are ignored
            store.data["admin"] = {"login": settings["admin_user"], "password": settings["admin_password"]}
            store.save()
    log("settings", "info", "Starting Grafana", version=VERSION, commit="standin")
    states, stop = StateManager(), threading.Event()
    server = ThreadingHTTPServer(("0.0.0.0", settings["port"]), handler_class(Context(store, states, settings)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="http", daemon=True).start()
    log("http.server", "info", "HTTP Server Listen", address=f"[::]:{settings['port']}", protocol="http",
        subUrl="", socket="")

    def shutdown(signum: int, frame: object) -> None:
        log("server", "info", "Shutdown started", reason=f"System signal: {signal.Signals(signum).name.lower()}")
        stop.set()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    if stop.wait(settings["delay"]):
        return
    provision(store, settings, stop)
    Scheduler(store, states, stop).start()
    stop.wait()
    server.shutdown()


if __name__ == "__main__":
    main()

"""Issue 17, Deliver 4 on the real engine: a Grafana whose admin password is not the one monlab
has (changed in its UI; here: first started on the volume with another one) is asked once, not
polled into its brute-force lock, and `up` says how to reset the password. The Grafana is monlab's
stand-in (tests/standins/grafana), which answers a wrong basic-auth password with 401 as Grafana's
basic auth client does; not Grafana."""

from __future__ import annotations

import time
import uuid

import pytest

from monlab.project import ONLINE_IMAGES
from monlab.waiting import Outcome, poll
from labelled_projects import free_offset, remove_labelled
from monlab_cli import monlab_checked as monlab

pytestmark = pytest.mark.docker

DB_FILE = "/var/lib/grafana/standin-grafana.db.json"


def test_up_stops_at_the_first_refused_grafana_login_and_says_how_to_reset_it(docker_client, standin_images):
    project, offset = f"wt17-login-{uuid.uuid4().hex[:8]}", free_offset()
    labels = {"monlab.project": project, "monlab.service": "grafana"}
    volume = docker_client.volumes.create(f"{project}-grafana-data",
                                          labels={**labels, "monlab.grafana-password": "the-one-monlab-knows"})
    try:
        first = docker_client.containers.run(
            ONLINE_IMAGES["grafana"], detach=True, labels=labels, volumes={volume.name: {"bind": "/var/lib/grafana"}},
            environment={"GF_SECURITY_ADMIN_PASSWORD": "changed-in-the-ui"})
        stored = poll(lambda: Outcome(first.exec_run(["test", "-s", DB_FILE]).exit_code == 0), 30, 0.5)
        assert stored.done, "the stand-in never stored its admin user"
        first.remove(force=True)
        started = time.monotonic()
        result = monlab("up", "--project", project, "--port-offset", str(offset), check=False)
        took = time.monotonic() - started
        said = " ".join(result.stderr.split())
        assert result.returncode == 3, said[-2000:]
        assert "refused the login" in said and f"docker exec -it {project}-grafana grafana cli admin reset-admin-password" in said
        assert took < 100, f"stopped at the first refusal, not after the 120 s provisioning wait ({took:.0f} s)"
    finally:
        remove_labelled(docker_client, project)

"""An empty panel says why in one line, from what a real Prometheus knows: here its flask-app
target does not answer (nothing listens on 127.0.0.1:1), so every app panel reads "target down"."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml

from local_prometheus import running_prometheus
from monlab.dashboard.empty import TARGET_DOWN
from monlab.waiting import Outcome, poll

pytestmark = pytest.mark.prometheus


def test_once_says_target_down_on_every_empty_panel(prometheus_binary, tmp_path):
    config = {"global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
              "scrape_configs": [{"job_name": "flask-app", "static_configs": [{"targets": ["127.0.0.1:1"]}]}]}
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    with running_prometheus(prometheus_binary, tmp_path / "prometheus.yml", tmp_path) as api:
        scraped = poll(lambda: Outcome(api.query_value('up{job="flask-app"}') == 0), timeout=30, interval=0.3)
        assert scraped.done, "prometheus never tried its target"
        done = subprocess.run([sys.executable, "-m", "monlab", "dashboard", "--once", "--section", "business",
                               "--range", "5m", "--prometheus-url", api.base_url],
                              capture_output=True, text=True, timeout=60, env={**os.environ, "COLUMNS": "120"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(TARGET_DOWN) == 2, done.stdout  # both §8 panels, the chart and the stat

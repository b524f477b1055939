"""The registry of step kinds. Adding a kind: one module defining KIND, and one entry here."""

from monlab.lab.kind import Kind
from monlab.lab.kinds import (
    alert, chart, expect, grafana_alert, http, load, mark, quiet, record, redeploy, say, start, stop, table, targets,
    traffic, wait_data,
)

KINDS: dict[str, Kind] = {
    module.KIND.name: module.KIND
    for module in (
        say, traffic, load, http, stop, start, redeploy, wait_data, quiet, expect, alert, grafana_alert, targets, mark, record,
        table, chart,
    )
}

"""Grafana alert-rule uids derived from the catalog: within Grafana's 40-character limit, never shared
by two alerts, and rules dropped from the catalog listed under deleteRules (Grafana never prunes
file-provisioned rules by itself: pkg/services/provisioning/alerting/rules_provisioner.go)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from monlab import catalog as catalog_module
from monlab.catalog import Alert, load_catalog
from monlab.labfile import LabFileError
from monlab.render import RenderContext, render_stack
from monlab.resources import labs_dir

ALERTS = "provisioning/alerting/monlab-alerts.yml"
GRAFANA_UID = re.compile(r"^[a-zA-Z0-9\-_]{1,40}$")  # pkg/util/shortid_generator.go: ValidateUID


def alert(name: str) -> Alert:
    return Alert(name=name, query="up", op="<", threshold=1, for_="10s", severity="critical", summary="s")


@pytest.mark.parametrize("first, second", [
    ("HighRequestRateOnTheCheckoutEndpointA", "HighRequestRateOnTheCheckoutEndpointB"),  # share 35 characters
    ("AppDown", "Appdown"),  # differ only in case
    ("A", "B"),
    ("X" * 200, "X" * 199 + "Y"),
])
def test_uids_are_valid_for_grafana_and_distinct(first, second):
    uids = {alert(first).uid, alert(second).uid}
    assert len(uids) == 2
    assert all(GRAFANA_UID.match(uid) for uid in uids), uids


def test_uid_is_stable_and_readable():
    assert alert("AppDown").uid == alert("AppDown").uid
    assert alert("AppDown").uid.startswith("monlab-appdown-")


def test_every_shipped_alert_has_a_valid_unique_uid():
    uids = [a.uid for a in load_catalog().alerts]
    assert len(set(uids)) == len(uids) and all(GRAFANA_UID.match(u) for u in uids)


def add_alert(labs: Path, section: str, name: str) -> None:
    file = labs / f"{section}.yaml"
    data = yaml.safe_load(file.read_text())
    data.setdefault("alerts", []).append(
        {"name": name, "query": "up", "op": "<", "threshold": 1, "for": "10s", "severity": "info", "summary": "s"})
    file.write_text(yaml.safe_dump(data, sort_keys=False))


def test_names_differing_only_in_case_are_refused_with_file_and_key_path(labs_copy):
    first = load_catalog(labs_copy).section("reliability").alerts[0].name
    add_alert(labs_copy, "security", first.swapcase())
    with pytest.raises(LabFileError) as caught:
        load_catalog(labs_copy)
    index = len(load_catalog(labs_dir()).section("security").alerts)
    assert caught.value.message.startswith(f"security.yaml: alerts[{index}].name:"), caught.value.message
    assert "reliability.yaml" in caught.value.message and "case" in caught.value.message


def test_a_uid_collision_is_refused_with_file_and_key_path(labs_copy, monkeypatch):
    # With no digest, uids are prefixes only: two long names sharing 20 characters meet, as the old
    # 40-character truncation let them.
    monkeypatch.setattr(catalog_module, "RULE_UID_DIGEST", 0)
    add_alert(labs_copy, "security", "VeryLongAlertNameSharedPrefixOne")
    add_alert(labs_copy, "business", "VeryLongAlertNameSharedPrefixTwo")
    with pytest.raises(LabFileError) as caught:
        load_catalog(labs_copy)
    assert "Grafana rule uid" in caught.value.message
    assert re.match(r"^(business|security)\.yaml: alerts\[\d+\]\.name:", caught.value.message)


def rendered_rules(ctx: RenderContext, catalog) -> dict:
    return yaml.safe_load(render_stack(ctx, catalog)["grafana"][ALERTS])


def test_rules_dropped_from_the_catalog_are_deleted_and_current_ones_never():
    catalog = load_catalog()
    current = [a.uid for a in catalog.alerts]
    ctx = RenderContext(retired_rule_uids=(current[0], "monlab-gone-0123456789ab"))
    deleted = rendered_rules(ctx, catalog)["deleteRules"]
    assert deleted == [{"orgId": 1, "uid": "monlab-gone-0123456789ab"}]


def test_no_delete_list_when_nothing_was_dropped():
    catalog = load_catalog()
    assert "deleteRules" not in rendered_rules(RenderContext(retired_rule_uids=tuple(a.uid for a in catalog.alerts)), catalog)


def test_dashboards_whose_file_is_gone_are_deleted_by_grafana():
    provider = yaml.safe_load(render_stack(RenderContext())["grafana"]["provisioning/dashboards/monlab.yml"])
    assert provider["providers"][0]["disableDeletion"] is False


def test_the_stack_remembers_every_uid_it_ever_provisioned(labs_copy):
    """up's bookkeeping: the label carries old and new uids, so a second up renders the same files."""
    from monlab.docker_runtime import ContainerRecord
    from monlab.stack.spec import LABEL_GRAFANA_RULES
    from monlab.stack.up import provisioned_rule_uids

    records = [
        ContainerRecord("c1", "p-grafana", "running", {"monlab.service": "grafana", LABEL_GRAFANA_RULES: "monlab-a-1,monlab-b-2"}, "img"),
        ContainerRecord("c2", "p-prometheus", "running", {"monlab.service": "prometheus", LABEL_GRAFANA_RULES: "monlab-b-2,monlab-c-3"}, "img"),
        ContainerRecord("c3", "p-app", "running", {"monlab.service": "app"}, "img"),
    ]
    assert provisioned_rule_uids(records) == ("monlab-a-1", "monlab-b-2", "monlab-c-3")
    assert provisioned_rule_uids([]) == ()

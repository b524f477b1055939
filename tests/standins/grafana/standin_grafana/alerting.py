"""Alert rule provisioning, as pkg/services/provisioning/alerting/ does it.

- config_reader.go: every *.yaml, *.yml and *.json of provisioning/alerting (other suffixes are
  skipped with a warning); a file that does not parse or map fails all of alerting provisioning
  with "failure to map file NAME: ...".
- rules_types.go (AlertRuleGroupV1.MapToModel, AlertRuleV1.mapToModel, QueryV1): group needs a
  name and a folder, `interval` and `for` are Prometheus durations, a rule needs title, uid,
  condition and data.
- rules_provisioner.go: per group, find or create the folder by title, then for each rule create
  it or update it in place BY UID, then set the group interval; then `deleteRules` of that file.
  Rules missing from the files are never removed.
- pkg/services/ngalert/provisioning/alert_rules.go CreateAlertRule: util.ValidateUID on the uid
  (pkg/util/shortid_generator.go: at most 40 characters of [a-zA-Z0-9-_]); the store's
  validateAlertRule -> models.AlertRule.ValidateAlertRule (pkg/services/ngalert/models/alert_rule.go):
  title, interval a non-zero multiple of the 10 s base interval, noDataState/execErrState values;
  AlertQuery.PreSave (models/alert_query.go): a datasource query needs relativeTimeRange From > To.

NOT checked when provisioning, because Grafana does not check them there either: that `condition`
names a refId, and that each datasourceUid exists. Grafana finds those only when it evaluates the
rule (pkg/services/ngalert/eval/eval.go: "failed to build query 'A': data source not found",
models.ErrConditionNotExist), and so does this stand-in: the rule's health becomes "error".
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from . import yamlfiles
from .errors import ProvisioningError
from .log import log
from .store import Store
from .values import as_bool, as_int, go_duration, interpolate, parse_duration

LOGGER = "provisioning.alerting"
EXPRESSION_UID = "__expr__"
BASE_INTERVAL_SECONDS = 10  # [unified_alerting] min_interval default
DEFAULT_INTERVAL_SECONDS = 60  # [unified_alerting] default rule evaluation interval
MAX_UID_LENGTH = 40  # util.MaxUIDLength
MAX_TITLE_LENGTH = 190  # ngalert/store AlertRuleMaxTitleLength
INVALID_RULE = "invalid alert rule"  # models.ErrAlertRuleFailedValidation
NO_DATA_STATES = ("Alerting", "NoData", "OK", "KeepLast")  # models.NoDataStateFromString
EXEC_ERR_STATES = ("Alerting", "Error", "OK", "KeepLast")  # models.ErrStateFromString
_UID_CHARS = re.compile(r"^[a-zA-Z0-9\-_]*$")


def validate_uid(uid: str) -> str | None:
    """util.ValidateUID's error text, or None."""
    if len(uid) > MAX_UID_LENGTH:
        return f"UID is longer than {MAX_UID_LENGTH} symbols"
    if not _UID_CHARS.match(uid):
        return "invalid format of UID. Only letters, numbers, '-' and '_' are allowed"
    return None


def provision(store: Store, directory: Path) -> None:
    files = _read(directory)
    log(LOGGER, "info", "starting to provision alerting")
    try:
        for file in files:
            for group in file["groups"]:
                _provision_group(store, group)
            for gone in file["deleteRules"]:
                with store.lock:
                    if store.data["rules"].pop(gone["uid"], None) is not None:
                        log(LOGGER, "info", "deleted alert rule", uid=gone["uid"], org=gone["orgId"])
        store.save()
    except ProvisioningError as exc:
        store.save()  # what was provisioned before the failure stays, as in Grafana's database
        raise ProvisioningError(f"alert rules: {exc}") from exc  # provisioner.go
    log(LOGGER, "info", "finished to provision alerting")


def _read(directory: Path) -> list[dict[str, Any]]:
    files = yamlfiles.list_files(directory, ("",))
    if files is None:
        log(LOGGER, "error", "can't read alerting provisioning files from directory", path=str(directory))
        return []
    result = []
    for path in files:
        if not path.name.endswith((".yaml", ".yml", ".json")):
            log(LOGGER, "warn", f"file has invalid suffix '{path.name}' (.yaml,.yml,.json accepted), skipping")
            continue
        try:
            data = yamlfiles.load(path)
        except ValueError as exc:
            raise ProvisioningError(f"failure to parse file {path.name}: {exc}") from exc
        if data is None:
            continue
        try:
            result.append(_map_file(data))
        except ValueError as exc:
            raise ProvisioningError(f"failure to map file {path.name}: failure parsing rules: {exc}") from exc
    return result


def _map_file(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError("the file is not a mapping")
    groups = [_map_group(g or {}) for g in data.get("groups") or []]
    deletes = [
        {"uid": interpolate(d.get("uid")), "orgId": max(as_int(d.get("orgId"), 1), 1)}
        for d in data.get("deleteRules") or [] if d
    ]
    return {"groups": groups, "deleteRules": deletes}


def _map_group(raw: dict[str, Any]) -> dict[str, Any]:
    title = interpolate(raw.get("name"))
    if not title.strip():
        raise ValueError("rule group has no name set")
    org_id = max(as_int(raw.get("orgId"), 1), 1)
    interval = parse_duration(interpolate(raw.get("interval")))
    folder = interpolate(raw.get("folder"))
    if not folder.strip():
        raise ValueError("rule group has no folder set")
    rules = [_map_rule(r or {}, org_id) for r in raw.get("rules") or []]
    return {"title": title, "orgId": org_id, "interval": interval, "folder": folder, "rules": rules}


def _map_rule(raw: dict[str, Any], org_id: int) -> dict[str, Any]:
    title = interpolate(raw.get("title"))
    if not title:
        raise ValueError("rule has no title set")
    uid = interpolate(raw.get("uid"))
    if not uid:
        raise ValueError(f"rule '{title}' failed to parse: no UID set")
    for_text = interpolate(raw.get("for"))
    try:
        for_seconds = parse_duration(for_text) if for_text else 0.0
    except ValueError as exc:
        raise ValueError(f"rule '{title}' failed to parse 'for' field: {exc}") from exc
    exec_err = interpolate(raw.get("execErrState")).strip() or "Alerting"
    if exec_err not in EXEC_ERR_STATES:
        raise ValueError(f"rule '{title}' failed to parse: unknown Error state option {exec_err}")
    no_data = interpolate(raw.get("noDataState")).strip() or "NoData"
    if no_data not in NO_DATA_STATES:
        raise ValueError(f"rule '{title}' failed to parse: unknown NoData state option {no_data}")
    condition = interpolate(raw.get("condition"))
    if not condition:
        raise ValueError(f"rule '{title}' failed to parse: no condition set")
    data = [_map_query(q or {}, title) for q in raw.get("data") or []]
    if not data:
        raise ValueError(f"rule '{title}' failed to parse: no data set")
    annotations = {str(k): "" if v is None else str(v) for k, v in (raw.get("annotations") or {}).items()}
    return {
        "uid": uid, "title": title, "orgId": org_id, "condition": condition, "data": data,
        "for": for_seconds, "noDataState": no_data, "execErrState": exec_err,
        # annotations are taken raw, labels interpolated (rules_types.go: Annotations.Raw, Labels.Value())
        "annotations": annotations,
        "labels": {str(k): interpolate(v) for k, v in (raw.get("labels") or {}).items()},
        "isPaused": as_bool(raw.get("isPaused", False)),
        "dashboardUid": interpolate(raw.get("dashboardUid")) or interpolate(raw.get("dasboardUid")),
        "panelId": as_int(raw.get("panelId"), 0),
    }


def _map_query(raw: dict[str, Any], title: str) -> dict[str, Any]:
    window = raw.get("relativeTimeRange") or {}
    try:
        # models.RelativeTimeRange: seconds
        from_s, to_s = int(window.get("from", 0) or 0), int(window.get("to", 0) or 0)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"rule '{title}' failed to parse: invalid relativeTimeRange {window}") from exc
    model = raw.get("model") or {}
    if not isinstance(model, dict):
        raise ValueError(f"rule '{title}' failed to parse: model is not an object")
    return {
        "refId": interpolate(raw.get("refId")),
        "queryType": interpolate(raw.get("queryType")),
        "relativeTimeRange": {"from": from_s, "to": to_s},
        "datasourceUid": interpolate(raw.get("datasourceUid")),
        "model": json.loads(json.dumps(model)),  # taken raw (QueryV1.mapToModel uses Model.Raw)
    }


def _provision_group(store: Store, group: dict[str, Any]) -> None:
    folder_uid = store.folder_uid(group["folder"])
    for index, rule in enumerate(group["rules"]):
        rule = {**rule, "folderUID": folder_uid, "ruleGroup": group["title"], "ruleGroupIndex": index + 1}
        _set_dashboard_from_annotations(rule)
        with store.lock:
            existing = store.data["rules"].get(rule["uid"])
            if existing is None:
                problem = validate_uid(rule["uid"])
                if problem:
                    # alert_rules.go CreateAlertRule: errors.Join -> lines joined by "\n"
                    raise ProvisioningError(f"{INVALID_RULE}\ncannot create rule with UID '{rule['uid']}': {problem}")
                interval = _group_interval(store, folder_uid, group["title"])
                rule.update(id=store.next_id(), intervalSeconds=interval, version=1)
            else:
                rule.update(id=existing["id"], intervalSeconds=existing["intervalSeconds"],
                            version=existing.get("version", 1) + 1)
            _validate_stored(rule)
            rule["provenance"] = "file"
            store.data["rules"][rule["uid"]] = rule
    _update_group_interval(store, folder_uid, group["title"], group["interval"])


def _set_dashboard_from_annotations(rule: dict[str, Any]) -> None:
    # models.AlertRule.SetDashboardAndPanelFromAnnotations
    dash_uid = rule["annotations"].get("__dashboardUid__", "")
    panel_id = rule["annotations"].get("__panelId__", "")
    if bool(dash_uid) != bool(panel_id):
        raise ProvisioningError(f"{INVALID_RULE}: both annotations __dashboardUid__ and __panelId__ must be specified")
    if dash_uid:
        try:
            rule["panelId"] = int(panel_id)
        except ValueError as exc:
            raise ProvisioningError(f"{INVALID_RULE}: annotation __panelId__ must be a valid integer Panel ID") from exc
        rule["dashboardUid"] = dash_uid


def _validate_stored(rule: dict[str, Any]) -> None:
    # models.AlertRule.ValidateAlertRule via the store's validateAlertRule, then AlertQuery.PreSave
    problem = validate_uid(rule["uid"])
    if problem:
        raise ProvisioningError(f"{INVALID_RULE}\ncannot create rule with UID '{rule['uid']}': {problem}")
    _check_interval(rule["intervalSeconds"])
    if len(rule["title"]) > MAX_TITLE_LENGTH:
        raise ProvisioningError(f"{INVALID_RULE}: name length should not be greater than {MAX_TITLE_LENGTH}")
    if len(rule["ruleGroup"]) > MAX_TITLE_LENGTH:
        raise ProvisioningError(f"{INVALID_RULE}: rule group name length should not be greater than {MAX_TITLE_LENGTH}")
    if rule["for"] < 0:
        raise ProvisioningError(f"{INVALID_RULE}: field `for` cannot be negative")
    for query in rule["data"]:
        window = query["relativeTimeRange"]
        if query["datasourceUid"] != EXPRESSION_UID and not window["from"] > window["to"]:
            # models.ErrInvalidRelativeTimeRange
            raise ProvisioningError(
                f"Invalid alert rule query {query['refId']}: invalid relative time range "
                f"[From: {go_duration(window['from'])}, To: {go_duration(window['to'])}]"
            )


def _check_interval(seconds: float) -> None:
    # models.ValidateRuleGroupInterval
    if seconds <= 0 or int(seconds) % BASE_INTERVAL_SECONDS or seconds != int(seconds):
        raise ProvisioningError(
            f"{INVALID_RULE}: interval ({go_duration(seconds)}) should be non-zero and divided exactly by "
            f"scheduler interval: {BASE_INTERVAL_SECONDS}"
        )


def _group_interval(store: Store, folder_uid: str, group: str) -> float:
    for rule in store.data["rules"].values():
        if rule["folderUID"] == folder_uid and rule["ruleGroup"] == group:
            return rule["intervalSeconds"]
    return DEFAULT_INTERVAL_SECONDS


def _update_group_interval(store: Store, folder_uid: str, group: str, seconds: float) -> None:
    # AlertRuleService.UpdateRuleGroup
    _check_interval(seconds)
    with store.lock:
        for rule in store.data["rules"].values():
            if rule["folderUID"] == folder_uid and rule["ruleGroup"] == group:
                rule["intervalSeconds"] = seconds

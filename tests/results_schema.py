"""Lab results (`--json`, results.json) checked against the JSON Schema shipped in the package."""

from __future__ import annotations

import json
import re
from datetime import datetime

import jsonschema

from monlab import __version__
from monlab.lab.results import SCHEMA_FILE

E_NOTATION = re.compile(r"(?<![\w.])\d+(\.\d+)?[eE][+-]?\d+(?![\w.])")  # 1.16e+03 as a word, not inside a hex id


def validate_results(document: dict, mode: str, project: str) -> None:
    """Valid against the schema, and says whose run it was and when: started ≤ each section ≤ ended."""
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(document)
    assert (document["mode"], document["project"], document["monlab_version"]) == (mode, project, __version__)
    times = [document["started"]] + [t for lab in document["labs"] for t in (lab["started"], lab["ended"])] + [document["ended"]]
    parsed = [datetime.fromisoformat(t) for t in times]
    assert parsed == sorted(parsed), times

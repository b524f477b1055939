"""`table`: earlier figures side by side, e.g. before and after an improvement."""

from __future__ import annotations

from monlab.lab.figures import figure_infos
from monlab.lab.kind import Kind, StepSource
from monlab.units import format_value


def _parse(src: StepSource) -> dict:
    columns = src.get("columns")
    rows = {}
    for label, figures in src.get("rows").items():
        if not isinstance(figures, list) or len(figures) != len(columns):
            raise src.error(f"rows.{label}", f"must list {len(columns)} figures, one per column")
        rows[str(label)] = [src.earlier(f"rows.{label}", f, src.refs.figures, "figure") for f in figures]
    return {"caption": src.get("caption"), "columns": [str(c) for c in columns], "rows": rows}


def _run(ctx, params: dict) -> list:
    infos = figure_infos(ctx.lab, ctx.catalog)
    rows = {label: [format_value(ctx.figures.get(f), infos[f].unit) for f in figures]
            for label, figures in params["rows"].items()}
    ctx.view.table(params["caption"], params["columns"], rows)
    return []


KIND = Kind(
    name="table", summary="Show earlier figures side by side (rows of figures, one per column).",
    required={"caption": str, "columns": list, "rows": dict}, optional={}, parse=_parse, run=_run,
    describe=lambda p: p["caption"],
)

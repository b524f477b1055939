"""Each figure a lab records, with its unit: from the panel it reads, or from how it is measured."""

from __future__ import annotations

from typing import TYPE_CHECKING

from monlab.catalog import Catalog
from monlab.lab.results import FigureInfo

if TYPE_CHECKING:
    from monlab.lab.model import Lab

SECONDS_HOW = ("elapsed_since", "latency", "mean_since")


def figure_info(params: dict, catalog: Catalog) -> FigureInfo:
    """The unit of one `record` step's figure."""
    how = params["how"]
    if how in SECONDS_HOW:
        return FigureInfo("s")
    if how == "ratio":
        return FigureInfo("ratio", " ÷ ".join(params["pair"]))
    panel = catalog.panel(params["source"].panel_id) if params["source"].panel_id else None
    return FigureInfo(panel.unit if panel else "short")


def figure_infos(lab: "Lab", catalog: Catalog) -> dict[str, FigureInfo]:
    return {step.params["figure"]: figure_info(step.params, catalog) for step in lab.steps if step.kind == "record"}

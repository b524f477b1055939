"""Values in the catalog's Grafana units, written for a reader: monlab/units.py serves every view."""

from __future__ import annotations

from monlab.units import format_value

__all__ = ["format_value"]

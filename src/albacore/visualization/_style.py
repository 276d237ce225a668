"""Colours shared by the plotly and matplotlib renderers, so both libraries draw the same picture."""

from __future__ import annotations

__all__ = ["BLUES", "INFEASIBLE_COLOR", "PALETTE", "STATE_COLORS"]

BLUES = [
    "rgb(247,251,255)",
    "rgb(222,235,247)",
    "rgb(198,219,239)",
    "rgb(158,202,225)",
    "rgb(107,174,214)",
    "rgb(66,146,198)",
    "rgb(33,113,181)",
    "rgb(8,81,156)",
    "rgb(8,48,107)",
]
"""The sequential colour scale of objective values and trial numbers (ColorBrewer "Blues")."""

INFEASIBLE_COLOR = "#cccccc"
"""Trials that violate a constraint are drawn in this grey."""

PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
]
"""Distinct colours for several studies or curves (Tableau 10)."""

STATE_COLORS = {
    "COMPLETE": "#1f77b4",
    "FAIL": "#d62728",
    "PRUNED": "#ff7f0e",
    "RUNNING": "#2ca02c",
    "WAITING": "#7f7f7f",
}
"""The colour of each trial state (timeline bars, grouped learning curves)."""

"""Colours shared by the plotly and matplotlib renderers, so both libraries draw the same picture."""

from __future__ import annotations

__all__ = [
    "BLUES",
    "INFEASIBLE_COLOR",
    "PALETTE",
    "RDYLBU_R",
    "REDS",
    "STATE_COLORS",
    "color_at",
    "color_bins",
    "color_table",
    "matrix_edges",
    "to_hex",
]

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


def _rgb(color: str) -> tuple[float, float, float]:
    r, g, b = (float(c) for c in color[color.index("(") + 1 : -1].split(","))
    return r, g, b


def color_at(colors: list[str], fraction: float) -> str:
    """The colour at ``fraction`` (0..1) along a scale of evenly spaced colours, as "rgb(r,g,b)"."""
    fraction = min(max(fraction, 0.0), 1.0) * (len(colors) - 1)
    i = min(int(fraction), len(colors) - 2)
    (r0, g0, b0), (r1, g1, b1) = _rgb(colors[i]), _rgb(colors[i + 1])
    w = fraction - i
    return f"rgb({round(r0 + (r1 - r0) * w)},{round(g0 + (g1 - g0) * w)},{round(b0 + (b1 - b0) * w)})"


def color_table(colors: list[str], size: int = 256) -> list[str]:
    """``size`` colours evenly along a scale: look colours up by index instead of interpolating each one."""
    return [color_at(colors, i / (size - 1)) for i in range(size)]


def color_bins(values: list[float], low: float, high: float, *, reverse: bool, n_bins: int) -> list[int]:
    """Which of ``n_bins`` equal colour bins each value falls in (bin 0 is the light end of the scale).

    With ``reverse``, low values take the dark end, as plotly's ``reversescale`` does.
    """
    span = high - low
    out = []
    for v in values:
        t = (v - low) / span if span > 0 else 0.5
        if reverse:
            t = 1.0 - t
        out.append(min(max(int(t * n_bins), 0), n_bins - 1))
    return out


def to_hex(color: str) -> str:
    """ "rgb(r,g,b)" as "#rrggbb" (the form both plotting libraries accept)."""
    return "#" + "".join(f"{round(c):02x}" for c in _rgb(color))


REDS = [
    "rgb(255,245,240)",
    "rgb(254,224,210)",
    "rgb(252,187,161)",
    "rgb(252,146,114)",
    "rgb(251,106,74)",
    "rgb(239,59,44)",
    "rgb(203,24,29)",
    "rgb(165,15,21)",
    "rgb(103,0,13)",
]
"""The scale of the Pareto-optimal trials (ColorBrewer "Reds"), by trial number."""

RDYLBU_R = [
    "rgb(49,54,149)",
    "rgb(69,117,180)",
    "rgb(116,173,209)",
    "rgb(171,217,233)",
    "rgb(224,243,248)",
    "rgb(255,255,191)",
    "rgb(254,224,144)",
    "rgb(253,174,97)",
    "rgb(244,109,67)",
    "rgb(215,48,39)",
    "rgb(165,0,38)",
]
"""The diverging scale of the rank plot, lowest value blue to highest red (ColorBrewer "RdYlBu", reversed)."""


def matrix_edges(row: int, col: int, n: int) -> tuple[bool, bool]:
    """Whether a panel of an n x n matrix with an empty diagonal labels its x axis (lowest panel of its column)
    and its y axis (leftmost panel of its row)."""
    if n == 1:
        return True, True
    lowest = n - 2 if col == n - 1 else n - 1
    leftmost = 1 if row == 0 else 0
    return row == lowest, col == leftmost

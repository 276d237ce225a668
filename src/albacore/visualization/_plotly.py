"""What the plotly renderers share: the lazy import, colour scales, empty figures and parameter axes."""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

from albacore._optional import require
from albacore.logging import get_logger
from albacore.visualization._style import BLUES
from albacore.visualization.data import ParamAxis

__all__ = [
    "VALIDATE",
    "axis_layout",
    "grid_axes",
    "make_figure",
    "colorscale",
    "empty_figure",
    "plotly_go",
    "plotly_subplots",
]

_logger = get_logger("albacore.visualization")


VALIDATE = False
"""Whether plotly checks the renderers' own trace dicts (the test suite turns it on; see make_figure)."""


def make_figure(go: Any, data: list[dict[str, Any]], layout: dict[str, Any]) -> Any:
    """A ``go.Figure`` from plain trace and layout dicts (give it numpy arrays, not lists, for long data).

    plotly validates every property of every trace it is given, which costs far more than the plot itself on
    big studies (seconds for a matrix of hundreds of panels). The renderers' dicts are checked in the test
    suite instead; the figure then validates whatever the caller changes later, as usual.
    """
    try:
        figure = go.Figure(data=data, layout=layout, _validate=VALIDATE)
    except TypeError:  # a plotly without this switch: validate, slower but the same figure
        return go.Figure(data=data, layout=layout)
    figure._validate = True
    figure.layout._validate = True
    for trace in figure.data:
        trace._validate = True
    return figure


def grid_axes(
    rows: int, cols: int, *, gap: float = 0.04, share_y: bool = False
) -> tuple[dict[str, Any], list[list[tuple[str, str]]]]:
    """Layout axes for a rows x cols grid of panels, and each panel's (xaxis, yaxis) names for its traces.

    ``layout[...]`` keys follow plotly's naming ("xaxis", "xaxis2", ...); traces refer to "x", "x2", ....
    """
    layout: dict[str, Any] = {}
    refs: list[list[tuple[str, str]]] = []
    width = (1.0 - gap * (cols - 1)) / cols
    height = (1.0 - gap * (rows - 1)) / rows
    for r in range(rows):
        row = []
        for c in range(cols):
            k = r * cols + c + 1
            suffix = "" if k == 1 else str(k)
            x0 = c * (width + gap)
            y1 = 1.0 - r * (height + gap)
            layout[f"xaxis{suffix}"] = {"domain": _unit(x0, x0 + width), "anchor": f"y{suffix}"}
            layout[f"yaxis{suffix}"] = {"domain": _unit(y1 - height, y1), "anchor": f"x{suffix}"}
            if share_y and k > 1:
                layout[f"yaxis{suffix}"].update(matches="y", showticklabels=False)
            row.append((f"x{suffix}", f"y{suffix}"))
        refs.append(row)
    return layout, refs


def _unit(low: float, high: float) -> list[float]:
    """A domain inside [0, 1] (sums of gaps and widths can stray by a rounding error)."""
    return [min(max(round(low, 9), 0.0), 1.0), min(max(round(high, 9), 0.0), 1.0)]


def plotly_go(feature: str) -> Any:
    """``plotly.graph_objects``, or an error naming the extra to install."""
    return require("plotly.graph_objects", extra="plotly", feature=feature)


def plotly_subplots(feature: str) -> ModuleType:
    """``plotly.subplots``, or an error naming the extra to install."""
    return require("plotly.subplots", extra="plotly", feature=feature)


def colorscale(colors: list[str] = BLUES) -> list[list[Any]]:
    """A plotly colour scale spreading ``colors`` evenly over [0, 1]."""
    last = len(colors) - 1
    return [[i / last, c] for i, c in enumerate(colors)]


def empty_figure(go: Any, title: str, reason: str, layout: dict[str, Any] | None = None) -> Any:
    """A figure with only a title and axes, after logging why it is empty (an empty study is not an error)."""
    _logger.warning(f"{title}: {reason}")
    return make_figure(go, [], {**(layout or {}), "title": {"text": title}})


def axis_layout(axis: ParamAxis, *, title: bool = True) -> dict[str, Any]:
    """Layout of a plotly axis for one parameter: log type, ticks at every choice, a padded range."""
    layout: dict[str, Any] = {"title": {"text": axis.name}} if title else {}
    if axis.is_log:
        layout["type"] = "log"
        if axis.high >= 100 * axis.low:  # two decades or more: a tick per power of ten, no crowded minor labels
            layout["dtick"] = 1
    if axis.tick_values:
        layout["tickvals"] = axis.tick_values
        layout["ticktext"] = axis.tick_labels
    if not math.isnan(axis.low):
        low, high = axis.padded_range()
        layout["range"] = [math.log10(low), math.log10(high)] if axis.is_log else [low, high]
    return layout

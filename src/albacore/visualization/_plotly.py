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
    "axis_layout",
    "colorscale",
    "empty_figure",
    "plotly_go",
    "plotly_subplots",
]

_logger = get_logger("albacore.visualization")


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
    return go.Figure(layout={**(layout or {}), "title": {"text": title}})


def axis_layout(axis: ParamAxis, *, title: bool = True) -> dict[str, Any]:
    """Layout of a plotly axis for one parameter: log type, ticks at every choice, a padded range."""
    layout: dict[str, Any] = {"title": {"text": axis.name}} if title else {}
    if axis.is_log:
        layout["type"] = "log"
    if axis.tick_values:
        layout["tickvals"] = axis.tick_values
        layout["ticktext"] = axis.tick_labels
    if not math.isnan(axis.low):
        low, high = axis.padded_range()
        layout["range"] = [math.log10(low), math.log10(high)] if axis.is_log else [low, high]
    return layout

"""What the matplotlib renderers share: the lazy import, the style context, colour maps and parameter axes.

Every renderer draws inside ``plt.style.context(...)``, so a plot never changes the caller's global style.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

from albacore._optional import require
from albacore.logging import get_logger
from albacore.visualization._style import BLUES
from albacore.visualization.data import ParamAxis

__all__ = ["STYLE", "apply_param_axis", "colormap", "pyplot", "styled", "titled_axes", "warn_empty"]

_logger = get_logger("albacore.visualization.matplotlib")

STYLE = "ggplot"
"""The matplotlib style the plots are drawn in (only inside the plot call)."""


def pyplot(feature: str) -> Any:
    """``matplotlib.pyplot``, or an error naming the extra to install."""
    return require("matplotlib.pyplot", extra="matplotlib", feature=feature)


@contextlib.contextmanager
def styled(plt: Any) -> Iterator[None]:
    """Draw in the plots' style without touching the global rcParams."""
    with plt.style.context(STYLE):
        yield


def colormap(scale: list[str] = BLUES) -> Any:
    """A scale of "rgb(r,g,b)" colours (the "Blues" scale by default) as a matplotlib colormap."""
    colors = require("matplotlib.colors", extra="matplotlib", feature="albacore.visualization.matplotlib")
    rgb = [tuple(int(c) / 255 for c in color[4:-1].split(",")) for color in scale]
    return colors.LinearSegmentedColormap.from_list("albacore_scale", rgb)


def warn_empty(title: str, reason: str) -> None:
    """Log why a plot draws nothing (an empty study is no error)."""
    _logger.warning(f"{title}: {reason}")


def titled_axes(plt: Any, title: str, *, empty_because: str | None = None) -> Any:
    """New Axes with a title; ``empty_because`` logs why nothing will be drawn (an empty study is no error)."""
    if empty_because is not None:
        warn_empty(title, empty_because)
    _, ax = plt.subplots()
    ax.set_title(title)
    return ax


def apply_param_axis(ax: Any, axis: ParamAxis, which: str = "x", *, label: bool = True) -> None:
    """Set log scale, choice ticks, padded limits and the label of one parameter's axis."""
    set_scale, set_ticks, set_labels, set_lim, set_label = (
        (ax.set_xscale, ax.set_xticks, ax.set_xticklabels, ax.set_xlim, ax.set_xlabel)
        if which == "x"
        else (ax.set_yscale, ax.set_yticks, ax.set_yticklabels, ax.set_ylim, ax.set_ylabel)
    )
    if axis.is_log:
        set_scale("log")
    if axis.tick_values:
        set_ticks(axis.tick_values)
        set_labels(axis.tick_labels)
    if not math.isnan(axis.low):
        set_lim(*axis.padded_range())
    if label:
        set_label(axis.name)

"""plot_parallel_coordinate with plotly.

Lines are drawn as ordinary scatter traces (one vertical axis per dimension), so that missing values, dotted
infeasible lines and any number of trials work. Lines of similar colour share a trace: a figure of 10,000
trials holds a few dozen traces instead of 10,000, which keeps it quick to build, to save and to open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore.trial import FrozenTrial
from albacore.visualization._plotly import colorscale, empty_figure, make_figure, plotly_go
from albacore.visualization._style import BLUES, color_at, color_bins
from albacore.visualization.data import (
    DEFAULT_TARGET_NAME,
    ParallelCoordinateData,
    TrialSet,
    parallel_coordinate_data,
)

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from albacore.study import Study

__all__ = ["LINE_COLORS", "N_COLOR_BINS", "color_range", "plot_parallel_coordinate"]

TITLE = "Parallel Coordinate Plot"

# The two lightest blues vanish on a white background: lines use the rest of the scale.
LINE_COLORS = BLUES[2:]

N_COLOR_BINS = 32
"""Lines are grouped into this many colour steps (invisible to the eye, and 300 times fewer traces)."""


def plot_parallel_coordinate(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> go.Figure:
    """Plot every trial as a line across the objective and the parameters, coloured by objective value.

    Log-scaled parameters are spaced in log space, categorical ones by choice (numeric choices sorted). A trial
    without a parameter (a conditional one) is kept: its line goes through the "None" tick of that axis.
    Infeasible trials are dotted. A multi-objective study without ``target`` gets one axis per objective and
    lines coloured by Pareto rank (0 = the Pareto front).

    Args:
        study: The study.
        params: The parameters to draw (all, sorted by name, when None).
        target: What to use instead of the objective value.
        target_name: The objective axis and colour bar title.

    Returns:
        A plotly figure; empty (with a logged warning) when no trial has completed.

    Raises:
        ValueError: For a parameter that no trial has.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("n", 1, 3), n_trials=5)
        >>> plot_parallel_coordinate(study).layout.xaxis.ticktext
        ('Objective Value', 'n', 'x')
    """
    go = plotly_go("plot_parallel_coordinate")
    data = parallel_coordinate_data(TrialSet.of(study), params, target=target, target_name=target_name)
    return _draw(go, data)


def color_range(data: ParallelCoordinateData) -> tuple[float, float]:
    """The colour scale's ends; never equal, so a constant objective still gets a colour bar."""
    low, high = min(data.color_values), max(data.color_values)
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def _draw(go: Any, data: ParallelCoordinateData) -> Any:
    dims = data.dimensions
    layout = {
        "title": {"text": TITLE},
        "plot_bgcolor": "white",
        "xaxis": {
            "tickvals": list(range(len(dims))),
            "ticktext": [d.label for d in dims],
            "range": [-0.2, len(dims) - 0.5],
            "showgrid": False,
            "zeroline": False,
        },
        "yaxis": {"visible": False, "range": [-0.05, 1.05]},
        "showlegend": data.has_constraints,
        "legend": {"orientation": "h", "x": 0.0, "y": 1.08},
    }
    if not data.trial_numbers:
        return empty_figure(go, TITLE, "there are no completed trials to plot.", layout)
    low, high = color_range(data)
    bins = color_bins(data.color_values, low, high, reverse=data.reverse_scale, n_bins=N_COLOR_BINS)
    groups: dict[tuple[bool, int], list[int]] = {}
    for line, (ok, b) in enumerate(zip(data.feasible, bins, strict=True)):
        groups.setdefault((ok, b), []).append(line)  # lines come in drawing order: so do the groups
    n = len(dims)
    positions = np.array([d.positions for d in dims]).T  # lines x dimensions
    step = np.append(np.arange(n, dtype=float), np.nan)  # NaN ends one line: the next starts anew
    traces: list[dict[str, Any]] = []
    for (ok, b), lines in groups.items():
        block = np.full((len(lines), n + 1), np.nan)
        block[:, :n] = positions[lines]
        traces.append(
            {
                "type": "scatter",
                "x": np.tile(step, len(lines)),
                "y": block.ravel(),
                "mode": "lines",
                "line": {
                    "color": color_at(LINE_COLORS, (b + 0.5) / N_COLOR_BINS),
                    "width": 1,
                    "dash": "solid" if ok else "dot",
                },
                "opacity": 0.5,
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    traces.append(_axes_trace(n))
    traces.append(_ticks_trace(data))
    if data.has_constraints:
        for name, dash in (("Feasible", "solid"), ("Infeasible", "dot")):
            traces.append(
                {
                    "type": "scatter",
                    "x": [None],
                    "y": [None],
                    "mode": "lines",
                    "name": name,
                    "line": {"color": LINE_COLORS[-2], "dash": dash},
                }
            )
    colorbar: dict[str, Any] = {"title": {"text": data.colorbar_title}}
    if data.is_rank_color:
        ranks = sorted(set(int(v) for v in data.color_values))
        colorbar["tickvals"] = ranks if len(ranks) <= 10 else ranks[:: max(1, len(ranks) // 10)]
    traces.append(
        {
            "type": "scatter",  # carries the colour bar
            "x": [None],
            "y": [None],
            "mode": "markers",
            "showlegend": False,
            "hoverinfo": "skip",
            "marker": {
                "color": [low, high],
                "cmin": low,
                "cmax": high,
                "colorscale": colorscale(LINE_COLORS),
                "reversescale": data.reverse_scale,
                "showscale": True,
                "colorbar": colorbar,
            },
        }
    )
    return make_figure(go, traces, {**layout, "width": max(600, 110 * n + 200)})


def _axes_trace(n: int) -> dict[str, Any]:
    return {
        "type": "scatter",
        "x": np.repeat(np.arange(n, dtype=float), 3) * np.tile([1.0, 1.0, np.nan], n),
        "y": np.tile([0.0, 1.0, np.nan], n),
        "mode": "lines",
        "line": {"color": "#444", "width": 1},
        "hoverinfo": "skip",
        "showlegend": False,
    }


def _ticks_trace(data: ParallelCoordinateData) -> dict[str, Any]:
    xs: list[float] = []
    ys: list[float] = []
    texts: list[str] = []
    for i, dim in enumerate(data.dimensions):
        xs += [i + 0.04] * len(dim.tick_positions)
        ys += dim.tick_positions
        texts += dim.tick_labels
    return {
        "type": "scatter",
        "x": xs,
        "y": ys,
        "text": texts,
        "mode": "text+markers",
        "marker": {"symbol": "line-ew", "size": 8, "line": {"width": 1, "color": "#444"}, "color": "#444"},
        "textposition": "middle right",
        "textfont": {"size": 10},
        "hoverinfo": "skip",
        "showlegend": False,
    }

"""plot_contour with plotly."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore.trial import FrozenTrial
from albacore.visualization._plotly import axis_layout, colorscale, empty_figure, grid_axes, make_figure, plotly_go
from albacore.visualization._style import INFEASIBLE_COLOR, matrix_edges
from albacore.visualization.data import DEFAULT_TARGET_NAME, ContourData, ContourPanel, TrialSet, contour_data

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from albacore.study import Study

__all__ = ["plot_contour"]

TITLE = "Contour Plot"


def plot_contour(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> go.Figure:
    """Plot the objective value interpolated over pairs of parameters, with the trials as points.

    Two parameters give one contour; more give a matrix of every pair (``params[j]`` along x, ``params[i]``
    along y in row ``i``, column ``j``; the diagonal is empty). Log-scaled parameters get log axes, categorical
    ones a tick per choice. The grid and the number of points are capped, so big studies stay quick and the
    figure small. Infeasible trials are grey and not interpolated.

    Args:
        study: The study.
        params: The parameters to pair (all when None); drawn sorted by name.
        target: What to use instead of the objective value; required for multi-objective studies.
        target_name: The colour bar title.

    Returns:
        A plotly figure; empty (with a logged warning) with fewer than two parameters or no completed trial.

    Raises:
        ValueError: For a multi-objective study without ``target``, or a parameter that no trial has.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) * t.suggest_float("y", 0, 1), n_trials=20)
        >>> fig = plot_contour(study)
        >>> fig.data[0].type, fig.layout.xaxis.title.text, fig.layout.yaxis.title.text
        ('contour', 'x', 'y')
    """
    go = plotly_go("plot_contour")
    data = contour_data(TrialSet.of(study), params, target=target, target_name=target_name)
    return _draw(go, data)


def _contour(panel: ContourPanel, data: ContourData, refs: tuple[str, str], *, show_scale: bool) -> dict[str, Any]:
    return {
        "type": "contour",
        "x": np.asarray(panel.grid_x),
        "y": np.asarray(panel.grid_y),
        "z": np.asarray(panel.z),
        "xaxis": refs[0],
        "yaxis": refs[1],
        "zmin": data.z_min,
        "zmax": data.z_max,
        "colorscale": colorscale(),
        "reversescale": data.reverse_scale,
        "connectgaps": True,
        "contours": {"coloring": "heatmap"},
        "line": {"smoothing": 1.3},
        "hoverinfo": "skip",
        "showscale": show_scale,
        "colorbar": {"title": {"text": data.target_name}},
    }


def _points(panel: ContourPanel, refs: tuple[str, str], *, feasible: bool) -> dict[str, Any]:
    mask = np.asarray(panel.feasible, dtype=bool)
    if not feasible:
        mask = ~mask
    return {
        "type": "scatter",
        "x": np.asarray(panel.x)[mask],
        "y": np.asarray(panel.y)[mask],
        "customdata": np.asarray(panel.trial_numbers)[mask],
        "xaxis": refs[0],
        "yaxis": refs[1],
        "mode": "markers",
        "marker": (
            {"color": "black", "size": 5, "line": {"color": "white", "width": 0.5}}
            if feasible
            else {"color": INFEASIBLE_COLOR, "size": 5}
        ),
        "hovertemplate": "Trial %{customdata}" + ("" if feasible else " (infeasible)") + "<extra></extra>",
        "showlegend": False,
    }


def _draw(go: Any, data: ContourData) -> Any:
    if not data.panels:
        reason = "it needs at least two parameters and a completed trial."
        return empty_figure(go, TITLE, reason, {"xaxis": {"visible": False}, "yaxis": {"visible": False}})
    n = len(data.panels)
    layout, refs = grid_axes(n, n, gap=0.1 / n if n > 1 else 0.0)
    contours: list[dict[str, Any]] = []
    points: list[dict[str, Any]] = []
    for i, row in enumerate(data.panels):
        for j, panel in enumerate(row):
            k = i * n + j + 1
            suffix = "" if k == 1 else str(k)
            if panel is None:
                layout[f"xaxis{suffix}"]["visible"] = False
                layout[f"yaxis{suffix}"]["visible"] = False
                continue
            edge_x, edge_y = matrix_edges(i, j, n)
            layout[f"xaxis{suffix}"].update(axis_layout(panel.x_axis, title=edge_x), showticklabels=edge_x)
            layout[f"yaxis{suffix}"].update(axis_layout(panel.y_axis, title=edge_y), showticklabels=edge_y)
            if panel.z is not None:
                contours.append(_contour(panel, data, refs[i][j], show_scale=not contours))
            points.append(_points(panel, refs[i][j], feasible=True))
            if not all(panel.feasible):
                points.append(_points(panel, refs[i][j], feasible=False))
    layout["title"] = {"text": TITLE}
    if n > 2:
        side = min(2400, 180 * n + 200)
        layout.update(width=side, height=side)
    return make_figure(go, contours + points, layout)

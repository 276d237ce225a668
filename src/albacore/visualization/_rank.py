"""plot_rank with plotly."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore.trial import FrozenTrial
from albacore.visualization._plotly import axis_layout, colorscale, empty_figure, grid_axes, make_figure, plotly_go
from albacore.visualization._style import INFEASIBLE_COLOR, RDYLBU_R, matrix_edges
from albacore.visualization.data import DEFAULT_TARGET_NAME, RankData, RankPanel, TrialSet, rank_data
from albacore.visualization.data._rank import COLORBAR_FRACTIONS

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from albacore.study import Study

__all__ = ["plot_rank"]


def plot_rank(
    study: Study,
    params: list[str] | None = None,
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> go.Figure:
    """Plot trials placed by pairs of parameters, coloured by the rank of their value (blue = lowest).

    Two parameters give one panel, more a matrix of every pair, one parameter a panel of value against it.
    Trials that lack one of a panel's parameters (conditional ones) are left out of that panel only; infeasible
    trials are grey. Big matrices keep an even selection of markers (the best trial always).

    Args:
        study: The study.
        params: The parameters to draw (all, sorted by name, when None).
        target: What to use instead of the objective value; required for multi-objective studies.
        target_name: The colour bar title.

    Returns:
        A plotly figure; empty (with a logged warning) when no trial has completed.

    Raises:
        ValueError: For a multi-objective study without ``target``, or a parameter that no trial has.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_float("y", 0, 1), n_trials=5)
        >>> plot_rank(study).layout.title.text
        'Rank (Objective Value)'
    """
    go = plotly_go("plot_rank")
    data = rank_data(TrialSet.of(study), params, target=target, target_name=target_name)
    return _draw(go, data)


def _points(panel: RankPanel, table: dict[str, np.ndarray], refs: tuple[str, str]) -> list[dict[str, Any]]:
    index = np.asarray(panel.points, dtype=int)
    x, y = np.asarray(panel.x), np.asarray(panel.y)
    feasible = table["feasible"][index]
    traces = []
    for ok in (False, True):  # infeasible (grey) under feasible; both only where present
        picked = feasible == ok
        if not picked.any():
            continue
        marker: dict[str, Any] = (
            {"color": table["fractions"][index[picked]], "cmin": 0.0, "cmax": 1.0, "colorscale": colorscale(RDYLBU_R)}
            if ok
            else {"color": INFEASIBLE_COLOR}
        )
        traces.append(
            {
                "type": "scatter",
                "x": x[picked],
                "y": y[picked],
                "xaxis": refs[0],
                "yaxis": refs[1],
                "mode": "markers",
                "marker": {**marker, "size": 6, "line": {"width": 0.3}},
                "customdata": np.stack([table["numbers"][index[picked]], table["values"][index[picked]]], axis=-1),
                "hovertemplate": "Trial %{customdata[0]}<br>%{customdata[1]}<extra></extra>",
                "showlegend": False,
            }
        )
    return traces


def _draw(go: Any, data: RankData) -> Any:
    title = f"Rank ({data.target_name})"
    if not data.panels:
        return empty_figure(go, title, "there are no completed trials to plot.")
    n = len(data.panels)
    layout, refs = grid_axes(n, n, gap=0.1 / n if n > 1 else 0.0)
    traces: list[dict[str, Any]] = []
    table = {
        "feasible": np.asarray(data.feasible, dtype=bool),
        "fractions": np.asarray(data.fractions),
        "numbers": np.asarray(data.trial_numbers),
        "values": np.asarray(data.values),
    }
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
            if panel.y_axis is None:
                layout[f"yaxis{suffix}"]["title"] = {"text": data.target_name}
            else:
                layout[f"yaxis{suffix}"].update(axis_layout(panel.y_axis, title=edge_y), showticklabels=edge_y)
            traces += _points(panel, table, refs[i][j])
    colorbar_refs = refs[0][1] if n > 1 else refs[0][0]  # a drawn panel: the diagonal's axes stay hidden
    traces.append(
        {  # carries the colour bar: fractions of the rank, labelled with the values found there
            "type": "scatter",
            "x": [None],
            "y": [None],
            "xaxis": colorbar_refs[0],
            "yaxis": colorbar_refs[1],
            "mode": "markers",
            "showlegend": False,
            "hoverinfo": "skip",
            "marker": {
                "color": [0.0, 1.0],
                "cmin": 0.0,
                "cmax": 1.0,
                "colorscale": colorscale(RDYLBU_R),
                "showscale": True,
                "colorbar": {
                    "title": {"text": data.target_name},
                    "tickvals": COLORBAR_FRACTIONS,
                    "ticktext": [f"{v:.3g}" for v in data.colorbar_values],
                },
            },
        }
    )
    layout["title"] = {"text": title}
    if n > 2:
        side = min(2400, 180 * n + 200)
        layout.update(width=side, height=side)
    return make_figure(go, traces, layout)

"""plot_hypervolume_history with plotly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore.visualization._plotly import empty_figure, make_figure, plotly_go
from albacore.visualization._style import PALETTE
from albacore.visualization.data import HypervolumeHistoryData, TrialSet, hypervolume_history_data

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from albacore.study import Study

__all__ = ["plot_hypervolume_history"]

TITLE = "Hypervolume History Plot"


def plot_hypervolume_history(study: Study, reference_point: Sequence[float]) -> go.Figure:
    """Plot the hypervolume of the feasible trials' Pareto front after each trial of a multi-objective study.

    Args:
        study: A study with two objectives or more.
        reference_point: One coordinate per objective, worse than every trial worth counting (for a maximised
            objective, lower than its values).

    Returns:
        A plotly figure; empty (with a logged warning) when no trial has completed.

    Raises:
        ValueError: For a single-objective study, or a reference point of the wrong length.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(directions=["minimize", "minimize"])
        >>> study.optimize(lambda t: (t.suggest_float("x", 0, 1), t.suggest_float("y", 0, 1)), n_trials=5)
        >>> plot_hypervolume_history(study, reference_point=[1.0, 1.0]).layout.yaxis.title.text
        'Hypervolume'
    """
    go = plotly_go("plot_hypervolume_history")
    return _draw(go, hypervolume_history_data(TrialSet.of(study), reference_point))


def _draw(go: Any, data: HypervolumeHistoryData) -> Any:
    layout = {
        "title": {"text": TITLE},
        "xaxis": {"title": {"text": "Trial"}},
        "yaxis": {"title": {"text": "Hypervolume"}},
    }
    if not data.trial_numbers:
        return empty_figure(go, TITLE, "there are no completed trials to plot.", layout)
    trace = {
        "type": "scatter",
        "x": np.asarray(data.trial_numbers),
        "y": np.asarray(data.values),
        "mode": "lines+markers",
        "line": {"color": PALETTE[0], "shape": "hv"},
        "marker": {"maxdisplayed": 200},
        "name": "Hypervolume",
    }
    return make_figure(go, [trace], layout)

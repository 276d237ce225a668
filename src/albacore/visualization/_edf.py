"""plot_edf with plotly."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore.trial import FrozenTrial
from albacore.visualization._plotly import empty_figure, make_figure, plotly_go
from albacore.visualization._style import PALETTE
from albacore.visualization.data import DEFAULT_TARGET_NAME, EdfData, edf_data
from albacore.visualization.data._common import as_trial_sets

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from albacore.study import Study

__all__ = ["plot_edf"]

TITLE = "Empirical Distribution Function Plot"


def plot_edf(
    study: Study | Sequence[Study],
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> go.Figure:
    """Plot the empirical distribution function of the objective values of one study or several.

    A curve that rises early means the study found good (low) values often; it is the usual way to compare
    samplers over the same objective.

    Args:
        study: A study, or a sequence of studies (one curve each).
        target: What to plot instead of the objective value; required for multi-objective studies.
        target_name: The x-axis title.

    Returns:
        A plotly figure; empty (with a logged warning) when no trial has completed.

    Raises:
        ValueError: For a multi-objective study without ``target``.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=5)
        >>> plot_edf(study).layout.yaxis.title.text
        'Cumulative Probability'
    """
    go = plotly_go("plot_edf")
    return _draw(go, edf_data(as_trial_sets(study), target=target, target_name=target_name))


def _draw(go: Any, data: EdfData) -> Any:
    layout = {
        "title": {"text": TITLE},
        "xaxis": {"title": {"text": data.target_name}},
        "yaxis": {"title": {"text": "Cumulative Probability"}, "range": [-0.02, 1.02]},
    }
    if not data.lines:
        return empty_figure(go, TITLE, "there are no completed trials to plot.", layout)
    x = np.asarray(data.x_values)
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": x,
            "y": np.asarray(line.y_values),
            "mode": "lines",
            "name": line.study_name,
            "line": {"color": PALETTE[i % len(PALETTE)]},
        }
        for i, line in enumerate(data.lines)
    ]
    return make_figure(go, traces, layout)

"""plot_timeline with plotly."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore.visualization._plotly import empty_figure, make_figure, plotly_go
from albacore.visualization._style import INFEASIBLE_COLOR, STATE_COLORS
from albacore.visualization.data import TimelineData, TrialSet, timeline_data

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from albacore.study import Study

__all__ = ["bar_groups", "plot_timeline"]

TITLE = "Timeline Plot"


def plot_timeline(study: Study, n_recent_trials: int | None = None) -> go.Figure:
    """Plot when each trial ran, as a horizontal bar per trial coloured by how it ended.

    Args:
        study: The study.
        n_recent_trials: Draw only this many of the highest-numbered trials (a positive integer), or all.

    Returns:
        A plotly figure; empty (with a logged warning) when the study has no trials.

    Raises:
        ValueError: If ``n_recent_trials`` is zero or negative.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        >>> [trace.name for trace in plot_timeline(study).data]
        ['COMPLETE']
    """
    go = plotly_go("plot_timeline")
    return _draw(go, timeline_data(TrialSet.of(study), n_recent_trials=n_recent_trials))


_LEGEND_ORDER = ("COMPLETE", "Infeasible", "PRUNED", "FAIL", "RUNNING", "WAITING")


def bar_groups(data: TimelineData) -> dict[str, list[int]]:
    """Indexes of the bars in each legend group (the state name, or "Infeasible" for infeasible COMPLETE ones),
    groups in a fixed order."""
    groups: dict[str, list[int]] = {key: [] for key in _LEGEND_ORDER}
    for i, bar in enumerate(data.bars):
        key = "Infeasible" if bar.infeasible and bar.state == "COMPLETE" else bar.state
        groups.setdefault(key, []).append(i)
    return {key: indexes for key, indexes in groups.items() if indexes}


def _draw(go: Any, data: TimelineData) -> Any:
    layout = {
        "title": {"text": TITLE},
        "xaxis": {"title": {"text": "Datetime"}, "type": "date"},
        "yaxis": {"title": {"text": "Trial"}},
        "barmode": "overlay",
    }
    if not data.bars:
        return empty_figure(go, TITLE, "the study has no trials.", layout)
    starts = [datetime.datetime.fromisoformat(bar.start) for bar in data.bars]
    ends = [datetime.datetime.fromisoformat(bar.complete) for bar in data.bars]
    traces: list[dict[str, Any]] = [
        {
            "type": "bar",
            "name": group,
            "orientation": "h",
            "base": [data.bars[i].start for i in indexes],
            "x": np.array([(ends[i] - starts[i]).total_seconds() * 1000 for i in indexes]),
            "y": np.array([data.bars[i].number for i in indexes]),
            "marker": {"color": STATE_COLORS.get(group, INFEASIBLE_COLOR)},
            "hovertemplate": "Trial %{y}<br>%{base} + %{x:.0f} ms<extra>" + group + "</extra>",
        }
        for group, indexes in bar_groups(data).items()
    ]
    return make_figure(go, traces, layout)

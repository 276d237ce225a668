"""plot_timeline with matplotlib."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from albacore._optional import require
from albacore.visualization._style import INFEASIBLE_COLOR, STATE_COLORS
from albacore.visualization._timeline import bar_groups
from albacore.visualization.data import TimelineData, TrialSet, timeline_data
from albacore.visualization.matplotlib._common import pyplot, styled, titled_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from albacore.study import Study

__all__ = ["plot_timeline"]

TITLE = "Timeline Plot"


def plot_timeline(study: Study, n_recent_trials: int | None = None) -> Axes:
    """Plot when each trial ran, one horizontal bar per trial coloured by state, with matplotlib.

    Same arguments and data as :func:`albacore.visualization.plot_timeline`.

    Returns:
        The matplotlib Axes; empty (with a logged warning) when the study has no trials.

    Raises:
        ValueError: If ``n_recent_trials`` is zero or negative.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        >>> plot_timeline(study).get_ylabel()
        'Trial'
    """
    plt = pyplot("plot_timeline")
    data = timeline_data(TrialSet.of(study), n_recent_trials=n_recent_trials)
    with styled(plt):
        ax: Axes = _draw(plt, data)
    return ax


def _draw(plt: Any, data: TimelineData) -> Any:
    dates = require("matplotlib.dates", extra="matplotlib", feature="plot_timeline")
    ax = titled_axes(plt, TITLE, empty_because=None if data.bars else "the study has no trials.")
    ax.set_xlabel("Datetime")
    ax.set_ylabel("Trial")
    if not data.bars:
        return ax
    starts = [datetime.datetime.fromisoformat(bar.start) for bar in data.bars]
    ends = [datetime.datetime.fromisoformat(bar.complete) for bar in data.bars]
    for group, indexes in bar_groups(data).items():
        ax.barh(
            [data.bars[i].number for i in indexes],
            [dates.date2num(ends[i]) - dates.date2num(starts[i]) for i in indexes],
            left=[dates.date2num(starts[i]) for i in indexes],
            color=STATE_COLORS.get(group, INFEASIBLE_COLOR),
            label=group,
            height=0.8,
        )
    ax.xaxis_date()
    ax.legend(loc="lower right")
    return ax

"""plot_pruning_advice with matplotlib."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from albacore.visualization._pruning_advice import TITLE, X_TITLE, Y_TITLE
from albacore.visualization._style import PALETTE
from albacore.visualization.data import PruningTradeoffData, pruning_tradeoff_data
from albacore.visualization.matplotlib._common import pyplot, styled, titled_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from albacore._pruning_advice import PruningAdvice

__all__ = ["plot_pruning_advice"]


def plot_pruning_advice(advice: PruningAdvice) -> Axes:
    """Plot each replayed pruner setting's steps saved against top trials stopped, with matplotlib.

    Same data as :func:`albacore.visualization.plot_pruning_advice`: crosses would have stopped the best
    trial, the star is the recommended setting.

    Args:
        advice: The result of :func:`albacore.pruners.advise`.

    Returns:
        The matplotlib Axes.
    """
    plt = pyplot("plot_pruning_advice")
    data = pruning_tradeoff_data(advice)
    with styled(plt):
        ax: Axes = _draw(plt, data)
    return ax


def _draw(plt: Any, data: PruningTradeoffData) -> Any:
    ax = titled_axes(plt, f"{TITLE}\n{data.subtitle}")
    ax.set_xlabel(X_TITLE)
    ax.set_ylabel(Y_TITLE)
    ax.set_xlim(-2, 102)
    ax.set_ylim(-0.3, data.n_top + 0.3)
    for i, family in enumerate(data.families):
        color = PALETTE[i % len(PALETTE)]
        label: str | None = family.name
        for kept, marker in ((True, "o"), (False, "x")):
            xs = [x for x, k in zip(family.saved_percent, family.best_kept, strict=True) if k is kept]
            ys = [y for y, k in zip(family.top_stopped, family.best_kept, strict=True) if k is kept]
            if xs:
                ax.scatter(xs, ys, color=color, marker=marker, label=label)
                label = None
    if data.recommended is not None:
        saved, stopped, code = data.recommended
        ax.scatter([saved], [stopped], s=300, marker="*", facecolors="none", edgecolors="black", label="recommended")
        ax.annotate(code, (saved, stopped), textcoords="offset points", xytext=(0, 12), ha="center", fontsize=7)
    ax.legend(loc="upper left", fontsize=8)
    return ax

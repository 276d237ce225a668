"""plot_pruning_advice with plotly: the trade-off between steps saved and top trials stopped."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from albacore.visualization._plotly import make_figure, plotly_go
from albacore.visualization._style import PALETTE
from albacore.visualization.data import PruningTradeoffData, pruning_tradeoff_data

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from albacore._pruning_advice import PruningAdvice

__all__ = ["plot_pruning_advice"]

TITLE = "Pruning Advice: Steps Saved vs Top Trials Stopped"
X_TITLE = "Steps saved (%)"
Y_TITLE = "Top trials stopped"


def plot_pruning_advice(advice: PruningAdvice) -> go.Figure:
    """Plot each replayed pruner setting: the steps it would have saved against the top trials it would stop.

    The settings on the bottom edge keep every top trial; the further right, the more they save. Crosses
    would have stopped the best trial; the star is the recommended setting. Hover a point for its code.

    Args:
        advice: The result of :func:`albacore.pruners.advise`.

    Returns:
        A plotly figure.

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", 0, 1)
        ...     for step in range(5):
        ...         trial.report(x * step, step)
        ...     return x
        >>> study = albacore.create_study(pruner=albacore.pruners.NopPruner())
        >>> study.optimize(objective, n_trials=8)
        >>> fig = plot_pruning_advice(albacore.pruners.advise(study))
        >>> fig.layout.xaxis.title.text
        'Steps saved (%)'
    """
    go = plotly_go("plot_pruning_advice")
    return _draw(go, pruning_tradeoff_data(advice))


def _draw(go: Any, data: PruningTradeoffData) -> Any:
    traces: list[dict[str, Any]] = []
    for i, family in enumerate(data.families):
        traces.append(
            {
                "type": "scatter",
                "x": family.saved_percent,
                "y": family.top_stopped,
                "mode": "markers",
                "name": family.name,
                "text": family.codes,
                "hovertemplate": "%{text}<br>saved %{x:.0f}%, top stopped %{y}<extra></extra>",
                "marker": {
                    "color": PALETTE[i % len(PALETTE)],
                    "size": 10,
                    "symbol": ["circle" if kept else "x" for kept in family.best_kept],
                },
            }
        )
    if data.recommended is not None:
        saved, stopped, code = data.recommended
        traces.append(
            {
                "type": "scatter",
                "x": [saved],
                "y": [stopped],
                "mode": "markers",
                "name": "recommended",
                "text": [code],
                "hovertemplate": "%{text}<extra>recommended</extra>",
                "marker": {"color": "rgba(0,0,0,0)", "size": 22, "symbol": "star-open", "line": {"width": 2}},
            }
        )
    layout = {
        "title": {"text": f"{TITLE}<br><sub>{data.subtitle}</sub>"},
        "xaxis": {"title": {"text": X_TITLE}, "range": [-2, 102]},
        "yaxis": {"title": {"text": Y_TITLE}, "range": [-0.3, data.n_top + 0.3], "dtick": 1},
    }
    return make_figure(go, traces, layout)

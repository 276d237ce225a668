"""plot_param_importances with plotly."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from albacore.trial import FrozenTrial
from albacore.visualization._plotly import empty_figure, make_figure, plotly_go
from albacore.visualization._style import PALETTE
from albacore.visualization.data import DEFAULT_TARGET_NAME, ParamImportancesData, param_importances_data

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from albacore.importance import BaseImportanceEvaluator
    from albacore.study import Study

__all__ = ["plot_param_importances"]

TITLE = "Hyperparameter Importances"


def plot_param_importances(
    study: Study,
    evaluator: BaseImportanceEvaluator | None = None,
    params: list[str] | None = None,
    *,
    target: Callable[[FrozenTrial], float] | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> go.Figure:
    """Plot how much each parameter matters to the objective, as horizontal bars (most important on top).

    Importances come from :func:`albacore.importance.get_param_importances` (PED-ANOVA by default). A
    multi-objective study without ``target`` gets one set of bars per objective.

    Args:
        study: The study.
        evaluator: The importance method (:class:`~albacore.importance.PedAnovaImportanceEvaluator` by default).
        params: The parameters to evaluate (the evaluator's default set when None).
        target: What to analyse instead of the objective value(s).
        target_name: The legend text of the bars.

    Returns:
        A plotly figure; empty (with a logged warning) when no trial has completed.

    Raises:
        ValueError: For a parameter that no completed trial has.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + 0.1 * t.suggest_float("y", 0, 1), n_trials=30)
        >>> fig = plot_param_importances(study)
        >>> list(fig.data[0].y), fig.layout.xaxis.title.text
        (['y', 'x'], 'Hyperparameter Importance')
    """
    go = plotly_go("plot_param_importances")
    data = param_importances_data(study, evaluator, params, target=target, target_name=target_name)
    return _draw(go, data)


def _draw(go: Any, data: ParamImportancesData) -> Any:
    layout: dict[str, Any] = {
        "title": {"text": TITLE},
        "xaxis": {"title": {"text": "Hyperparameter Importance"}},
        "yaxis": {"title": {"text": "Hyperparameter"}},
        "showlegend": len(data.bars) > 1,
        "barmode": "group",
    }
    if not data.bars:
        return empty_figure(go, TITLE, "there are no completed trials to analyse.", layout)
    traces = [
        {
            "type": "bar",
            "x": bars.importances,
            "y": data.params,
            "text": bars.labels,
            "textposition": "outside",
            "cliponaxis": False,
            "orientation": "h",
            "name": bars.target_name,
            "marker": {"color": PALETTE[i % len(PALETTE)]},
            "customdata": data.kinds,
            "hovertemplate": "%{y} (%{customdata}): %{x:.3f}<extra>" + bars.target_name + "</extra>",
        }
        for i, bars in enumerate(data.bars)
    ]
    return make_figure(go, traces, layout)

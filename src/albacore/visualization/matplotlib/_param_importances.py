"""plot_param_importances with matplotlib."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from albacore.trial import FrozenTrial
from albacore.visualization._style import PALETTE
from albacore.visualization.data import DEFAULT_TARGET_NAME, ParamImportancesData, param_importances_data
from albacore.visualization.matplotlib._common import pyplot, styled, titled_axes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

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
) -> Axes:
    """Plot how much each parameter matters to the objective, with matplotlib.

    Same arguments and data as :func:`albacore.visualization.plot_param_importances`.

    Returns:
        The matplotlib Axes; empty (with a logged warning) when no trial has completed.

    Raises:
        ValueError: For a parameter that no completed trial has.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + 0.1 * t.suggest_float("y", 0, 1), n_trials=30)
        >>> [label.get_text() for label in plot_param_importances(study).get_yticklabels()]
        ['y', 'x']
    """
    plt = pyplot("plot_param_importances")
    data = param_importances_data(study, evaluator, params, target=target, target_name=target_name)
    with styled(plt):
        ax: Axes = _draw(plt, data)
    return ax


def _draw(plt: Any, data: ParamImportancesData) -> Any:
    ax = titled_axes(plt, TITLE, empty_because=None if data.bars else "there are no completed trials to analyse.")
    ax.set_xlabel("Hyperparameter Importance")
    ax.set_ylabel("Hyperparameter")
    if not data.bars:
        return ax
    height = 0.8 / len(data.bars)
    rows = range(len(data.params))
    for i, bars in enumerate(data.bars):
        offset = (i - (len(data.bars) - 1) / 2) * height
        drawn = ax.barh(
            [r + offset for r in rows],
            bars.importances,
            height=height,
            color=PALETTE[i % len(PALETTE)],
            label=bars.target_name,
        )
        ax.bar_label(drawn, labels=bars.labels, padding=2, fontsize=8)
    ax.set_yticks(list(rows))
    ax.set_yticklabels(data.params)
    ax.set_xlim(0, max(max(b.importances, default=0.0) for b in data.bars) * 1.15 or 1.0)
    if len(data.bars) > 1:
        ax.legend(loc="lower right")
    return ax

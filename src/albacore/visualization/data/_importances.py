"""Data of the parameter importance plot: :func:`albacore.importance.get_param_importances`, per objective.

Unlike the other data functions this one takes the study itself: importance evaluators (a user's own included)
receive the study, as ``get_param_importances`` does.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from albacore.study import StudyDirection
from albacore.trial import FrozenTrial, TrialState
from albacore.visualization.data._common import DEFAULT_TARGET_NAME, TrialSet, TrialTarget, check_target

if TYPE_CHECKING:
    from albacore.importance import BaseImportanceEvaluator
    from albacore.study import Study

__all__ = ["ImportanceBars", "ParamImportancesData", "param_importances_data"]


@dataclass(frozen=True)
class ImportanceBars:
    """The importances for one objective (or target).

    Attributes:
        target_name: The legend text (the objective's name).
        importances: Each parameter's importance (summing to 1), in the record's ``params`` order.
        labels: The text by each bar ("0.42", or "<0.01" for a negligible one).
    """

    target_name: str
    importances: list[float]
    labels: list[str]


@dataclass(frozen=True)
class ParamImportancesData:
    """Everything the parameter importance plot draws.

    Attributes:
        params: The parameters, least important first (bars are drawn bottom to top).
        kinds: Each parameter's distribution ("FloatDistribution", "IntDistribution", "CategoricalDistribution").
        bars: One set of bars per objective (a multi-objective study without ``target``) or a single one; empty
            when no trial has completed.
    """

    params: list[str]
    kinds: list[str]
    bars: list[ImportanceBars]


def _label(importance: float) -> str:
    return "<0.01" if importance < 0.01 else f"{importance:.2f}"


def _objective(index: int, direction: StudyDirection) -> TrialTarget:
    """The index-th objective, negated when maximised: evaluators take smaller targets as better."""
    sign = -1.0 if direction == StudyDirection.MAXIMIZE else 1.0

    def value(trial: FrozenTrial) -> float:
        return sign * trial.values[index] if trial.values is not None else float("nan")

    return value


def param_importances_data(
    study: Study,
    evaluator: BaseImportanceEvaluator | None = None,
    params: Sequence[str] | None = None,
    *,
    target: TrialTarget | None = None,
    target_name: str = DEFAULT_TARGET_NAME,
) -> ParamImportancesData:
    """The importance of each parameter, from ``get_param_importances``, for each objective.

    A multi-objective study without ``target`` gets one set of bars per objective, named by the study's metric
    names or "<target_name> 0", "<target_name> 1", ....

    Args:
        study: The study whose parameters to weigh.
        evaluator: The importance evaluator; PED-ANOVA when None.
        params: The parameters to weigh; every parameter when None.
        target: What to explain instead of the objective values.
        target_name: The label of the target.

    Raises:
        InvalidArgumentError: For a parameter that no completed trial has.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + 0.01 * t.suggest_float("y", 0, 1), n_trials=30)
        >>> data = param_importances_data(study)
        >>> data.params, data.bars[0].labels[-1] != "<0.01"
        (['y', 'x'], True)
    """
    from albacore.importance import get_param_importances

    trial_set = TrialSet.of(study)
    check_target(trial_set, target, target_name, plot="plot_param_importances", multi_ok=True)
    completed = [t for t in trial_set.trials if t.state == TrialState.COMPLETE]
    if not completed:
        return ParamImportancesData([], [], [])
    if target is None and len(trial_set.directions) > 1:
        names = (
            list(trial_set.metric_names)
            if trial_set.metric_names is not None
            else [f"{target_name} {i}" for i in range(len(trial_set.directions))]
        )
        targets: list[tuple[str, TrialTarget | None]] = [
            (name, _objective(i, direction))
            for i, (name, direction) in enumerate(zip(names, trial_set.directions, strict=True))
        ]
    else:
        name = target_name
        if target is None and trial_set.metric_names is not None:
            name = trial_set.metric_names[0]
        targets = [(name, target)]
    chosen = list(params) if params is not None else None
    results = []
    for name, objective in targets:
        with warnings.catch_warnings():
            if target is None:
                # Each objective is passed as a target already oriented so that smaller is better, which is what
                # this warning (about maximised studies) asks the caller to do.
                warnings.filterwarnings("ignore", message=".*treats smaller `target` values as better")
            results.append((name, get_param_importances(study, evaluator=evaluator, params=chosen, target=objective)))
    first = results[0][1]
    order = sorted(first, key=lambda p: (first[p], -list(first).index(p)))  # least important first
    kinds: dict[str, str] = {}
    for trial in reversed(completed):
        for param in order:
            if param not in kinds and param in trial.distributions:
                kinds[param] = type(trial.distributions[param]).__name__
    bars = [
        ImportanceBars(
            name,
            [float(importances.get(p, 0.0)) for p in order],
            [_label(float(importances.get(p, 0.0))) for p in order],
        )
        for name, importances in results
    ]
    return ParamImportancesData(order, [kinds.get(p, "") for p in order], bars)

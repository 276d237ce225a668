"""get_param_importances: the one call most users make."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from albacore.importance._base import BaseImportanceEvaluator
from albacore.importance._data import check_params, ordered_by_importance
from albacore.importance._ped_anova import PedAnovaImportanceEvaluator

if TYPE_CHECKING:
    from albacore.study import Study
    from albacore.trial import FrozenTrial

__all__ = ["get_param_importances"]


def get_param_importances(
    study: Study,
    *,
    evaluator: BaseImportanceEvaluator | None = None,
    params: list[str] | None = None,
    target: Callable[[FrozenTrial], float] | None = None,
    normalize: bool = True,
) -> dict[str, float]:
    """Evaluate the importance of each parameter from the study's COMPLETE trials.

    Trials whose analysed value is not finite are left out. The study and its trials are only read.

    Args:
        study: The study to analyse.
        evaluator: The method; None means :class:`PedAnovaImportanceEvaluator` with its defaults (no extra
            library needed).
        params: Parameters to evaluate; None means the evaluator's default set (for PED-ANOVA every parameter
            of the trials, for the forest-based evaluators those present in every trial).
        target: Maps a trial to the value analysed, for example ``lambda t: t.values[1]`` or
            ``lambda t: t.duration.total_seconds()``; None means the objective value(s).
        normalize: Scale the importances to sum to 1. When every importance is 0, each parameter gets an equal
            share, so the shares still sum to 1.

    Returns:
        Parameter name -> importance (a float), from most to least important; equal importances keep the
        order of ``params`` (or of the evaluator's parameters, which is by name).

    Raises:
        TypeError: ``evaluator`` is not a :class:`BaseImportanceEvaluator`.
        InvalidArgumentError: A name in ``params`` is in no COMPLETE trial, or the evaluator refuses the study
            (fANOVA and MDI need ``target`` on a study with several objectives).

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", -10, 10)
        ...     y = trial.suggest_int("y", 0, 10)
        ...     return x**2 + y
        >>> study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=1))
        >>> study.optimize(objective, n_trials=100)
        >>> importances = albacore.importance.get_param_importances(study)
        >>> list(importances), round(sum(importances.values()), 6)
        (['x', 'y'], 1.0)
    """
    if evaluator is None:
        evaluator = PedAnovaImportanceEvaluator()
    if not isinstance(evaluator, BaseImportanceEvaluator):
        raise TypeError(f"`evaluator` must be an instance of a BaseImportanceEvaluator subclass, got {evaluator!r}.")
    names = check_params(params)
    raw = evaluator.evaluate(study, params=names, target=target)
    if names is not None:
        # A user's own evaluator may return more or fewer names; the caller asked for exactly these.
        raw = {name: raw.get(name, 0.0) for name in names}
    values = {name: float(value) for name, value in raw.items()}
    order = list(values)
    if normalize and values:
        total = sum(values.values())
        if total > 0.0:
            values = {name: value / total for name, value in values.items()}
        else:
            values = dict.fromkeys(values, 1.0 / len(values))
    return ordered_by_importance(values, names if names is not None else order)

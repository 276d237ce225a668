"""PED-ANOVA: parameter importance from Pearson divergences of one-dimensional Parzen densities.

The method (Watanabe, Bansal and Hutter, IJCAI 2023) asks which parameters matter for reaching the top
``target_quantile`` of the trials, within the region of the top ``region_quantile``. Let ``b`` be 1 for a top
trial and 0 otherwise, and ``r`` the share of top trials in the region. Within the region, the part of the
variance of ``b`` that parameter ``d`` explains alone (its first-order functional ANOVA term) is

    Var_d = r^2 * D(p_top || p_region),     D(p || q) = integral q (p / q - 1)^2   (Pearson divergence)

where ``p_top`` and ``p_region`` are the densities of ``x_d`` among the top trials and among the region's
trials. No model of the objective is fitted: two Parzen densities per parameter suffice, which makes the method
fast enough for any study size.

A conditional parameter (present in only some trials) is judged within its regime, the trials that have it:
its term is ``w * r_a^2 * D(p_top,a || p_region,a)``, with ``w`` the share of the region's trials that have it
and ``r_a`` the share of top trials among those. A parameter that only exists where the objective is poor
gets no credit for the poor values, and the parent that switches it on keeps its own importance.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

import numpy as np

from albacore.exceptions import InvalidArgumentError
from albacore.importance._base import BaseImportanceEvaluator
from albacore.importance._data import (
    Target,
    check_params,
    counted_trials,
    internal_matrix,
    merged_space,
    ordered_by_importance,
)
from albacore.importance._pearson import Axis, pearson_divergence
from albacore.samplers._tpe._split import select_best
from albacore.study import StudyDirection

if TYPE_CHECKING:
    from albacore.study import Study
    from albacore.trial import FrozenTrial

__all__ = ["PedAnovaImportanceEvaluator"]


class PedAnovaImportanceEvaluator(BaseImportanceEvaluator):
    """PED-ANOVA importance evaluator, the default of :func:`~albacore.importance.get_param_importances`.

    The importance of a parameter is the share of the variance of "is this trial in the top
    ``target_quantile``?" that the parameter explains alone, within the region of the top ``region_quantile``
    trials. It needs no extra library, handles conditional parameters (each judged among the trials that have
    it) and changed ranges, and takes well under a second for 10,000 trials.

    Which trials are "top": with ``target`` None, by objective value; for several objectives, whole
    non-domination fronts first and the last one cut by greedy hypervolume contribution (two objectives) or by
    crowding distance (three or more, where the greedy cut would take minutes); in a constrained study,
    feasible trials before infeasible ones (the latter by total violation). With a ``target``, smaller target
    values are better (a warning says so when the study maximizes). Ties go to the earlier trial. Top sets have
    ``ceil(quantile * n)`` trials. With fewer than two trials every importance is 0.

    Args:
        target_quantile: Share of the trials counted as top, in (0, 1).
        region_quantile: Share of the trials forming the region the importance is measured in, in
            (target_quantile, 1]; 1 means all trials.
        evaluate_on_local: Compare the top trials with the region's trials (True), which measures importance
            where the study actually searched, or with the uniform distribution over the search space (False),
            which measures it over the whole space; ``region_quantile`` then only sets the share ``r``.

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", -5, 5)
        ...     y = trial.suggest_float("y", -5, 5)
        ...     return x**2 + 0.01 * y
        >>> study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
        >>> study.optimize(objective, n_trials=200)
        >>> importances = albacore.importance.get_param_importances(study)
        >>> list(importances), importances["x"] > 0.8
        (['x', 'y'], True)
    """

    def __init__(
        self, *, target_quantile: float = 0.1, region_quantile: float = 1.0, evaluate_on_local: bool = True
    ) -> None:
        if not 0.0 < target_quantile < 1.0:
            raise InvalidArgumentError(f"`target_quantile` must be in (0, 1), got {target_quantile!r}.")
        if not target_quantile < region_quantile <= 1.0:
            raise InvalidArgumentError(
                f"`region_quantile` must be in (target_quantile, 1] = ({target_quantile}, 1], got {region_quantile!r}."
            )
        self._target_quantile = float(target_quantile)
        self._region_quantile = float(region_quantile)
        self._evaluate_on_local = bool(evaluate_on_local)

    def evaluate(
        self,
        study: Study,
        params: list[str] | None = None,
        *,
        target: Target | None = None,
    ) -> dict[str, float]:
        """Return the PED-ANOVA importance of each parameter (see the class), most important first.

        Args:
            study: The study; its COMPLETE trials with finite values count.
            params: Parameters to evaluate; None means every parameter of the counted trials.
            target: Maps a trial to the value analysed (smaller is better); None means the objective values.

        Raises:
            InvalidArgumentError: A name in ``params`` is in no counted trial, or a parameter changed its kind
                of distribution during the study.
        """
        names = check_params(params)
        trials, values = counted_trials(study, target)
        space = merged_space(trials, names)
        order = list(space)
        n = len(trials)
        zeros = dict.fromkeys(order, 0.0)
        if n < 2 or not space:
            return zeros
        if target is not None and StudyDirection.MAXIMIZE in study.directions:
            warnings.warn(
                "PedAnovaImportanceEvaluator treats smaller `target` values as better; negate the target if "
                "larger values are better.",
                UserWarning,
                stacklevel=2,
            )
        loss, violation = _loss_and_violation(study, trials, values, target)
        numbers = np.asarray([t.number for t in trials], dtype=np.int64)
        in_region = _mask(n, _best_rows(loss, numbers, violation, _size(self._region_quantile, n)))
        in_top = _mask(n, _best_rows(loss, numbers, violation, _size(self._target_quantile, n))) & in_region
        n_region = int(in_region.sum())
        share = in_top.sum() / n_region
        if share >= 1.0:
            return zeros
        total_variance = share * (1.0 - share)
        matrix = internal_matrix(trials, space)
        importances = {}
        for j, (name, dist) in enumerate(space.items()):
            if dist.single():
                importances[name] = 0.0
                continue
            column = matrix[:, j]
            active = ~np.isnan(column)
            region_rows = in_region & active
            top_rows = in_top & active
            n_top = int(top_rows.sum())
            if n_top == 0:
                importances[name] = 0.0
                continue
            n_active = int(region_rows.sum())
            axis = Axis(dist)
            top_density = axis.density(column[top_rows])
            region_density = axis.density(column[region_rows]) if self._evaluate_on_local else axis.uniform()
            divergence = pearson_divergence(top_density, region_density)
            variance = (n_active / n_region) * (n_top / n_active) ** 2 * divergence
            importances[name] = variance / total_variance
        return ordered_by_importance(importances, order)


def _size(quantile: float, n: int) -> int:
    # Rounded before ceil so that 0.1 * 30 (3.0000000000000004 in binary) means 3 trials, not 4.
    return max(1, math.ceil(round(quantile * n, 9)))


def _mask(n: int, rows: np.ndarray) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask


def _loss_and_violation(
    study: Study, trials: list[FrozenTrial], values: np.ndarray, target: Target | None
) -> tuple[np.ndarray, np.ndarray]:
    """Values to minimize (n, m), and each trial's total constraint violation (0 when feasible)."""
    if target is not None:
        # A target is the user's own measure of quality: constraints are theirs to fold into it.
        return values, np.zeros(len(trials))
    signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in study.directions])
    violation = np.zeros(len(trials))
    for i, trial in enumerate(trials):
        constraints = trial.constraints
        if constraints:
            violation[i] = sum(math.inf if math.isnan(c) else max(c, 0.0) for c in constraints.values())
    return values * signs, violation


def _best_rows(loss: np.ndarray, numbers: np.ndarray, violation: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` best rows: feasible ones by objective first, then infeasible ones by violation."""
    feasible = np.nonzero(violation <= 0.0)[0]
    # The exact greedy hypervolume cut of the last front is cheap for two objectives only.
    best = feasible[select_best(loss[feasible], numbers[feasible], k, hypervolume_cut=loss.shape[1] <= 2)]
    if best.size >= k:
        return np.asarray(best)
    infeasible = np.nonzero(violation > 0.0)[0]
    infeasible = infeasible[np.lexsort((numbers[infeasible], violation[infeasible]))]
    return np.concatenate((best, infeasible[: k - best.size]))

"""ParetoPercentilePruner and ParetoMedianPruner: the median rule, objective by objective, for several objectives."""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

import numpy as np

from albacore._pareto import to_minimization
from albacore.exceptions import InvalidArgumentError
from albacore.pruners._base import BasePruner
from albacore.pruners._percentile import _check_schedule, is_pruning_step
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState
from albacore.trial._vector_reports import report_at, vector_reports

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["ParetoMedianPruner", "ParetoPercentilePruner"]


def _reports(study: Study, trial: FrozenTrial) -> dict[int, list[float]]:
    """A trial's reports by step, one value per objective (a single-objective study's as one-value lists)."""
    if len(study.directions) == 1:
        return {step: [value] for step, value in trial.intermediate_values.items()}
    return vector_reports(trial.system_attrs)


def _report_at(study: Study, trial: FrozenTrial, step: int) -> list[float] | None:
    if len(study.directions) == 1:
        value = trial.intermediate_values.get(step)
        return None if value is None else [value]
    return report_at(trial.system_attrs, step)


class ParetoPercentilePruner(BasePruner):
    """Stop a trial of a multi-objective study that is worse than the given percentile on every objective.

    Trials report one value per objective (``trial.report([accuracy, size], epoch)``). At a pruning step, the
    trial's report is compared, objective by objective, with what the completed trials reported at the same
    step: on each objective, the threshold is the ``percentile`` of their values, counted from the best (25.0 on
    a maximized accuracy is the value three quarters of them fall below). The trial is stopped when it is
    strictly worse than the threshold on *every* objective, that is when the point of thresholds dominates it.
    A trial better on any one objective is a trade-off, and goes on.

    As with :class:`~albacore.pruners.PercentilePruner`, only completed trials count as peers (pruned trials
    stopped early; running ones are still moving), and ``n_startup_trials``, ``n_warmup_steps``,
    ``interval_steps`` and ``n_min_trials`` mean the same. One difference: the trial is judged on its report
    at this step, not on its best report so far, because an objective such as training time or cost grows
    with the steps and its best value so far would be the first step's.

    NaN: a NaN in the trial's report is worse than anything on its objective, so a trial that reported only
    NaN at a pruning step is stopped (once there are peers to compare with); NaN in a peer's report leaves that
    peer out of the threshold of that objective only. While any objective has fewer than ``n_min_trials``
    values to compare with at a step, no trial is stopped there.

    In a single-objective study it reads the plain reports (``trial.report(value, step)``) and is the
    percentile rule on the latest report.

    Args:
        percentile: In [0, 100]; 50.0 is the median, 25.0 stops more (only trials in the best quarter on at
            least one objective go on).
        n_startup_trials: No pruning until this many trials have completed.
        n_warmup_steps: No pruning before this step of a trial.
        interval_steps: Check every this many steps after the warm-up.
        n_min_trials: No pruning at a step until this many completed trials reported at it (on each
            objective, NaN left out).

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     x = trial.suggest_float("x", 0, 1)
        ...     for epoch in range(10):
        ...         trial.report([x * (epoch + 1) / 10, (1 - x) ** 2 + 0.1], epoch)
        ...         if trial.should_prune():
        ...             raise albacore.TrialPruned()
        ...     return x, (1 - x) ** 2 + 0.1
        >>> study = albacore.create_study(
        ...     directions=["maximize", "maximize"],
        ...     pruner=albacore.pruners.ParetoPercentilePruner(25.0, n_startup_trials=3),
        ... )
        >>> study.optimize(objective, n_trials=10)
    """

    multi_objective = True
    """Trials of multi-objective studies may call ``should_prune`` with this pruner."""

    def __init__(
        self,
        percentile: float,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ) -> None:
        if isinstance(percentile, bool) or not isinstance(percentile, numbers.Real) or not 0.0 <= percentile <= 100.0:
            raise InvalidArgumentError(f"`percentile` must be a number in [0, 100], got {percentile!r}.")
        for name, value in (
            ("n_startup_trials", n_startup_trials),
            ("n_warmup_steps", n_warmup_steps),
            ("interval_steps", interval_steps),
            ("n_min_trials", n_min_trials),
        ):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise InvalidArgumentError(f"`{name}` must be an integer, got {value!r}.")
        _check_schedule(n_startup_trials, n_warmup_steps, interval_steps, n_min_trials)
        self._percentile: float = float(percentile)
        self._n_startup_trials: int = int(n_startup_trials)
        self._n_warmup_steps: int = int(n_warmup_steps)
        self._interval_steps: int = int(interval_steps)
        self._n_min_trials: int = int(n_min_trials)

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        reports = _reports(study, trial)
        if not reports:
            return False
        step = max(reports)
        if not is_pruning_step(step, reports.keys(), self._n_warmup_steps, self._interval_steps):
            return False
        completed = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        # With nothing to compare against, not even a trial that reported only NaN is stopped.
        if not completed or len(completed) < self._n_startup_trials:
            return False
        own = to_minimization(np.array([reports[step]], dtype=float), study.directions)[0]
        if np.all(np.isnan(own)):
            return True
        rows = [r for t in completed if t.number != trial.number and (r := _report_at(study, t, step)) is not None]
        if not rows:
            return False
        peers = to_minimization(np.array(rows, dtype=float), study.directions)
        for objective, value in enumerate(own):
            column = peers[:, objective]
            column = column[~np.isnan(column)]
            if len(column) < self._n_min_trials or len(column) == 0:
                return False
            # Minimized: the threshold is the percentile counted from the low (best) end.
            if not math.isnan(value) and value <= np.percentile(column, self._percentile):
                return False  # not worse on this objective: a trade-off, kept
        return True


class ParetoMedianPruner(ParetoPercentilePruner):
    """Stop a trial of a multi-objective study that is worse than the median on every objective.

    :class:`ParetoPercentilePruner` at the 50th percentile: at each pruning step, the trial's report is compared,
    objective by objective, with the median of what the completed trials reported at the same step, and the
    trial is stopped when it is strictly worse on every objective (the median point dominates it). Better than
    the median on any one objective is a trade-off, and the trial goes on. See :class:`ParetoPercentilePruner`
    for peers, NaN and the schedule arguments, which mean what they mean for
    :class:`~albacore.pruners.MedianPruner`.

    Args:
        n_startup_trials: No pruning until this many trials have completed.
        n_warmup_steps: No pruning before this step of a trial.
        interval_steps: Check every this many steps after the warm-up.
        n_min_trials: No pruning at a step until this many completed trials reported at it.

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     units = trial.suggest_int("units", 8, 128)
        ...     for epoch in range(10):
        ...         accuracy = 1 - 1 / (1 + epoch * units / 64)
        ...         trial.report([accuracy, units], epoch)
        ...         if trial.should_prune():
        ...             raise albacore.TrialPruned()
        ...     return accuracy, units
        >>> study = albacore.create_study(
        ...     directions=["maximize", "minimize"], pruner=albacore.pruners.ParetoMedianPruner(n_warmup_steps=2)
        ... )
        >>> study.optimize(objective, n_trials=10)
    """

    def __init__(
        self, n_startup_trials: int = 5, n_warmup_steps: int = 0, interval_steps: int = 1, *, n_min_trials: int = 1
    ) -> None:
        super().__init__(50.0, n_startup_trials, n_warmup_steps, interval_steps, n_min_trials=n_min_trials)

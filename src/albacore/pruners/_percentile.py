"""PercentilePruner and MedianPruner: stop a trial whose best report is worse than most others' at that step."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from albacore._study_records import StudyDirection
from albacore.exceptions import InvalidArgumentError
from albacore.pruners._base import BasePruner
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["MedianPruner", "PercentilePruner", "is_pruning_step"]


def is_pruning_step(step: int, reported_steps: Iterable[int], n_warmup_steps: int, interval_steps: int) -> bool:
    """True when ``step`` is the first report at or after the latest checkpoint (warmup + k * interval)."""
    if step < n_warmup_steps:
        return False
    checkpoint = n_warmup_steps + (step - n_warmup_steps) // interval_steps * interval_steps
    previous = max((s for s in reported_steps if s < step), default=-1)
    return previous < checkpoint


def _check_schedule(n_startup_trials: int, n_warmup_steps: int, interval_steps: int, n_min_trials: int) -> None:
    if n_startup_trials < 0:
        raise InvalidArgumentError(f"`n_startup_trials` must be >= 0, got {n_startup_trials}.")
    if n_warmup_steps < 0:
        raise InvalidArgumentError(f"`n_warmup_steps` must be >= 0, got {n_warmup_steps}.")
    if interval_steps < 1:
        raise InvalidArgumentError(f"`interval_steps` must be >= 1, got {interval_steps}.")
    if n_min_trials < 1:
        raise InvalidArgumentError(f"`n_min_trials` must be >= 1, got {n_min_trials}.")


class PercentilePruner(BasePruner):
    """Prune when the trial's best intermediate value is worse than the given percentile of the values that
    completed trials reported at the same step.

    Args:
        percentile: In [0, 100]; 25.0 keeps the top quarter of trials at each step.
        n_startup_trials: No pruning until this many trials have completed.
        n_warmup_steps: No pruning before this step of a trial.
        interval_steps: Check every this many steps after the warm-up.
        n_min_trials: No pruning at a step until this many completed trials reported at it.
    """

    def __init__(
        self,
        percentile: float,
        n_startup_trials: int = 5,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
        *,
        n_min_trials: int = 1,
    ) -> None:
        if not 0.0 <= percentile <= 100.0:
            raise InvalidArgumentError(f"`percentile` must be in [0, 100], got {percentile}.")
        _check_schedule(n_startup_trials, n_warmup_steps, interval_steps, n_min_trials)
        self._percentile = percentile
        self._n_startup_trials = n_startup_trials
        self._n_warmup_steps = n_warmup_steps
        self._interval_steps = interval_steps
        self._n_min_trials = n_min_trials

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        reports = trial.intermediate_values
        if not reports:
            return False
        step = max(reports)
        if not is_pruning_step(step, reports.keys(), self._n_warmup_steps, self._interval_steps):
            return False
        completed = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        # With nothing to compare against, not even a trial that reported only NaN is pruned.
        if not completed or len(completed) < self._n_startup_trials:
            return False
        own = np.array(list(reports.values()), dtype=float)
        if np.all(np.isnan(own)):
            return True
        others = [v for t in completed if (v := t.intermediate_values.get(step)) is not None and not math.isnan(v)]
        if len(others) < self._n_min_trials:
            return False
        maximize = study.direction == StudyDirection.MAXIMIZE
        if maximize:
            return bool(np.nanmax(own) < np.percentile(others, 100.0 - self._percentile))
        return bool(np.nanmin(own) > np.percentile(others, self._percentile))


class MedianPruner(PercentilePruner):
    """Prune when the trial's best intermediate value is worse than the median of completed trials' values at
    the same step. The default pruner of ``create_study``.

    Args:
        n_startup_trials: No pruning until this many trials have completed.
        n_warmup_steps: No pruning before this step of a trial.
        interval_steps: Check every this many steps after the warm-up.
        n_min_trials: No pruning at a step until this many completed trials reported at it.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(pruner=albacore.pruners.MedianPruner(n_warmup_steps=2))
    """

    def __init__(
        self, n_startup_trials: int = 5, n_warmup_steps: int = 0, interval_steps: int = 1, *, n_min_trials: int = 1
    ) -> None:
        super().__init__(50.0, n_startup_trials, n_warmup_steps, interval_steps, n_min_trials=n_min_trials)

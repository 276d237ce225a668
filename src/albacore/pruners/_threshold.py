"""ThresholdPruner: stop a trial whose latest report leaves a fixed band, or is NaN."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from albacore.exceptions import InvalidArgumentError, InvalidArgumentTypeError
from albacore.pruners._base import BasePruner
from albacore.pruners._percentile import is_pruning_step
from albacore.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["ThresholdPruner"]


def _check_bound(value: float | None, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgumentTypeError(f"`{name}` must be a number or None, got {value!r}.")
    if math.isnan(value):
        raise InvalidArgumentError(f"`{name}` must be a number or None, got {value!r}.")
    return float(value)


class ThresholdPruner(BasePruner):
    """Prune when the latest intermediate value is below ``lower``, above ``upper``, or NaN.

    Args:
        lower: Prune when the value is smaller than this; None for no lower bound.
        upper: Prune when the value is larger than this; None for no upper bound.
        n_warmup_steps: No pruning before this step.
        interval_steps: Check every this many steps after the warm-up.

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     for step, loss in enumerate([0.5, 0.7, 3.0, 0.1]):
        ...         trial.report(loss, step)
        ...         if trial.should_prune():
        ...             raise albacore.TrialPruned()
        ...     return loss
        >>> study = albacore.create_study(pruner=albacore.pruners.ThresholdPruner(upper=1.0))
        >>> study.optimize(objective, n_trials=1)
        >>> study.trials[0].state.name, study.trials[0].last_step
        ('PRUNED', 2)
    """

    def __init__(
        self,
        lower: float | None = None,
        upper: float | None = None,
        n_warmup_steps: int = 0,
        interval_steps: int = 1,
    ) -> None:
        low = _check_bound(lower, "lower")
        high = _check_bound(upper, "upper")
        if low is None and high is None:
            raise InvalidArgumentTypeError("ThresholdPruner needs `lower`, `upper` or both, got neither.")
        if low is not None and high is not None and low > high:
            raise InvalidArgumentError(f"`lower` must be <= `upper`, got lower={lower}, upper={upper}.")
        if isinstance(n_warmup_steps, bool) or not isinstance(n_warmup_steps, int) or n_warmup_steps < 0:
            raise InvalidArgumentError(f"`n_warmup_steps` must be an integer >= 0, got {n_warmup_steps!r}.")
        if isinstance(interval_steps, bool) or not isinstance(interval_steps, int) or interval_steps < 1:
            raise InvalidArgumentError(f"`interval_steps` must be an integer >= 1, got {interval_steps!r}.")
        self._lower = low
        self._upper = high
        self._n_warmup_steps = n_warmup_steps
        self._interval_steps = interval_steps

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        step = trial.last_step
        if step is None:
            return False
        if not is_pruning_step(step, trial.intermediate_values, self._n_warmup_steps, self._interval_steps):
            return False
        value = trial.intermediate_values[step]
        if math.isnan(value):
            return True
        if self._lower is not None and value < self._lower:
            return True
        return self._upper is not None and value > self._upper

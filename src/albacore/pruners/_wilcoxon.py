"""WilcoxonPruner: prune a trial that a signed-rank test finds worse than the best trial on the same instances."""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING

import numpy as np

from albacore._study_records import StudyDirection
from albacore.exceptions import InvalidArgumentError
from albacore.pruners._base import BasePruner
from albacore.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["WilcoxonPruner"]


class WilcoxonPruner(BasePruner):
    """Prune when a one-sided Wilcoxon signed-rank test says, with p-value below ``p_threshold``, that the trial is
    worse than the best trial on the instances both have evaluated.

    Here a step is an instance id (a fold, a problem instance, a question), reported in any order; the trial is
    compared with the current best trial on the steps both reported. A trial is never pruned when its values (or
    the best trial's) contain NaN or infinity, nor when its mean so far is at least as good as the best trial's
    mean over all its steps, whatever the test says: it may still become the new best. A ``UserWarning`` says
    when values are not finite, and when the trial reported steps that the best trial did not (those are left
    out of the test: give every trial the same instances).

    Args:
        p_threshold: Prune when the p-value is below this; larger values prune more.
        n_startup_steps: Do not prune before the trial shares this many steps with the best trial.

    Example:
        >>> import albacore
        >>> errors = {0: [0.1, 0.2, 0.1, 0.3, 0.2, 0.1], 1: [0.9, 0.8, 0.9, 0.9, 0.7, 0.8]}
        >>> def objective(trial):
        ...     x = trial.suggest_int("x", 0, 1)
        ...     for step, err in enumerate(errors[x]):
        ...         trial.report(err, step)
        ...         if trial.should_prune():
        ...             raise albacore.TrialPruned()
        ...     return sum(errors[x]) / len(errors[x])
        >>> study = albacore.create_study(pruner=albacore.pruners.WilcoxonPruner(p_threshold=0.1))
        >>> study.enqueue_trial({"x": 0})
        >>> study.enqueue_trial({"x": 1})
        >>> study.optimize(objective, n_trials=2)
        >>> [t.state.name for t in study.trials]
        ['COMPLETE', 'PRUNED']
    """

    def __init__(self, *, p_threshold: float = 0.1, n_startup_steps: int = 2) -> None:
        if isinstance(p_threshold, bool) or not isinstance(p_threshold, (int, float)) or not 0.0 <= p_threshold <= 1.0:
            raise InvalidArgumentError(f"`p_threshold` must be a number in [0, 1], got {p_threshold!r}.")
        if isinstance(n_startup_steps, bool) or not isinstance(n_startup_steps, int) or n_startup_steps < 0:
            raise InvalidArgumentError(f"`n_startup_steps` must be an integer >= 0, got {n_startup_steps!r}.")
        self._p_threshold = float(p_threshold)
        self._n_startup_steps = n_startup_steps

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        reports = trial.intermediate_values
        if not reports:
            return False
        try:
            best = study.best_trial
        except ValueError:
            return False
        best_reports = best.intermediate_values
        for owner, values in ((f"trial #{trial.number}", reports), (f"the best trial #{best.number}", best_reports)):
            if not all(math.isfinite(v) for v in values.values()):
                warnings.warn(
                    f"WilcoxonPruner: the intermediate values of {owner} include NaN or infinity; "
                    f"trial #{trial.number} is not pruned.",
                    UserWarning,
                    stacklevel=2,
                )
                return False
        if not set(reports) <= set(best_reports):
            warnings.warn(
                f"WilcoxonPruner: trial #{trial.number} reported steps that the best trial #{best.number} did not; "
                "they are left out of the comparison.",
                UserWarning,
                stacklevel=2,
            )
        shared = sorted(set(reports) & set(best_reports))
        # A signed-rank test on a single pair can never be significant.
        if len(shared) < max(self._n_startup_steps, 2):
            return False
        own_mean = sum(reports.values()) / len(reports)
        best_mean = sum(best_reports.values()) / len(best_reports)
        maximize = study.direction == StudyDirection.MAXIMIZE
        if (own_mean >= best_mean) if maximize else (own_mean <= best_mean):
            return False
        own = np.array([reports[s] for s in shared])
        theirs = np.array([best_reports[s] for s in shared])
        from scipy import stats

        # zsplit counts ties with the best trial half for each side, so identical values never look significant.
        alternative = "less" if maximize else "greater"
        result = stats.wilcoxon(own - theirs, alternative=alternative, zero_method="zsplit")
        return bool(result.pvalue < self._p_threshold)

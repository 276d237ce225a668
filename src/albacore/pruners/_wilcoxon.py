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
        p_value = signed_rank_p_value(own - theirs, "less" if maximize else "greater")
        return p_value < self._p_threshold


_SMALL_SAMPLE = 13
"""Up to this many differences with ties or zeros, scipy enumerates every sign flip through its generic
permutation test (seconds per call); :func:`signed_rank_p_value` counts the same distribution directly."""


def signed_rank_p_value(differences: np.ndarray, alternative: str) -> float:
    """One-sided Wilcoxon signed-rank p-value of ``differences``, zeros split between the sides (``zsplit``).

    The value is scipy's ``wilcoxon(..., zero_method="zsplit")`` with its default method: exact without ties
    or zeros, the exact sign-flip distribution for up to 13 differences with ties or zeros, the normal
    approximation beyond. That middle case is counted here in microseconds instead of through scipy's generic
    permutation test (seconds per call, for every step of every trial).

    Example:
        >>> float(signed_rank_p_value(np.array([1.0, 2.0, 0.0, 2.0]), "greater"))
        0.125
    """
    from scipy import stats

    magnitudes = np.abs(differences)
    zeros = differences == 0
    ranks = stats.rankdata(magnitudes)
    ties = len(np.unique(magnitudes)) < len(magnitudes)
    if len(differences) > _SMALL_SAMPLE or not (ties or zeros.any()):
        return float(stats.wilcoxon(differences, alternative=alternative, zero_method="zsplit").pvalue)
    # Twice the statistic, in integers: average ranks are multiples of one half. A zero keeps its sign under
    # every flip and adds half its rank; each other difference adds its rank when its sign is positive.
    doubled = np.rint(2 * ranks).astype(np.int64)
    observed = int(doubled[differences > 0].sum() + doubled[zeros].sum() // 2)
    counts = np.zeros(int(doubled[~zeros].sum()) + 1)
    counts[0] = 1.0
    for step in doubled[~zeros]:
        counts[step:] = counts[step:] + counts[: len(counts) - step].copy()
    sums = np.arange(len(counts)) + int(doubled[zeros].sum() // 2)
    tail = sums <= observed if alternative == "less" else sums >= observed
    return float(counts[tail].sum() / counts.sum())

"""Error evaluators: how much of a difference in the objective is noise, and the cross-validation scores."""

from __future__ import annotations

import abc
import math
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from albacore.exceptions import InvalidArgumentError, InvalidArgumentTypeError
from albacore.study import StudyDirection
from albacore.terminator._improvement import BaseImprovementEvaluator, check_count
from albacore.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from albacore.trial import Trial

__all__ = [
    "CROSS_VALIDATION_SCORES_KEY",
    "BaseErrorEvaluator",
    "CrossValidationErrorEvaluator",
    "MedianErrorEvaluator",
    "StaticErrorEvaluator",
    "report_cross_validation_scores",
]

CROSS_VALIDATION_SCORES_KEY = "terminator:cv_scores"
"""The trial system attribute holding the scores of :func:`report_cross_validation_scores` (Optuna's key, so a
study written by either library reads the same)."""


class BaseErrorEvaluator(metaclass=abc.ABCMeta):
    """Base class of error evaluators: the size of a change of the objective that is only noise."""

    @abc.abstractmethod
    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """The statistical error of the objective given ``trials`` (of any state).

        Args:
            trials: The study's trials, in trial-number order.
            study_direction: Whether the study minimizes or maximizes.
        """


def _best_complete(trials: Sequence[FrozenTrial], direction: StudyDirection) -> FrozenTrial:
    complete = [t for t in trials if t.state == TrialState.COMPLETE]
    if not complete:
        raise InvalidArgumentError("No trial has completed yet, so the error cannot be evaluated.")
    sign = -1.0 if direction == StudyDirection.MINIMIZE else 1.0
    return max(complete, key=lambda t: sign * float(cast(float, t.value)))  # COMPLETE: a value


class CrossValidationErrorEvaluator(BaseErrorEvaluator):
    """The standard error of the best trial's objective, from its cross-validation scores.

    The objective is taken to be the mean of the k scores reported with :func:`report_cross_validation_scores`;
    the error is ``sqrt((1/k + 1/(k-1)) * var(scores))``, the corrected spread of such a mean (Nadeau and
    Bengio's correction for the overlap of the training folds).

    Raises:
        ValueError: From :meth:`evaluate`, when no trial has completed or the best one reported no scores.

    Example:
        >>> import albacore
        >>> from albacore.terminator import CrossValidationErrorEvaluator, report_cross_validation_scores
        >>> study = albacore.create_study(direction="maximize")
        >>> trial = study.ask()
        >>> report_cross_validation_scores(trial, [0.8, 0.9, 0.85])
        >>> _ = study.tell(trial, 0.85)
        >>> round(CrossValidationErrorEvaluator().evaluate(study.trials, study.direction), 4)
        0.0373
    """

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """The standard error of the best completed trial's cross-validation mean."""
        best = _best_complete(trials, study_direction)
        scores = best.system_attrs.get(CROSS_VALIDATION_SCORES_KEY)
        if scores is None:
            raise InvalidArgumentError(
                f"Trial {best.number}, the best so far, has no cross-validation scores: call "
                "`report_cross_validation_scores(trial, scores)` in the objective with the scores of every fold."
            )
        values = np.asarray(scores, dtype=float)
        k = len(values)
        return math.sqrt((1.0 / k + 1.0 / (k - 1)) * float(np.var(values)))


def report_cross_validation_scores(trial: Trial, scores: Sequence[float] | np.ndarray) -> None:
    """Record the fold scores of ``trial``'s cross-validation, for :class:`CrossValidationErrorEvaluator`.

    Call it in the objective, with one score per fold (``sklearn.model_selection.cross_val_score``'s array
    will do). The scores are stored as a list of floats in a system attribute, so every storage keeps them.

    Args:
        trial: The running trial.
        scores: At least two finite scores.

    Raises:
        ValueError: With fewer than two scores, or scores that are not finite numbers.

    Example:
        >>> import albacore
        >>> from albacore.terminator import report_cross_validation_scores
        >>> study = albacore.create_study()
        >>> trial = study.ask()
        >>> report_cross_validation_scores(trial, [0.8, 0.9, 0.85])
        >>> trial.system_attrs["terminator:cv_scores"]
        [0.8, 0.9, 0.85]
    """
    if isinstance(scores, str | bytes) or not hasattr(scores, "__len__"):
        raise InvalidArgumentTypeError(f"`scores` must be a sequence of fold scores, got {scores!r}.")
    if len(scores) <= 1:
        raise InvalidArgumentError(f"`scores` must hold the scores of at least two folds, got {list(scores)!r}.")
    try:
        values = [float(s) for s in scores]
    except (TypeError, ValueError) as err:
        raise InvalidArgumentTypeError(f"`scores` must be numbers, got {list(scores)!r}.") from err
    if not all(math.isfinite(v) for v in values):
        raise InvalidArgumentError(f"`scores` must be finite, got {values!r}: a failed fold has no score.")
    trial.set_system_attr(CROSS_VALIDATION_SCORES_KEY, values)


class StaticErrorEvaluator(BaseErrorEvaluator):
    """An error that is always ``constant``: stop once the improvement falls below a fixed threshold.

    Args:
        constant: The error to return.

    Example:
        >>> from albacore.study import StudyDirection
        >>> from albacore.terminator import StaticErrorEvaluator
        >>> StaticErrorEvaluator(0.01).evaluate([], StudyDirection.MINIMIZE)
        0.01
    """

    def __init__(self, constant: float) -> None:
        self._constant = constant

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """``constant``, whatever the trials."""
        return self._constant


class MedianErrorEvaluator(BaseErrorEvaluator):
    """A threshold at a fraction of the median early value of an improvement evaluator (Ishibashi et al., 2023).

    Once ``warm_up_trials + n_initial_trials`` trials have completed, the paired evaluator is run on the first
    1, 2, ..., ``n_initial_trials`` trials after the warm-up; the median of those values times
    ``threshold_ratio`` is the error from then on (computed once). Before that the error is the smallest
    negative float, so that a terminator never stops (improvements are never negative).

    Args:
        paired_improvement_evaluator: The improvement evaluator the terminator uses (typically
            :class:`EMMREvaluator`).
        warm_up_trials: Completed trials skipped first (typically the sampler's random startup trials).
        n_initial_trials: Completed trials after the warm-up whose criteria give the median.
        threshold_ratio: The fraction of the median that becomes the error.

    Raises:
        ValueError: If ``warm_up_trials`` is negative, ``n_initial_trials`` not positive or ``threshold_ratio``
            not a positive finite number.
    """

    def __init__(
        self,
        paired_improvement_evaluator: BaseImprovementEvaluator,
        warm_up_trials: int = 10,
        n_initial_trials: int = 20,
        threshold_ratio: float = 0.01,
    ) -> None:
        if not isinstance(paired_improvement_evaluator, BaseImprovementEvaluator):
            raise InvalidArgumentTypeError(
                "`paired_improvement_evaluator` must be an improvement evaluator (a BaseImprovementEvaluator), "
                f"got {paired_improvement_evaluator!r}."
            )
        self._warm_up_trials = check_count("warm_up_trials", warm_up_trials, minimum=0)
        self._n_initial_trials = check_count("n_initial_trials", n_initial_trials, minimum=1)
        if not _is_positive_number(threshold_ratio):
            raise InvalidArgumentError(f"`threshold_ratio` must be a positive finite number, got {threshold_ratio!r}.")
        self._paired_improvement_evaluator = paired_improvement_evaluator
        self._threshold_ratio = float(threshold_ratio)
        self._threshold: float | None = None

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """The threshold (see the class docstring), or the smallest negative float until it can be computed."""
        if self._threshold is not None:
            return self._threshold
        complete = sorted((t for t in trials if t.state == TrialState.COMPLETE), key=lambda t: t.number)
        start = self._warm_up_trials
        if len(complete) < start + self._n_initial_trials:
            return -sys.float_info.min
        criteria = sorted(
            self._paired_improvement_evaluator.evaluate(complete[start : start + i], study_direction)
            for i in range(1, self._n_initial_trials + 1)
        )
        self._threshold = min(sys.float_info.max, criteria[len(criteria) // 2] * self._threshold_ratio)
        return self._threshold


def _is_positive_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value) and value > 0.0

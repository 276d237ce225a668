"""Improvement evaluators: how much better than the best trial so far the study may still get."""

from __future__ import annotations

import abc
import math

import numpy as np

from albacore._blas import single_threaded_blas
from albacore.exceptions import InvalidArgumentError, InvalidArgumentTypeError
from albacore.samplers._gp._regressor import fit_gp
from albacore.study import StudyDirection
from albacore.terminator._gp import design_of, regret_bound
from albacore.trial import FrozenTrial, TrialState

__all__ = [
    "DEFAULT_MIN_N_TRIALS",
    "DEFAULT_TOP_TRIALS_RATIO",
    "BaseImprovementEvaluator",
    "BestValueStagnationEvaluator",
    "RegretBoundEvaluator",
    "check_count",
]

DEFAULT_TOP_TRIALS_RATIO = 0.5
"""The share of best trials :class:`RegretBoundEvaluator` fits its GP to."""

DEFAULT_MIN_N_TRIALS = 20
"""Completed trials before a terminator considers stopping, and the fewest trials a regret bound is fitted to."""

_REGRET_DELTA = 0.1


def check_count(name: str, value: object, *, minimum: int) -> int:
    """``value`` as an int >= ``minimum``, or a typed error naming the argument ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise InvalidArgumentTypeError(f"`{name}` must be an integer >= {minimum}, got {value!r}.")
    if value < minimum:
        raise InvalidArgumentError(f"`{name}` must be an integer >= {minimum}, got {value}.")
    return int(value)


class BaseImprovementEvaluator(metaclass=abc.ABCMeta):
    """Base class of improvement evaluators: the room left for the objective to improve.

    A terminator stops the study once this falls below the error its error evaluator gives.
    """

    @abc.abstractmethod
    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """The room for improvement given ``trials`` (of any state; only COMPLETE ones count).

        Args:
            trials: The study's trials, in trial-number order.
            study_direction: Whether the study minimizes or maximizes.
        """


class RegretBoundEvaluator(BaseImprovementEvaluator):
    """A high-probability upper bound on the regret of the best trial (Makarova et al., 2022).

    A Gaussian process (albacore's own, as in :class:`~albacore.samplers.GPSampler`; no torch) is fitted to the
    best ``top_trials_ratio`` of the completed trials (at least ``min_n_trials`` of them). The bound is the
    largest upper confidence bound over the search space minus the largest lower confidence bound over those
    trials, in the objective's units: with high probability no point beats the best trial by more.

    Args:
        top_trials_ratio: The share of best completed trials the GP is fitted to.
        min_n_trials: The fewest trials the GP is fitted to (all of them when there are fewer).
        seed: Seed of the random screening points of the search for the largest upper bound.

    Raises:
        ValueError: From :meth:`evaluate`, when no trial has completed or the completed trials share no
            parameter.

    Example:
        >>> import albacore
        >>> from albacore.terminator import RegretBoundEvaluator
        >>> study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=0))
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=10)
        >>> bound = RegretBoundEvaluator(seed=0).evaluate(study.trials, study.direction)
        >>> bound >= 0.0
        True
    """

    def __init__(
        self,
        top_trials_ratio: float = DEFAULT_TOP_TRIALS_RATIO,
        min_n_trials: int = DEFAULT_MIN_N_TRIALS,
        seed: int | None = None,
    ) -> None:
        if isinstance(top_trials_ratio, bool) or not isinstance(top_trials_ratio, int | float):
            raise InvalidArgumentTypeError(f"`top_trials_ratio` must be a positive number, got {top_trials_ratio!r}.")
        if not (top_trials_ratio > 0.0 and math.isfinite(top_trials_ratio)):
            raise InvalidArgumentError(f"`top_trials_ratio` must be a positive number, got {top_trials_ratio}.")
        self._top_trials_ratio = float(top_trials_ratio)
        self._min_n_trials = check_count("min_n_trials", min_n_trials, minimum=1)
        self._rng = np.random.default_rng(seed)

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """The regret bound of the best completed trial, in the objective's units (see the class docstring)."""
        if not any(t.state == TrialState.COMPLETE for t in trials):
            raise InvalidArgumentError("No trial has completed yet, so the regret bound cannot be evaluated.")
        design = design_of(trials, study_direction)
        if design is None:
            raise InvalidArgumentError(
                "The completed trials share no parameter (their intersection search space is empty), which "
                f"{type(self).__name__} needs: suggest the same parameters in every trial."
            )
        n = len(design.gains)
        top_n = min(max(int(n * self._top_trials_ratio), self._min_n_trials), n)
        threshold = np.partition(design.gains, n - top_n)[n - top_n]
        top = design.gains >= threshold  # ties at the threshold are all kept
        X, gains = design.X[top], design.gains[top]
        scale = max(float(np.std(gains)), 1e-10)
        y = (gains - float(np.mean(gains))) / scale
        with single_threaded_blas():
            gp = fit_gp(X, y, design.is_categorical)
            bound = regret_bound(gp, X, design.n_choices, design.is_categorical, self._rng, _REGRET_DELTA)
        return bound * scale


class BestValueStagnationEvaluator(BaseImprovementEvaluator):
    """Trials left before the best value has gone ``max_stagnation_trials`` trials without improving.

    Pair it with ``StaticErrorEvaluator(0)`` (the terminator's default for it): the study stops once the best
    value has not improved for more than ``max_stagnation_trials`` completed trials.

    Args:
        max_stagnation_trials: How many completed trials without a new best value are tolerated.

    Raises:
        ValueError: If ``max_stagnation_trials`` is negative; from :meth:`evaluate`, when no trial has completed.

    Example:
        >>> import albacore
        >>> from albacore.terminator import BestValueStagnationEvaluator
        >>> trials = [albacore.create_trial(value=v) for v in [3.0, 1.0, 2.0, 2.0]]
        >>> BestValueStagnationEvaluator(5).evaluate(trials, albacore.study.StudyDirection.MINIMIZE)
        3
    """

    def __init__(self, max_stagnation_trials: int = 30) -> None:
        self._max_stagnation_trials = check_count("max_stagnation_trials", max_stagnation_trials, minimum=0)

    def evaluate(self, trials: list[FrozenTrial], study_direction: StudyDirection) -> float:
        """``max_stagnation_trials`` minus the completed trials since the first to reach the best value."""
        values = [t.value for t in trials if t.state == TrialState.COMPLETE]
        if not values:
            raise InvalidArgumentError("No trial has completed yet, so the stagnation cannot be evaluated.")
        gains = np.array(values, dtype=float) * (-1.0 if study_direction == StudyDirection.MINIMIZE else 1.0)
        best_step = int(np.argmax(gains))  # the first occurrence of the best value
        return self._max_stagnation_trials - (len(gains) - 1 - best_step)

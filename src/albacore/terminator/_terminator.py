"""Terminator: stop when the room left for improvement is smaller than the noise; its optimize callback."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from albacore.logging import get_logger
from albacore.terminator._erroreval import (
    BaseErrorEvaluator,
    CrossValidationErrorEvaluator,
    StaticErrorEvaluator,
)
from albacore.terminator._improvement import (
    DEFAULT_MIN_N_TRIALS,
    BaseImprovementEvaluator,
    BestValueStagnationEvaluator,
    RegretBoundEvaluator,
    check_count,
)
from albacore.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from albacore.study import Study

__all__ = ["BaseTerminator", "Terminator", "TerminatorCallback", "default_error_evaluator"]

_logger = get_logger(__name__)


class BaseTerminator(metaclass=abc.ABCMeta):
    """Base class of terminators: whether a study should stop."""

    @abc.abstractmethod
    def should_terminate(self, study: Study) -> bool:
        """True when ``study`` should stop."""


def default_error_evaluator(improvement_evaluator: BaseImprovementEvaluator) -> BaseErrorEvaluator:
    """The error evaluator that goes with an improvement evaluator when none is given."""
    if isinstance(improvement_evaluator, BestValueStagnationEvaluator):
        return StaticErrorEvaluator(constant=0)
    return CrossValidationErrorEvaluator()


class Terminator(BaseTerminator):
    """Stop a study once the room left for improvement is smaller than the statistical error.

    After ``min_n_trials`` completed trials, :meth:`should_terminate` compares the improvement evaluator's
    value (by default a GP regret bound, :class:`RegretBoundEvaluator`) with the error evaluator's (by default
    the cross-validation error of the best trial, :class:`CrossValidationErrorEvaluator`, which needs
    :func:`report_cross_validation_scores`); it says stop when the improvement is smaller. This is the method of
    Makarova et al., "Automatic termination for hyperparameter optimization" (2022). As in Optuna 5.0,
    creating one gives a FutureWarning (the module goes away in Optuna 6.0).

    Args:
        improvement_evaluator: Estimates the room left for improvement; ``RegretBoundEvaluator()`` by default.
        error_evaluator: Estimates the noise of the objective; ``CrossValidationErrorEvaluator()`` by default,
            ``StaticErrorEvaluator(0)`` when the improvement evaluator is a
            :class:`BestValueStagnationEvaluator`.
        min_n_trials: Completed trials before stopping is considered.

    Raises:
        ValueError: If ``min_n_trials`` is not a positive integer.

    Example:
        >>> import albacore
        >>> from albacore.terminator import BestValueStagnationEvaluator, Terminator
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: 1.0 + 0 * t.suggest_float("x", 0, 1), n_trials=12)
        >>> terminator = Terminator(BestValueStagnationEvaluator(10), min_n_trials=5)
        >>> terminator.should_terminate(study)  # the best value has not moved for 11 trials
        True
    """

    def __init__(
        self,
        improvement_evaluator: BaseImprovementEvaluator | None = None,
        error_evaluator: BaseErrorEvaluator | None = None,
        min_n_trials: int = DEFAULT_MIN_N_TRIALS,
    ) -> None:
        self._min_n_trials = check_count("min_n_trials", min_n_trials, minimum=1)
        self._improvement_evaluator = improvement_evaluator or RegretBoundEvaluator()
        self._error_evaluator = error_evaluator or default_error_evaluator(self._improvement_evaluator)

    def should_terminate(self, study: Study) -> bool:
        """True when the study has ``min_n_trials`` completed trials and less room to improve than its error.

        Raises:
            RuntimeError: For a study with several objectives (the terminator judges one objective).
        """
        direction = study.direction  # a study with several objectives raises here, as in Optuna
        trials = study.get_trials(deepcopy=False)
        if sum(t.state == TrialState.COMPLETE for t in trials) < self._min_n_trials:
            return False
        improvement = self._improvement_evaluator.evaluate(trials=trials, study_direction=direction)
        error = self._error_evaluator.evaluate(trials=trials, study_direction=direction)
        return bool(improvement < error)


class TerminatorCallback:
    """A ``study.optimize`` callback that stops the study when its terminator says so.

    Args:
        terminator: Decides when to stop; ``Terminator()`` (GP regret bound against cross-validation error)
            by default.

    Example:
        >>> import albacore
        >>> from albacore.terminator import BestValueStagnationEvaluator, Terminator, TerminatorCallback
        >>> callback = TerminatorCallback(Terminator(BestValueStagnationEvaluator(5), min_n_trials=1))
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: 1.0 + 0 * t.suggest_float("x", 0, 1), n_trials=50, callbacks=[callback])
        >>> len(study.trials)  # the best value, found first, stagnated for 6 trials
        7
    """

    def __init__(self, terminator: BaseTerminator | None = None) -> None:
        self._terminator = Terminator() if terminator is None else terminator

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        if self._terminator.should_terminate(study=study):
            _logger.info("The study has been stopped by the terminator.")
            study.stop()

"""Data of the terminator improvement plot: the room for improvement (and the error) after every trial."""

from __future__ import annotations

from dataclasses import dataclass

from albacore.exceptions import InvalidArgumentError
from albacore.terminator import BaseErrorEvaluator, BaseImprovementEvaluator, RegretBoundEvaluator
from albacore.terminator._terminator import default_error_evaluator
from albacore.trial import TrialState
from albacore.visualization.data._common import TrialSet

__all__ = ["TerminatorImprovementData", "terminator_improvement_data"]

_PADDING_RATIO = 0.05


@dataclass(frozen=True)
class TerminatorImprovementData:
    """Everything the terminator improvement plot draws.

    Attributes:
        trial_numbers: From the first completed trial on, every trial's number (the x coordinates).
        improvements: The improvement evaluator's value on the trials completed up to each of them.
        errors: The error evaluator's value at the same points, or None when the error is not plotted.
        min_n_trials: Points up to this many are drawn lighter: a terminator does not stop before it.
        y_range: The y-axis range (low, high): every point after ``min_n_trials`` and the errors, padded; None
            when there is nothing to draw.
    """

    trial_numbers: list[int]
    improvements: list[float]
    errors: list[float] | None
    min_n_trials: int
    y_range: tuple[float, float] | None


def terminator_improvement_data(
    trial_set: TrialSet,
    *,
    plot_error: bool = False,
    improvement_evaluator: BaseImprovementEvaluator | None = None,
    error_evaluator: BaseErrorEvaluator | None = None,
    min_n_trials: int = 20,
) -> TerminatorImprovementData:
    """The evaluators' values on the completed trials up to each trial (one GP fit per trial by default).

    Args:
        trial_set: The trials of a single-objective study.
        plot_error: Evaluate the error as well.
        improvement_evaluator: ``RegretBoundEvaluator()`` by default.
        error_evaluator: The terminator's default for the improvement evaluator when None
            (``CrossValidationErrorEvaluator()``, or ``StaticErrorEvaluator(0)`` for
            ``BestValueStagnationEvaluator``).
        min_n_trials: Where the plot's lighter start ends.

    Raises:
        ValueError: For a study with several objectives.

    Example:
        >>> import albacore
        >>> from albacore.terminator import BestValueStagnationEvaluator
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        >>> data = terminator_improvement_data(
        ...     TrialSet.of(study), improvement_evaluator=BestValueStagnationEvaluator(5)
        ... )
        >>> data.trial_numbers
        [0, 1, 2]
    """
    if len(trial_set.directions) > 1:
        raise InvalidArgumentError(
            f"plot_terminator_improvement draws one objective, but study {trial_set.name!r} has "
            f"{len(trial_set.directions)}: the terminator judges single-objective studies only."
        )
    direction = trial_set.directions[0]
    improvement_evaluator = improvement_evaluator or RegretBoundEvaluator()
    error_evaluator = error_evaluator or default_error_evaluator(improvement_evaluator)
    numbers: list[int] = []
    improvements: list[float] = []
    errors: list[float] = []
    completed = []
    for trial in sorted(trial_set.trials, key=lambda t: t.number):
        if trial.state == TrialState.COMPLETE:
            completed.append(trial)
        if not completed:
            continue
        numbers.append(trial.number)
        improvements.append(float(improvement_evaluator.evaluate(list(completed), direction)))
        if plot_error:
            errors.append(float(error_evaluator.evaluate(list(completed), direction)))
    shown_errors = errors if plot_error and numbers else None
    return TerminatorImprovementData(
        numbers, improvements, shown_errors, min_n_trials, _y_range(improvements, shown_errors, min_n_trials)
    )


def _y_range(improvements: list[float], errors: list[float] | None, min_n_trials: int) -> tuple[float, float] | None:
    """Low to high of everything drawn, except the (often huge) improvements before ``min_n_trials``."""
    if not improvements:
        return None
    later = improvements[min_n_trials:] if len(improvements) > min_n_trials else improvements
    low = min(improvements + (errors or []))
    high = max(later + (errors or []))
    padding = (high - low) * _PADDING_RATIO
    return low - padding, high + padding

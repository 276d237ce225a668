"""Data of the timeline plot: when each trial started and ended, and how it ended."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from albacore.exceptions import InvalidArgumentError
from albacore.logging import get_logger
from albacore.visualization.data._common import TrialSet, feasibility

__all__ = ["TimelineBar", "TimelineData", "timeline_data"]

_logger = get_logger(__name__)


@dataclass(frozen=True)
class TimelineBar:
    """One trial's span.

    Attributes:
        number: The trial number (the y coordinate).
        state: The trial state's name ("COMPLETE", "PRUNED", "FAIL", "RUNNING", "WAITING").
        start: When it started, ISO 8601 (now, for a trial that has not started).
        complete: When it ended, ISO 8601 (now, for a trial still running).
        infeasible: The trial violated a constraint.
    """

    number: int
    state: str
    start: str
    complete: str
    infeasible: bool


@dataclass(frozen=True)
class TimelineData:
    """Everything the timeline plot draws.

    Attributes:
        bars: One bar per trial, by trial number.
    """

    bars: list[TimelineBar]


def _now_like(reference: datetime.datetime | None) -> datetime.datetime:
    """Now, naive or aware like ``reference`` (albacore records naive local times; Optuna 5 records UTC)."""
    return datetime.datetime.now(reference.tzinfo if reference is not None else None)


def _naive_local(moment: datetime.datetime) -> datetime.datetime:
    return moment if moment.tzinfo is None else moment.astimezone().replace(tzinfo=None)


def timeline_data(trial_set: TrialSet, *, n_recent_trials: int | None = None) -> TimelineData:
    """The span of every trial, or of the ``n_recent_trials`` highest-numbered ones.

    Args:
        trial_set: The trials to draw (``TrialSet.of(study)``).
        n_recent_trials: Only the trials of the highest numbers, this many; every trial when None.

    Raises:
        InvalidArgumentError: If ``n_recent_trials`` is not a positive integer.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        >>> [bar.number for bar in timeline_data(TrialSet.of(study), n_recent_trials=2).bars]
        [1, 2]
    """
    if n_recent_trials is not None and (isinstance(n_recent_trials, bool) or n_recent_trials <= 0):
        raise InvalidArgumentError(f"n_recent_trials must be a positive integer or None, got {n_recent_trials!r}.")
    trials = sorted(trial_set.trials, key=lambda t: t.number)
    if n_recent_trials is not None:
        trials = trials[-n_recent_trials:]
    infeasible = ~feasibility(trials)
    bars = []
    backwards = []
    for trial, bad in zip(trials, infeasible.tolist(), strict=True):
        start = trial.datetime_start or _now_like(trial.datetime_complete)
        complete = trial.datetime_complete or _now_like(start)
        if (start.tzinfo is None) != (complete.tzinfo is None):  # one naive, one aware: compare as local times
            start, complete = _naive_local(start), _naive_local(complete)
        if complete < start:
            backwards.append(trial.number)
        bars.append(TimelineBar(trial.number, trial.state.name, start.isoformat(), complete.isoformat(), bad))
    if backwards:
        _logger.warning(
            f"Trial(s) {', '.join(map(str, backwards[:10]))} end before they start (their clock times are "
            "inconsistent); they are drawn as they are."
        )
    return TimelineData(bars)

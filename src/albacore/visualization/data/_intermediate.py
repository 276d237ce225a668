"""Data of the intermediate values plot: the learning curve each trial reported."""

from __future__ import annotations

import math
from dataclasses import dataclass

from albacore.trial import TrialState
from albacore.visualization.data._common import TrialSet, feasibility

__all__ = ["IntermediateValuesData", "LearningCurve", "intermediate_values_data"]

_SHOWN_STATES = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)


@dataclass(frozen=True)
class LearningCurve:
    """The values one trial reported with ``trial.report``, by step.

    Attributes:
        trial_number: The trial's number.
        state: "COMPLETE", "PRUNED" or "RUNNING".
        feasible: Whether the trial satisfied its constraints.
        steps: The reported steps, ascending.
        values: The value at each step (None for a NaN report).
    """

    trial_number: int
    state: str
    feasible: bool
    steps: list[int]
    values: list[float | None]


@dataclass(frozen=True)
class IntermediateValuesData:
    """Everything the intermediate values plot draws.

    Attributes:
        curves: One curve per COMPLETE, PRUNED or RUNNING trial that reported at least one value.
    """

    curves: list[LearningCurve]


def intermediate_values_data(trial_set: TrialSet) -> IntermediateValuesData:
    """The learning curves of the trials that reported intermediate values (failed trials are left out).

    Args:
        trial_set: The trials whose reports to draw (``TrialSet.of(study)``).

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     for step in range(3):
        ...         trial.report(1.0 / (step + 1), step)
        ...     return 0.0
        >>> study = albacore.create_study()
        >>> study.optimize(objective, n_trials=1)
        >>> intermediate_values_data(TrialSet.of(study)).curves[0].steps
        [0, 1, 2]
    """
    trials = [t for t in trial_set.trials if t.state in _SHOWN_STATES and t.intermediate_values]
    trials.sort(key=lambda t: t.number)
    feasible = feasibility(trials)
    curves = []
    for trial, ok in zip(trials, feasible.tolist(), strict=True):
        steps = sorted(trial.intermediate_values)
        values = [trial.intermediate_values[s] for s in steps]
        curves.append(
            LearningCurve(
                trial_number=trial.number,
                state=trial.state.name,
                feasible=ok,
                steps=steps,
                values=[float(v) if math.isfinite(v) else None for v in values],
            )
        )
    return IntermediateValuesData(curves)

"""Data of the hypervolume history plot: the hypervolume of the feasible Pareto front after each trial."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from albacore.exceptions import InvalidArgumentError
from albacore.visualization.data._common import TrialSet, completed_trials, feasibility
from albacore.visualization.data._pareto_math import hypervolume_gain, minimized

__all__ = ["HypervolumeHistoryData", "hypervolume_history_data"]

_BLOCK = 512


@dataclass(frozen=True)
class HypervolumeHistoryData:
    """Everything the hypervolume history plot draws.

    Attributes:
        trial_numbers: The COMPLETE trials, in order.
        values: The hypervolume of the feasible trials' Pareto front up to and including each trial.
    """

    trial_numbers: list[int]
    values: list[float]


def hypervolume_history_data(trial_set: TrialSet, reference_point: Sequence[float]) -> HypervolumeHistoryData:
    """The hypervolume dominated by the feasible COMPLETE trials so far, after each trial, against a reference.

    Maximised objectives are negated (and their reference coordinate with them), so the reference point is
    given in the objectives' own terms. The front is kept incrementally: a trial that the front dominates costs
    one comparison, a new front member only the volume it adds.

    Args:
        trial_set: The trials of a multi-objective study (``TrialSet.of(study)``).
        reference_point: One coordinate per objective, worse than every trial worth counting.

    Raises:
        InvalidArgumentError: For a single-objective study, or a reference point of the wrong length.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(directions=["minimize", "minimize"])
        >>> for x, y in [(2.0, 2.0), (1.0, 3.0), (3.0, 1.0)]:
        ...     study.add_trial(albacore.create_trial(values=[x, y]))
        >>> hypervolume_history_data(TrialSet.of(study), [4.0, 4.0]).values
        [4.0, 5.0, 6.0]
    """
    n_objectives = len(trial_set.directions)
    if n_objectives < 2:
        raise InvalidArgumentError(
            "plot_hypervolume_history needs a multi-objective study; for a single objective use "
            "plot_optimization_history."
        )
    if len(reference_point) != n_objectives:
        raise InvalidArgumentError(
            f"reference_point must have one coordinate per objective ({n_objectives}), got {list(reference_point)}."
        )
    trials = completed_trials(trial_set)
    if not trials:
        return HypervolumeHistoryData([], [])
    loss = minimized(np.array([t.values for t in trials], dtype=float), trial_set.directions)
    reference = minimized(np.asarray(reference_point, dtype=float)[None, :], trial_set.directions)[0]
    usable = feasibility(trials) & np.all(loss < reference, axis=1) & np.all(np.isfinite(loss), axis=1)
    front = np.empty((0, n_objectives))
    volume = 0.0
    history = np.empty(len(trials))
    start = 0
    while start < len(trials):
        # Most trials add nothing: test a block against the front at once, up to the first that adds volume.
        stop = min(start + _BLOCK, len(trials))
        block = loss[start:stop]
        covered = np.any(np.all(front[None, :, :] <= block[:, None, :], axis=2), axis=1)
        adds = np.flatnonzero(usable[start:stop] & ~covered)
        if adds.size == 0:
            history[start:stop] = volume
            start = stop
            continue
        i = start + int(adds[0])
        history[start:i] = volume
        point = loss[i]
        volume += hypervolume_gain(point, front, reference)
        front = np.vstack([front[~np.all(point <= front, axis=1)], point])
        history[i] = volume
        start = i + 1
    return HypervolumeHistoryData([t.number for t in trials], history.tolist())

"""PatientPruner: wait until a trial has not improved for ``patience`` steps before asking another pruner."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from albacore._study_records import StudyDirection
from albacore.exceptions import InvalidArgumentError
from albacore.pruners._base import BasePruner
from albacore.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["PatientPruner"]


class PatientPruner(BasePruner):
    """Prune only a trial that lost patience: its best value over its last ``patience + 1`` reports is worse, by
    more than ``min_delta``, than its best value before them. Then ``wrapped_pruner`` decides (or, with None, the
    trial is pruned).

    Reports are taken in step order, whatever order they were made in; NaN reports are ignored.

    Args:
        wrapped_pruner: The pruner that decides once the trial has lost patience; None to prune right then.
        patience: How many reports without improvement to tolerate.
        min_delta: How much worse than before the recent reports may be without losing patience.

    Example:
        >>> import albacore
        >>> pruner = albacore.pruners.PatientPruner(albacore.pruners.MedianPruner(), patience=3)
        >>> study = albacore.create_study(pruner=pruner)
    """

    def __init__(self, wrapped_pruner: BasePruner | None, patience: int, min_delta: float = 0.0) -> None:
        if wrapped_pruner is not None and not isinstance(wrapped_pruner, BasePruner):
            raise InvalidArgumentError(f"`wrapped_pruner` must be a BasePruner or None, got {wrapped_pruner!r}.")
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise InvalidArgumentError(f"`patience` must be an integer >= 0, got {patience!r}.")
        if not isinstance(min_delta, (int, float)) or not min_delta >= 0.0:
            raise InvalidArgumentError(f"`min_delta` must be a number >= 0, got {min_delta!r}.")
        self._wrapped_pruner = wrapped_pruner
        self._patience = patience
        self._min_delta = float(min_delta)

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        reports = trial.intermediate_values
        if len(reports) <= self._patience + 1:
            return False
        steps = sorted(reports)
        split = len(steps) - self._patience - 1
        before = [v for s in steps[:split] if not math.isnan(v := reports[s])]
        recent = [v for s in steps[split:] if not math.isnan(v := reports[s])]
        if not before or not recent:
            return False
        if study.direction == StudyDirection.MAXIMIZE:
            stalled = max(recent) < max(before) - self._min_delta
        else:
            stalled = min(recent) > min(before) + self._min_delta
        if not stalled:
            return False
        return True if self._wrapped_pruner is None else self._wrapped_pruner.prune(study, trial)

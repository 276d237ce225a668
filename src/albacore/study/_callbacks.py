"""Callbacks for ``Study.optimize``."""

from __future__ import annotations

from collections.abc import Container
from typing import TYPE_CHECKING

from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["MaxTrialsCallback"]


class MaxTrialsCallback:
    """Stop ``optimize`` once the study holds ``n_trials`` trials in ``states``, counting every worker.

    Args:
        n_trials: How many trials in ``states`` the study may hold; once it holds that many, ``study.stop()``.
        states: The trial states that count; None counts every state.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=50,
        ...                callbacks=[albacore.study.MaxTrialsCallback(5)])
        >>> len(study.trials)
        5
    """

    def __init__(self, n_trials: int, states: Container[TrialState] | None = (TrialState.COMPLETE,)) -> None:
        self._n_trials = n_trials
        self._states = states

    def __call__(self, study: Study, trial: FrozenTrial) -> None:
        if len(study.get_trials(deepcopy=False, states=self._states)) >= self._n_trials:
            study.stop()

"""A study-level trial budget, honoured by every worker: ``albacore create-study --max-trials N``.

The budget is a study system attribute (``MAX_TRIALS_KEY``), so every process that runs ``optimize`` on the
study (threads, ``n_processes``, an executor, ``albacore worker`` on many machines) reads it from the storage.
Before starting a trial, a worker counts the study's trials that are RUNNING or finished (COMPLETE, PRUNED,
FAIL; WAITING trials count once claimed) and starts none once there are N.

Overshoot: counting and creating are two storage operations, so workers that check at the same moment may each
start one trial: the study can end with up to one trial more than N per other worker asking at that moment
(with W workers, at most N + W - 1 trials). A trial failed by heartbeat counts, and so does its retry once it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from albacore.exceptions import InvalidArgumentError
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.storages._base import BaseStorage
    from albacore.study._study import Study

__all__ = ["MAX_TRIALS_KEY", "room_check", "set_max_trials"]

MAX_TRIALS_KEY = "albacore:max_trials"
"""Study system attribute holding the study-level trial budget (an int)."""

_COUNTED = (TrialState.RUNNING, TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)


def set_max_trials(storage: BaseStorage, study_id: int, max_trials: int) -> None:
    """Give a study a budget of ``max_trials`` trials shared by every worker."""
    if isinstance(max_trials, bool) or not isinstance(max_trials, int) or max_trials < 1:
        raise InvalidArgumentError(f"The study's trial budget must be a positive integer, got {max_trials!r}.")
    storage.set_study_system_attr(study_id, MAX_TRIALS_KEY, max_trials)


def room_check(study: Study) -> Callable[[], bool] | None:
    """A check that the study's budget has room for another trial, or None when the study has no budget."""
    storage = study._storage
    study_id = study._study_id
    max_trials = storage.get_study_system_attrs(study_id).get(MAX_TRIALS_KEY)
    if max_trials is None:
        return None
    limit = int(max_trials)

    def has_room() -> bool:
        return storage.get_n_trials(study_id, _COUNTED) < limit

    return has_room

"""The life cycle of a trial."""

from __future__ import annotations

import enum

__all__ = ["TrialState"]


class TrialState(enum.IntEnum):
    """State of a trial: WAITING (enqueued) -> RUNNING -> COMPLETE, PRUNED or FAIL.

    The numeric values match Optuna's, so they can be stored and compared across tools.
    """

    RUNNING = 0
    COMPLETE = 1
    PRUNED = 2
    FAIL = 3
    WAITING = 4

    def __repr__(self) -> str:
        return f"TrialState.{self.name}"

    # ``print(trial.state)`` shows the name, as with Optuna (an IntEnum would print the number).
    __str__ = __repr__

    def is_finished(self) -> bool:
        """Return True for COMPLETE, PRUNED and FAIL: the states a trial never leaves."""
        return self in _FINISHED


_FINISHED = frozenset((TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL))

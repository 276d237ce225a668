"""FilteredStudy: a read view of a study that shows only the trials one filter keeps (a Hyperband bracket)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Container
from typing import Any

from albacore._pareto import best_of, pareto_front_trials
from albacore.study._study import Study
from albacore.trial._constraints import is_feasible
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = ["FilteredStudy"]


class FilteredStudy(Study):
    """A study whose trial listings keep only trials whose number ``keep`` accepts.

    Everything else (storage, sampler, directions, ``stop``, attributes) is the wrapped study's, so a sampler
    handed this view behaves as with the real study but learns only from the kept trials.
    """

    def __init__(self, study: Study, keep: Callable[[int], bool]) -> None:
        # Study.__init__ would open the storage again; this view borrows every attribute of ``study`` instead.
        self.__dict__["_wrapped"] = study
        self.__dict__["_keep"] = keep

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_wrapped"], name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.__dict__["_wrapped"], name, value)

    def get_trials(self, deepcopy: bool = True, states: Container[TrialState] | None = None) -> list[FrozenTrial]:
        keep = self.__dict__["_keep"]
        return [t for t in self.__dict__["_wrapped"].get_trials(deepcopy, states) if keep(t.number)]

    @property
    def trials(self) -> list[FrozenTrial]:
        return self.get_trials(deepcopy=True)

    @property
    def best_trial(self) -> FrozenTrial:
        completed = self.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        found = best_of([t for t in completed if is_feasible(t.system_attrs)], self.direction)
        if found is None:
            raise ValueError("No feasible trials of this view are completed yet.")
        return copy.deepcopy(found)

    @property
    def best_trials(self) -> list[FrozenTrial]:
        completed = self.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        return [copy.deepcopy(t) for t in pareto_front_trials(completed, self.directions)]

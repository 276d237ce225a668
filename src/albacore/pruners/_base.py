"""BasePruner: decides, from a running trial's reports and the study's history, whether to stop it."""

from __future__ import annotations

import abc
from typing import TYPE_CHECKING

from albacore.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["BasePruner"]


class BasePruner(abc.ABC):
    """Subclass it and implement ``prune`` to write your own pruner."""

    def __str__(self) -> str:
        return type(self).__name__

    @abc.abstractmethod
    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        """Return True when ``trial`` (running, with its intermediate values) should be stopped now."""

"""NopPruner: never prunes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from albacore.pruners._base import BasePruner
from albacore.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["NopPruner"]


class NopPruner(BasePruner):
    """A pruner that never prunes: every trial runs to its end."""

    def prune(self, study: Study, trial: FrozenTrial) -> bool:
        return False

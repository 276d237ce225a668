"""A pruner with a fixed answer, in a module of its own so that worker processes can unpickle it.

A class defined in a ``conftest.py`` cannot be pickled reliably: several test folders have a ``conftest`` module, and
the name ``conftest`` resolves to whichever was imported last.
"""

from __future__ import annotations

import albacore
from albacore.trial import FrozenTrial


class FixedPruner(albacore.pruners.BasePruner):
    """Prunes every trial (``prune=True``) or none, whatever it has reported."""

    def __init__(self, prune: bool) -> None:
        self._prune = prune

    def prune(self, study: albacore.Study, trial: FrozenTrial) -> bool:
        return self._prune

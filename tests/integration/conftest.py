"""Helpers shared by the integration tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import albacore
from albacore.trial import FrozenTrial


class FixedPruner(albacore.pruners.BasePruner):
    """Prunes every trial (``prune=True``) or none, whatever it has reported."""

    def __init__(self, prune: bool) -> None:
        self._prune = prune

    def prune(self, study: albacore.Study, trial: FrozenTrial) -> bool:
        return self._prune


@pytest.fixture
def fixed_pruner() -> Callable[[bool], FixedPruner]:
    return FixedPruner

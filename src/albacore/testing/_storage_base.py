"""What every part of the storage contract suite shares: the fixture, its helpers and the test values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from albacore._study_records import StudyDirection
from albacore.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.storages._base import BaseStorage
from albacore.trial._state import TrialState

__all__ = ["C", "FINISHED", "MAX", "MIN", "NESTED_ATTR", "N", "StorageSuiteBase", "X"]

MIN, MAX = StudyDirection.MINIMIZE, StudyDirection.MAXIMIZE
X = FloatDistribution(-10.0, 10.0)
N = IntDistribution(0, 100)
C = CategoricalDistribution(("adam", "sgd", None, 1.5))
FINISHED = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.FAIL)

NESTED_ATTR: Any = {"list": [1, 2.5, "three", None, True, [4, {"five": 5}]], "ünïcödé": "日本語 ✓", "empty": {}}


class StorageSuiteBase:
    """The storage fixture and helpers of :class:`~albacore.testing.StorageTestCase` (which derives from this).

    Attributes:
        supports_threads: Set to False for a storage that may not be shared by threads (none of albacore's).
    """

    supports_threads = True

    def storage_factory(self) -> BaseStorage:
        """Return a new, empty storage; each test gets its own."""
        raise NotImplementedError("Subclasses of StorageTestCase must implement storage_factory().")

    @pytest.fixture
    def storage(self) -> Iterator[BaseStorage]:
        """A fresh storage from :meth:`storage_factory`, closed after the test."""
        made = self.storage_factory()
        try:
            yield made
        finally:
            made.close()

    # --- helpers -----------------------------------------------------------------------------------------

    @staticmethod
    def _study(storage: BaseStorage, name: str = "s", directions: tuple[StudyDirection, ...] = (MIN,)) -> int:
        return storage.create_new_study(list(directions), name)

    @staticmethod
    def _finished(storage: BaseStorage, study_id: int, value: float, state: TrialState = TrialState.COMPLETE) -> int:
        trial_id = storage.create_new_trial(study_id)
        storage.set_trial_state_values(trial_id, state, None if state == TrialState.FAIL else [value])
        return trial_id

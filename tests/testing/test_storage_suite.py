"""The storage conformance suite itself: it must catch storages that break the contract."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import pytest

from albacore.storages import BaseStorage, InMemoryStorage
from albacore.storages._base import ParamWrites
from albacore.study import StudyDirection
from albacore.testing import StorageTestCase
from albacore.trial import TrialState


class _WritesFinishedTrials(InMemoryStorage):
    """Lets attributes of finished trials change (the contract forbids it)."""

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        record, number = self._locate(trial_id)
        trial = record.trials[number]
        record.trials[number] = trial._evolve(user_attrs={**trial.user_attrs, key: value})


class _SkipsNumbers(InMemoryStorage):
    """Numbers trials 0, 2, 4, ... (the contract wants them gap-free)."""

    def create_new_trial(self, study_id: int, template_trial: Any = None) -> int:
        trial_id = super().create_new_trial(study_id, template_trial)
        super().create_new_trial(study_id)
        return trial_id


class _WritesHalfOnError(InMemoryStorage):
    """Ends the trial before checking the parameters of its final write (the contract wants all or nothing)."""

    def set_trial_state_values(
        self,
        trial_id: int,
        state: TrialState,
        values: Sequence[float] | None = None,
        *,
        params: ParamWrites | None = None,
    ) -> bool:
        super().set_trial_state_values(trial_id, state, values)
        if params:
            self.set_trial_params(trial_id, params)
        return True


SUITE = StorageTestCase()


def test_finished_trial_writes_are_caught() -> None:
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        SUITE.test_finished_trials_are_read_only(_WritesFinishedTrials(), TrialState.COMPLETE)
    SUITE.test_finished_trials_are_read_only(InMemoryStorage(), TrialState.COMPLETE)


def test_gaps_in_numbers_are_caught() -> None:
    with pytest.raises(AssertionError):
        SUITE.test_trial_numbers_count_per_study(_SkipsNumbers())
    SUITE.test_trial_numbers_count_per_study(InMemoryStorage())


def test_half_written_final_state_is_caught() -> None:
    # The suite's test expects IncompatibleDistributionError and an untouched trial; it gets neither.
    with pytest.raises((Exception, pytest.fail.Exception)):
        SUITE.test_incompatible_kind_in_final_write_keeps_the_trial_running(_WritesHalfOnError())
    SUITE.test_incompatible_kind_in_final_write_keeps_the_trial_running(InMemoryStorage())


def test_a_storage_must_say_how_to_make_it() -> None:
    with pytest.raises(NotImplementedError, match="storage_factory"):
        StorageTestCase().storage_factory()


class TestSubclassingRunsEveryTest(StorageTestCase):
    """A subclass gets the whole suite; here one test checks the fixture hands out fresh storages."""

    made: ClassVar[list[BaseStorage]] = []

    def storage_factory(self) -> BaseStorage:
        storage = InMemoryStorage()
        self.made.append(storage)
        return storage

    def test_each_test_gets_an_empty_storage(self, storage: BaseStorage) -> None:
        assert storage.get_all_studies() == []
        storage.create_new_study([StudyDirection.MINIMIZE], "x")
        assert storage is self.made[-1]

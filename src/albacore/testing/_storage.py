"""StorageTestCase: the BaseStorage contract as a pytest suite that any storage inherits.

Example (in a test module)::

    from albacore.storages import InMemoryStorage
    from albacore.testing import StorageTestCase

    class TestInMemoryStorage(StorageTestCase):
        def storage_factory(self):
            return InMemoryStorage()

Every ``test_*`` method, here and in the classes it derives from (``_storage_reads``), then runs against the
storage. Storages shared between processes get the process-level checks from their own test modules; this suite
exercises one client, from many threads.
"""

from __future__ import annotations

import contextlib
import datetime
import math
import threading
from collections.abc import Callable

import pytest

from albacore.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution
from albacore.exceptions import (
    DuplicatedStudyError,
    IncompatibleDistributionError,
    StudyNotFoundError,
    UpdateFinishedTrialError,
)
from albacore.storages._base import DEFAULT_STUDY_NAME_PREFIX, BaseStorage
from albacore.testing._storage_base import FINISHED, MAX, MIN, NESTED_ATTR, C, N, X
from albacore.testing._storage_reads import ReadContract
from albacore.trial._frozen import FrozenTrial, create_trial
from albacore.trial._state import TrialState

__all__ = ["StorageTestCase"]


class StorageTestCase(ReadContract):
    """The BaseStorage contract; subclass it in a ``Test*`` class and implement :meth:`storage_factory`.

    Attributes:
        supports_threads: Set to False for a storage that may not be shared by threads (none of albacore's).
    """

    # --- studies -----------------------------------------------------------------------------------------

    def test_create_study_and_lookup(self, storage: BaseStorage) -> None:
        study_id = storage.create_new_study([MIN], "alpha")
        assert storage.get_study_id_from_name("alpha") == study_id
        assert storage.get_study_name_from_id(study_id) == "alpha"
        assert storage.get_study_directions(study_id) == [MIN]
        assert storage.get_study_user_attrs(study_id) == {}
        assert storage.get_study_system_attrs(study_id) == {}

    def test_create_study_without_name_gets_a_unique_one(self, storage: BaseStorage) -> None:
        first = storage.create_new_study([MIN])
        second = storage.create_new_study([MIN])
        names = {storage.get_study_name_from_id(first), storage.get_study_name_from_id(second)}
        assert len(names) == 2
        assert all(name.startswith(DEFAULT_STUDY_NAME_PREFIX) for name in names)

    def test_duplicate_study_name_raises_and_keeps_the_first(self, storage: BaseStorage) -> None:
        study_id = storage.create_new_study([MIN], "dup")
        with pytest.raises(DuplicatedStudyError, match="dup"):
            storage.create_new_study([MAX], "dup")
        assert storage.get_study_directions(study_id) == [MIN]
        assert [s.study_name for s in storage.get_all_studies()] == ["dup"]

    def test_multi_objective_directions(self, storage: BaseStorage) -> None:
        study_id = storage.create_new_study([MAX, MIN, MAX], "mo")
        assert storage.get_study_directions(study_id) == [MAX, MIN, MAX]
        (frozen,) = storage.get_all_studies()
        assert frozen.directions == [MAX, MIN, MAX]

    def test_unknown_study_raises_study_not_found(self, storage: BaseStorage) -> None:
        with pytest.raises(StudyNotFoundError, match="nope"):
            storage.get_study_id_from_name("nope")
        unknown = 987_654
        for call in (
            lambda: storage.get_study_name_from_id(unknown),
            lambda: storage.get_study_directions(unknown),
            lambda: storage.get_study_user_attrs(unknown),
            lambda: storage.get_study_system_attrs(unknown),
            lambda: storage.delete_study(unknown),
            lambda: storage.create_new_trial(unknown),
            lambda: storage.get_all_trials(unknown),
            lambda: storage.set_study_user_attr(unknown, "k", 1),
        ):
            with pytest.raises(StudyNotFoundError):
                call()
        assert isinstance(StudyNotFoundError("x"), KeyError)

    def test_delete_study_removes_it_and_its_trials(self, storage: BaseStorage) -> None:
        keep = self._study(storage, "keep")
        gone = self._study(storage, "gone")
        self._finished(storage, keep, 1.0)
        trial_id = self._finished(storage, gone, 2.0)
        storage.delete_study(gone)
        assert [s.study_name for s in storage.get_all_studies()] == ["keep"]
        with pytest.raises(StudyNotFoundError):
            storage.get_study_id_from_name("gone")
        with pytest.raises(KeyError):
            storage.get_trial(trial_id)
        assert len(storage.get_all_trials(keep)) == 1
        again = self._study(storage, "gone")
        assert storage.get_all_trials(again) == []

    def test_study_attrs(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        storage.set_study_user_attr(study_id, "u", 1)
        storage.set_study_user_attr(study_id, "u", "replaced")
        storage.set_study_user_attr(study_id, "nested", NESTED_ATTR)
        storage.set_study_system_attr(study_id, "sys", [1, 2])
        assert storage.get_study_user_attrs(study_id) == {"u": "replaced", "nested": NESTED_ATTR}
        assert storage.get_study_system_attrs(study_id) == {"sys": [1, 2]}
        (frozen,) = storage.get_all_studies()
        assert frozen.user_attrs == {"u": "replaced", "nested": NESTED_ATTR}
        assert frozen.system_attrs == {"sys": [1, 2]}
        assert frozen._study_id == study_id

    def test_compare_and_set_study_system_attr(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        assert storage.compare_and_set_study_system_attr(study_id, "gen", None, {"n": 0, "v": [1.5]})
        assert not storage.compare_and_set_study_system_attr(study_id, "gen", None, {"n": 9})
        assert not storage.compare_and_set_study_system_attr(study_id, "gen", {"n": 1}, {"n": 9})
        assert storage.compare_and_set_study_system_attr(study_id, "gen", {"n": 0, "v": [1.5]}, {"n": 1})
        assert storage.get_study_system_attrs(study_id) == {"gen": {"n": 1}}
        with pytest.raises(StudyNotFoundError):
            storage.compare_and_set_study_system_attr(study_id + 1000, "gen", None, 1)

    def test_concurrent_compare_and_set_has_one_winner_per_value(self, storage: BaseStorage) -> None:
        if not self.supports_threads:
            pytest.skip("this storage is not shared between threads")
        study_id = self._study(storage)
        won: list[int] = []
        barrier = threading.Barrier(4)

        def advance(worker: int) -> None:
            barrier.wait()
            for _ in range(10):  # read, then advance by one: no two workers may advance from the same value
                current = storage.get_study_system_attrs(study_id).get("count")
                following = {"n": 0 if current is None else current["n"] + 1, "by": worker}
                if storage.compare_and_set_study_system_attr(study_id, "count", current, following):
                    won.append(following["n"])

        threads = [threading.Thread(target=advance, args=(worker,)) for worker in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(won) == list(range(len(won)))
        assert storage.get_study_system_attrs(study_id)["count"]["n"] == len(won) - 1

    def test_get_all_studies(self, storage: BaseStorage) -> None:
        assert storage.get_all_studies() == []
        ids = {self._study(storage, name) for name in ("a", "b", "c")}
        studies = storage.get_all_studies()
        assert sorted(s.study_name for s in studies) == ["a", "b", "c"]
        assert {s._study_id for s in studies} == ids

    # --- creating trials ---------------------------------------------------------------------------------

    def test_trial_numbers_count_per_study(self, storage: BaseStorage) -> None:
        a, b = self._study(storage, "a"), self._study(storage, "b")
        ids_a = [storage.create_new_trial(a) for _ in range(3)]
        ids_b = [storage.create_new_trial(b) for _ in range(2)]
        assert len(set(ids_a + ids_b)) == 5
        assert [storage.get_trial(i).number for i in ids_a] == [0, 1, 2]
        assert [storage.get_trial_number_from_id(i) for i in ids_b] == [0, 1]
        assert storage.get_trial_id_from_study_id_trial_number(a, 2) == ids_a[2]
        with pytest.raises(KeyError):
            storage.get_trial_id_from_study_id_trial_number(a, 3)

    def test_trials_from_a_number_are_the_tail_of_all_trials(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        ids = [storage.create_new_trial(study_id) for _ in range(5)]
        storage.set_trial_state_values(ids[1], TrialState.COMPLETE, [1.0])
        for first in (0, 2, 5, 9):
            count, tail = storage._get_trials_from(study_id, first)
            assert count == 5
            assert [(t.number, t.state) for t in tail] == [
                (t.number, t.state) for t in storage.get_all_trials(study_id)[first:]
            ]

    def test_new_trial_is_running_and_empty(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        before = datetime.datetime.now()
        trial = storage.get_trial(storage.create_new_trial(study_id))
        assert trial.state == TrialState.RUNNING
        assert trial.values is None
        assert trial.params == {} and trial.distributions == {}
        assert trial.user_attrs == {} and trial.system_attrs == {} and trial.intermediate_values == {}
        assert trial.datetime_complete is None
        assert trial.datetime_start is not None and trial.datetime_start.tzinfo is None
        assert abs((trial.datetime_start - before).total_seconds()) < 60

    def test_unknown_trial_raises_key_error(self, storage: BaseStorage) -> None:
        self._study(storage)
        with pytest.raises(KeyError):
            storage.get_trial(123_456)

    def test_template_waiting_trial(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        template = create_trial(
            state=TrialState.WAITING, system_attrs={"fixed_params": {"x": 1.0}}, user_attrs={"u": 1}
        )
        trial = storage.get_trial(storage.create_new_trial(study_id, template_trial=template))
        assert trial.number == 0
        assert trial.state == TrialState.WAITING
        assert trial.datetime_start is None and trial.datetime_complete is None
        assert trial.system_attrs == {"fixed_params": {"x": 1.0}} and trial.user_attrs == {"u": 1}

    def test_template_complete_trial(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        template = create_trial(
            value=3.5,
            params={"x": 1.25, "n": 7, "c": None},
            distributions={"x": X, "n": N, "c": C},
            user_attrs={"nested": NESTED_ATTR},
            system_attrs={"s": "t"},
            intermediate_values={0: 1.0, 3: math.inf, 5: -math.inf},
        )
        trial = storage.get_trial(storage.create_new_trial(study_id, template_trial=template))
        assert trial.state == TrialState.COMPLETE
        assert trial.values == [3.5]
        assert trial.params == {"x": 1.25, "n": 7, "c": None}
        assert trial.distributions == {"x": X, "n": N, "c": C}
        assert trial.user_attrs == {"nested": NESTED_ATTR} and trial.system_attrs == {"s": "t"}
        assert trial.intermediate_values == {0: 1.0, 3: math.inf, 5: -math.inf}
        assert trial.datetime_start is not None and trial.datetime_complete is not None
        assert abs((trial.datetime_complete - template.datetime_complete).total_seconds()) < 1e-3  # type: ignore[operator]
        assert storage.get_best_trial(study_id).number == 0

    def test_template_with_incompatible_kind_writes_nothing(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        storage.create_new_trial(
            study_id, template_trial=create_trial(value=1.0, params={"x": 1.0}, distributions={"x": X})
        )
        bad = create_trial(value=1.0, params={"x": 1}, distributions={"x": N})
        with pytest.raises(IncompatibleDistributionError):
            storage.create_new_trial(study_id, template_trial=bad)
        assert storage.get_n_trials(study_id) == 1
        assert storage.create_new_trial(study_id) == storage.get_trial_id_from_study_id_trial_number(study_id, 1)

    # --- parameters --------------------------------------------------------------------------------------

    def test_set_trial_params_batch(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        trial_id = storage.create_new_trial(study_id)
        storage.set_trial_params(trial_id, {"x": (0.5, X), "n": (42.0, N), "c": (2.0, C)})
        storage.set_trial_param(trial_id, "y", -1.5, X)
        trial = storage.get_trial(trial_id)
        assert trial.params == {"x": 0.5, "n": 42, "c": None, "y": -1.5}
        assert isinstance(trial.params["n"], int)
        assert trial.distributions == {"x": X, "n": N, "c": C, "y": X}
        assert storage.get_trial_param(trial_id, "c") == 2.0

    def test_param_distribution_is_what_the_study_recorded(self, storage: BaseStorage) -> None:
        study_id, other_study = self._study(storage), self._study(storage, "other")
        assert storage.get_param_distribution(study_id, "c") is None
        storage.set_trial_params(storage.create_new_trial(study_id), {"c": (1.0, C), "x": (0.5, X)})
        assert storage.get_param_distribution(study_id, "c") == C
        assert storage.get_param_distribution(study_id, "x") == X
        assert storage.get_param_distribution(other_study, "c") is None
        with pytest.raises(KeyError):
            storage.get_param_distribution(study_id + 1000, "c")

    def test_numeric_ranges_may_change_between_trials(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        first, second = storage.create_new_trial(study_id), storage.create_new_trial(study_id)
        storage.set_trial_params(first, {"x": (0.5, X)})
        storage.set_trial_params(second, {"x": (50.0, FloatDistribution(0.0, 100.0))})
        assert storage.get_trial(second).distributions["x"] == FloatDistribution(0.0, 100.0)

    @pytest.mark.parametrize(
        "other",
        [N, CategoricalDistribution(("adam", "sgd")), FloatDistribution(0.0, 1.0)],
        ids=["int-for-categorical", "other-choices", "float-for-categorical"],
    )
    def test_incompatible_kind_raises_and_writes_nothing(self, storage: BaseStorage, other: BaseDistribution) -> None:
        study_id = self._study(storage)
        first, second = storage.create_new_trial(study_id), storage.create_new_trial(study_id)
        storage.set_trial_params(first, {"c": (0.0, C)})
        with pytest.raises(IncompatibleDistributionError):
            storage.set_trial_params(second, {"ok": (1.0, X), "c": (0.0, other)})
        assert storage.get_trial(second).params == {}
        # `ok` was never written, so a later trial may still use it with any kind.
        storage.set_trial_params(second, {"ok": (1.0, N)})
        assert storage.get_trial(second).params == {"ok": 1}

    def test_incompatible_kind_in_final_write_keeps_the_trial_running(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        first, second = storage.create_new_trial(study_id), storage.create_new_trial(study_id)
        storage.set_trial_params(first, {"x": (0.5, X)})
        with pytest.raises(IncompatibleDistributionError):
            storage.set_trial_state_values(second, TrialState.COMPLETE, [1.0], params={"x": (1.0, N)})
        trial = storage.get_trial(second)
        assert trial.state == TrialState.RUNNING and trial.values is None and trial.params == {}

    # --- state transitions -------------------------------------------------------------------------------

    @pytest.mark.parametrize("state", FINISHED)
    def test_finish_trial(self, storage: BaseStorage, state: TrialState) -> None:
        study_id = self._study(storage)
        trial_id = storage.create_new_trial(study_id)
        values = None if state == TrialState.FAIL else [2.0]
        assert storage.set_trial_state_values(trial_id, state, values)
        trial = storage.get_trial(trial_id)
        assert trial.state == state and trial.values == values
        assert trial.datetime_complete is not None and trial.datetime_start is not None
        assert trial.datetime_complete >= trial.datetime_start

    def test_finish_with_params_is_one_write(self, storage: BaseStorage) -> None:
        study_id = self._study(storage, directions=(MIN, MAX))
        trial_id = storage.create_new_trial(study_id)
        storage.set_trial_params(trial_id, {"x": (1.0, X)})
        assert storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [1.0, -2.0], params={"n": (3.0, N)})
        trial = storage.get_trial(trial_id)
        assert trial.state == TrialState.COMPLETE and trial.values == [1.0, -2.0]
        assert trial.params == {"x": 1.0, "n": 3}

    def test_end_and_start_next_creates_the_next_trial_or_nothing(self, storage: BaseStorage) -> None:
        # Storages may end the trial and start the next in one write, or only end it (and return None).
        study_id = self._study(storage)
        first = storage.create_new_trial(study_id)
        started = storage._end_trial_and_start_next(first, TrialState.COMPLETE, [1.5], {"x": (0.5, X)})
        ended = storage.get_trial(first)
        assert ended.state == TrialState.COMPLETE and ended.value == 1.5 and ended.params == {"x": 0.5}
        trials = storage.get_all_trials(study_id)
        if started is None:
            assert [t.number for t in trials] == [0]
            started = storage.create_new_trial(study_id)
        else:
            assert [(t.number, t.state) for t in trials] == [(0, TrialState.COMPLETE), (1, TrialState.RUNNING)]
        assert storage.get_trial(started).number == 1
        storage.set_trial_params(started, {"x": (0.25, X)})  # the new trial belongs to the caller
        # While a WAITING trial waits to be claimed, no trial is started: the caller's next ask claims it.
        waiting = storage.create_new_trial(study_id, template_trial=create_trial(state=TrialState.WAITING))
        assert storage._end_trial_and_start_next(started, TrialState.PRUNED, None, None) is None
        assert [t.number for t in storage.get_all_trials(study_id)] == [0, 1, 2]
        assert storage.get_trial(waiting).state == TrialState.WAITING
        # Ending a finished trial changes nothing and starts nothing.
        with pytest.raises(UpdateFinishedTrialError):
            storage._end_trial_and_start_next(first, TrialState.FAIL, None, None)
        assert [t.number for t in storage.get_all_trials(study_id)] == [0, 1, 2]

    def test_waiting_to_running_claim(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        trial_id = storage.create_new_trial(study_id, template_trial=create_trial(state=TrialState.WAITING))
        assert storage.set_trial_state_values(trial_id, TrialState.RUNNING)
        trial = storage.get_trial(trial_id)
        assert trial.state == TrialState.RUNNING and trial.datetime_start is not None
        assert not storage.set_trial_state_values(trial_id, TrialState.RUNNING)
        assert storage.get_trial(trial_id).state == TrialState.RUNNING
        plain = storage.create_new_trial(study_id)
        assert not storage.set_trial_state_values(plain, TrialState.RUNNING)

    def test_concurrent_claims_have_one_winner(self, storage: BaseStorage) -> None:
        if not self.supports_threads:
            pytest.skip("this storage is not shared between threads")
        study_id = self._study(storage)
        trial_id = storage.create_new_trial(study_id, template_trial=create_trial(state=TrialState.WAITING))
        results: list[bool] = []
        barrier = threading.Barrier(6)

        def claim() -> None:
            barrier.wait()
            results.append(storage.set_trial_state_values(trial_id, TrialState.RUNNING))

        threads = [threading.Thread(target=claim) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == [False] * 5 + [True]

    def test_fail_stale_trial_adds_its_retry(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        stale = storage.create_new_trial(study_id)
        storage.set_trial_params(stale, {"x": (0.5, X)})
        self._finished(storage, study_id, 1.0)
        retry = create_trial(
            state=TrialState.WAITING, params={"x": 0.5}, distributions={"x": X}, system_attrs={"retry_of": 0}
        )
        retry_id = storage.fail_stale_trial(study_id, stale, retry)
        failed = storage.get_trial(stale)
        assert failed.state == TrialState.FAIL and failed.datetime_complete is not None
        assert retry_id is not None
        added = storage.get_trial(retry_id)
        assert added.number == 2 and added.state == TrialState.WAITING
        assert added.params == {"x": 0.5} and added.system_attrs == {"retry_of": 0}
        assert storage.claim_waiting_trial(study_id) == retry_id
        assert storage.fail_stale_trial(study_id, storage.create_new_trial(study_id)) is None
        assert storage.get_n_trials(study_id, TrialState.FAIL) == 2

    def test_fail_stale_trial_is_one_write(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        done = self._finished(storage, study_id, 1.0)
        with pytest.raises(UpdateFinishedTrialError):
            storage.fail_stale_trial(study_id, done, create_trial(state=TrialState.WAITING))
        assert storage.get_n_trials(study_id) == 1
        # A retry that cannot be added leaves the stale trial RUNNING: the failure is not written without it.
        stale = storage.create_new_trial(study_id)
        storage.set_trial_params(stale, {"x": (0.5, X)})
        bad = create_trial(state=TrialState.WAITING, params={"x": 1}, distributions={"x": N})
        with pytest.raises(IncompatibleDistributionError):
            storage.fail_stale_trial(study_id, stale, bad)
        assert storage.get_trial(stale).state == TrialState.RUNNING
        assert storage.get_n_trials(study_id) == 2

    def test_concurrent_fail_stale_trial_has_one_winner(self, storage: BaseStorage) -> None:
        if not self.supports_threads:
            pytest.skip("this storage is not shared between threads")
        study_id = self._study(storage)
        stale = storage.create_new_trial(study_id)
        won: list[int | None] = []
        barrier = threading.Barrier(6)

        def reap() -> None:
            barrier.wait()
            with contextlib.suppress(UpdateFinishedTrialError):  # the reapers that lost the race
                won.append(storage.fail_stale_trial(study_id, stale, create_trial(state=TrialState.WAITING)))

        threads = [threading.Thread(target=reap) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(won) == 1
        assert [t.state for t in storage.get_all_trials(study_id)] == [TrialState.FAIL, TrialState.WAITING]

    def test_claim_waiting_trial_takes_the_oldest(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        assert storage.claim_waiting_trial(study_id) is None
        storage.create_new_trial(study_id)
        waiting = [
            storage.create_new_trial(study_id, template_trial=create_trial(state=TrialState.WAITING)) for _ in range(2)
        ]
        assert storage.claim_waiting_trial(study_id) == waiting[0]
        assert storage.claim_waiting_trial(study_id) == waiting[1]
        assert storage.claim_waiting_trial(study_id) is None
        assert storage.get_n_trials(study_id, TrialState.RUNNING) == 3

    @pytest.mark.parametrize("state", FINISHED)
    def test_finished_trials_are_read_only(self, storage: BaseStorage, state: TrialState) -> None:
        study_id = self._study(storage)
        trial_id = self._finished(storage, study_id, 1.0, state)
        before = storage.get_trial(trial_id)
        writes: list[Callable[[], object]] = [
            lambda: storage.set_trial_params(trial_id, {"x": (1.0, X)}),
            lambda: storage.set_trial_param(trial_id, "x", 1.0, X),
            lambda: storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [5.0]),
            lambda: storage.set_trial_state_values(trial_id, TrialState.RUNNING),
            lambda: storage.set_trial_state_values(trial_id, TrialState.FAIL),
            lambda: storage.set_trial_intermediate_value(trial_id, 1, 1.0),
            lambda: storage.set_trial_user_attr(trial_id, "k", 1),
            lambda: storage.set_trial_system_attr(trial_id, "k", 1),
        ]
        for write in writes:
            with pytest.raises(UpdateFinishedTrialError):
                write()
        assert storage.get_trial(trial_id) == before
        with pytest.raises(UpdateFinishedTrialError):
            storage.check_trial_is_updatable(trial_id, state)

    # --- concurrency -------------------------------------------------------------------------------------

    def test_threads_get_unique_gap_free_numbers(self, storage: BaseStorage) -> None:
        if not self.supports_threads:
            pytest.skip("this storage is not shared between threads")
        study_id = self._study(storage)
        n_threads, per_thread = 8, 50
        made: list[int] = []
        errors: list[BaseException] = []
        lock = threading.Lock()

        def work() -> None:
            try:
                for i in range(per_thread):
                    trial_id = storage.create_new_trial(study_id)
                    storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [float(i)], params={"x": (0.5, X)})
                    with lock:
                        made.append(trial_id)
            except BaseException as err:  # noqa: BLE001 - reported by the assertion below
                errors.append(err)

        threads = [threading.Thread(target=work) for _ in range(n_threads)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        trials = storage.get_all_trials(study_id)
        assert [t.number for t in trials] == list(range(n_threads * per_thread))
        assert sorted(t._trial_id for t in trials) == sorted(made)
        assert all(t.state == TrialState.COMPLETE and t.params == {"x": 0.5} for t in trials)

    def test_returned_trials_are_frozen_trials(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        self._finished(storage, study_id, 1.0)
        assert all(isinstance(t, FrozenTrial) for t in storage.get_all_trials(study_id))

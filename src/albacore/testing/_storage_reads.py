"""The reading part of the storage contract: attributes and reports, whole trials, parts of trials, copies.

:class:`~albacore.testing.StorageTestCase` derives from :class:`ReadContract`; see there.
"""

from __future__ import annotations

import math
import pickle
import warnings

import pytest

from albacore._study_records import StudyDirection
from albacore.exceptions import UpdateFinishedTrialError
from albacore.storages._base import BaseStorage
from albacore.storages._heartbeat import is_heartbeat_enabled
from albacore.testing._storage_base import MAX, MIN, NESTED_ATTR, C, StorageSuiteBase, X
from albacore.trial._frozen import create_trial
from albacore.trial._state import TrialState

__all__ = ["ReadContract"]


class ReadContract(StorageSuiteBase):
    """Reading what was written: attributes, reports, whole trials and their parts."""

    # --- intermediate values and attributes --------------------------------------------------------------

    def test_intermediate_values(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        trial_id = storage.create_new_trial(study_id)
        for step, value in [(0, 0.5), (1, math.inf), (2, -math.inf), (3, math.nan), (10**10, -0.0), (1, 7.0)]:
            storage.set_trial_intermediate_value(trial_id, step, value)
        stored = storage.get_trial(trial_id).intermediate_values
        assert set(stored) == {0, 1, 2, 3, 10**10}
        assert stored[0] == 0.5 and stored[1] == 7.0 and stored[2] == -math.inf and math.isnan(stored[3])
        assert storage.get_trial(trial_id).last_step == 10**10

    def test_trial_attrs_round_trip_json(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        trial_id = storage.create_new_trial(study_id)
        storage.set_trial_user_attr(trial_id, "nested", NESTED_ATTR)
        storage.set_trial_user_attr(trial_id, "n", 1)
        storage.set_trial_user_attr(trial_id, "n", 2)
        storage.set_trial_system_attr(trial_id, "clé", {"a": [1.5, None]})
        trial = storage.get_trial(trial_id)
        assert trial.user_attrs == {"nested": NESTED_ATTR, "n": 2}
        assert trial.system_attrs == {"clé": {"a": [1.5, None]}}

    # --- reading trials ----------------------------------------------------------------------------------

    def test_get_all_trials_order_and_states(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        complete = self._finished(storage, study_id, 1.0)
        running = storage.create_new_trial(study_id)
        pruned = self._finished(storage, study_id, 2.0, TrialState.PRUNED)
        waiting = storage.create_new_trial(study_id, template_trial=create_trial(state=TrialState.WAITING))
        failed = self._finished(storage, study_id, 0.0, TrialState.FAIL)
        trials = storage.get_all_trials(study_id)
        assert [t.number for t in trials] == [0, 1, 2, 3, 4]
        assert [t._trial_id for t in trials] == [complete, running, pruned, waiting, failed]
        only = storage.get_all_trials(study_id, states=(TrialState.COMPLETE, TrialState.WAITING))
        assert [t._trial_id for t in only] == [complete, waiting]
        assert storage.get_all_trials(study_id, deepcopy=False, states=()) == []
        assert storage.get_n_trials(study_id) == 5
        assert storage.get_n_trials(study_id, TrialState.FAIL) == 1
        assert storage.get_n_trials(study_id, (TrialState.RUNNING, TrialState.PRUNED)) == 2

    def test_get_all_trials_deepcopy_is_independent(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        trial_id = storage.create_new_trial(study_id)
        storage.set_trial_user_attr(trial_id, "list", [1, 2])
        storage.set_trial_params(trial_id, {"x": (1.0, X)})
        storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [1.0])
        copy = storage.get_all_trials(study_id, deepcopy=True)[0]
        copy.user_attrs["list"].append(3)
        copy.params["x"] = 99.0
        copy.user_attrs["new"] = True
        fresh = storage.get_all_trials(study_id)[0]
        assert fresh.user_attrs == {"list": [1, 2]} and fresh.params == {"x": 1.0}
        assert storage.get_trial(trial_id) == fresh

    def test_trials_see_later_writes(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        trial_id = storage.create_new_trial(study_id)
        assert storage.get_all_trials(study_id)[0].state == TrialState.RUNNING
        storage.set_trial_user_attr(trial_id, "k", "v")
        assert storage.get_all_trials(study_id)[0].user_attrs == {"k": "v"}
        storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [3.0])
        storage.create_new_trial(study_id)
        trials = storage.get_all_trials(study_id)
        assert [t.state for t in trials] == [TrialState.COMPLETE, TrialState.RUNNING]
        assert trials[0].values == [3.0] and trials[0].user_attrs == {"k": "v"}

    @pytest.mark.parametrize("direction", [MIN, MAX])
    def test_get_best_trial(self, storage: BaseStorage, direction: StudyDirection) -> None:
        study_id = self._study(storage, directions=(direction,))
        with pytest.raises(ValueError):
            storage.get_best_trial(study_id)
        for value in (3.0, -1.0, 7.0, 2.0):
            self._finished(storage, study_id, value)
        self._finished(storage, study_id, -100.0, TrialState.PRUNED)
        self._finished(storage, study_id, 0.0, TrialState.FAIL)
        best = storage.get_best_trial(study_id)
        assert best.values == ([-1.0] if direction == MIN else [7.0])

    def test_get_best_trial_of_multi_objective_study_raises(self, storage: BaseStorage) -> None:
        study_id = self._study(storage, directions=(MIN, MAX))
        with pytest.raises(RuntimeError):
            storage.get_best_trial(study_id)

    def test_floats_round_trip_exactly(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        values = [0.1, 1e-300, -1.7976931348623157e308, 2.2250738585072014e-308, 123456789.123456789]
        ids = [self._finished(storage, study_id, v) for v in values]
        assert [storage.get_trial(i).values for i in ids] == [[v] for v in values]
        trial_id = storage.create_new_trial(study_id)
        storage.set_trial_params(trial_id, {"x": (0.1 + 0.2, X)})
        assert storage.get_trial(trial_id).params["x"] == 0.1 + 0.2

    def test_parts_of_a_trial_read_alone(self, storage: BaseStorage) -> None:
        study_id = self._study(storage)
        trial_id = storage.create_new_trial(study_id)
        storage.set_trial_params(trial_id, {"x": (0.5, X), "c": (1.0, C)})
        storage.set_trial_user_attr(trial_id, "u", [1, 2])
        storage.set_trial_system_attr(trial_id, "s", {"k": None})
        assert storage.get_trial_params(trial_id) == {"x": 0.5, "c": "sgd"}
        assert storage.get_trial_user_attrs(trial_id) == {"u": [1, 2]}
        assert storage.get_trial_system_attrs(trial_id) == {"s": {"k": None}}
        # What they return is the caller's own: changing it changes nothing stored.
        storage.get_trial_params(trial_id)["x"] = 9.0
        storage.get_trial_user_attrs(trial_id)["new"] = 1
        storage.get_trial_system_attrs(trial_id).clear()
        trial = storage.get_trial(trial_id)
        assert (trial.params, trial.user_attrs, trial.system_attrs) == (
            {"x": 0.5, "c": "sgd"},
            {"u": [1, 2]},
            {"s": {"k": None}},
        )
        for read in (storage.get_trial_params, storage.get_trial_user_attrs, storage.get_trial_system_attrs):
            with pytest.raises(KeyError):
                read(123_456)

    def test_a_pickled_storage_reads_the_same_studies(self, storage: BaseStorage) -> None:
        study_id = self._study(storage, "pickled")
        storage.set_study_system_attr(study_id, "key", "value")
        self._finished(storage, study_id, 1.5)
        restored = pickle.loads(pickle.dumps(storage))
        try:
            assert restored.get_study_id_from_name("pickled") == study_id
            assert restored.get_study_system_attrs(study_id) == {"key": "value"}
            assert [t.values for t in restored.get_all_trials(study_id)] == [[1.5]]
        finally:
            restored.close()

    def test_heartbeat_interface_with_heartbeats_off(self, storage: BaseStorage) -> None:
        assert not is_heartbeat_enabled(storage)
        assert storage.get_heartbeat_interval() is None and storage.get_heartbeat_stale_trial_callback() is None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert storage.get_failed_trial_callback() is None
        assert [w.category for w in caught] == [FutureWarning]
        study_id = self._study(storage)
        running = storage.create_new_trial(study_id)
        storage.record_heartbeat(running)  # a running trial may always beat, heartbeats on or off
        assert storage.get_stale_trial_ids(study_id) == []
        done = self._finished(storage, study_id, 1.0)
        with pytest.raises(UpdateFinishedTrialError):
            storage.record_heartbeat(done)

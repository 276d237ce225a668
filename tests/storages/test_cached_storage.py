"""_CachedStorage: what it reads from the database (only what changed) and that clients see each other."""

from __future__ import annotations

import pathlib
from typing import Any

import pytest

import albacore
from albacore.distributions import FloatDistribution
from albacore.storages import RDBStorage
from albacore.storages._cached import _CachedStorage
from albacore.study import StudyDirection
from albacore.trial import TrialState, create_trial

X = FloatDistribution(0, 1)


@pytest.fixture
def url(tmp_path: pathlib.Path) -> str:
    return f"sqlite:///{tmp_path / 'cache.db'}"


class _Spy:
    """Records the arguments of the backend's trial reads."""

    def __init__(self, storage: _CachedStorage) -> None:
        self.reads: list[dict[str, Any]] = []
        self.gets: list[int] = []
        backend = storage.backend
        read, get = backend._read_trials, backend.get_trial

        def spy_read(study_id: int, **kwargs: Any) -> Any:
            found = read(study_id, **kwargs)
            self.reads.append({**kwargs, "returned": [t.number for t in found]})
            return found

        def spy_get(trial_id: int) -> Any:
            self.gets.append(trial_id)
            return get(trial_id)

        backend._read_trials = spy_read  # type: ignore[method-assign]
        backend.get_trial = spy_get  # type: ignore[method-assign]


def test_only_new_and_unfinished_trials_are_read_again(url: str) -> None:
    writer = _CachedStorage(RDBStorage(url))
    reader = _CachedStorage(RDBStorage(url))
    spy = _Spy(reader)
    study_id = writer.create_new_study([StudyDirection.MINIMIZE], "s")
    done = [writer.create_new_trial(study_id) for _ in range(3)]
    for trial_id in done:
        writer.set_trial_state_values(trial_id, TrialState.COMPLETE, [1.0], params={"x": (0.5, X)})
    running = writer.create_new_trial(study_id)

    assert [t.state for t in reader.get_all_trials(study_id)] == [TrialState.COMPLETE] * 3 + [TrialState.RUNNING]
    assert spy.reads[-1]["after_number"] == -1

    writer.set_trial_user_attr(running, "progress", 1)
    new = writer.create_new_trial(study_id)
    trials = reader.get_all_trials(study_id, deepcopy=False)
    assert trials[3].user_attrs == {"progress": 1} and trials[4]._trial_id == new
    assert spy.reads[-1]["after_number"] == 3 and spy.reads[-1]["trial_ids"] == [running]
    assert spy.reads[-1]["returned"] == [3, 4]

    writer.set_trial_state_values(running, TrialState.PRUNED, [0.1])
    writer.set_trial_state_values(new, TrialState.FAIL)
    reader.get_all_trials(study_id)
    assert reader.get_all_trials(study_id, states=(TrialState.PRUNED,))[0].values == [0.1]
    assert spy.reads[-1]["after_number"] == 4 and spy.reads[-1]["trial_ids"] == []
    assert spy.reads[-1]["returned"] == []
    assert reader.get_n_trials(study_id) == 5
    assert reader.get_trial(done[0]).params == {"x": 0.5}
    assert spy.gets == []  # finished trials come from memory


def test_own_running_trial_is_written_through(url: str) -> None:
    storage = _CachedStorage(RDBStorage(url))
    spy = _Spy(storage)
    study_id = storage.create_new_study([StudyDirection.MAXIMIZE], "s")
    trial_id = storage.create_new_trial(study_id)
    storage.set_trial_params(trial_id, {"x": (0.25, X)})
    storage.set_trial_intermediate_value(trial_id, 3, 0.5)
    storage.set_trial_user_attr(trial_id, "u", [1])
    storage.set_trial_system_attr(trial_id, "s", "v")
    live = storage.get_trial(trial_id)
    assert (live.params, live.intermediate_values, live.user_attrs, live.system_attrs) == (
        {"x": 0.25},
        {3: 0.5},
        {"u": [1]},
        {"s": "v"},
    )
    assert storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [2.0], params={"y": (0.75, X)})
    finished = storage.get_trial(trial_id)
    assert spy.gets == []
    stored = RDBStorage(url).get_trial(trial_id)
    assert finished == stored
    assert storage.get_best_trial(study_id) is finished


def test_waiting_trials_are_claimed_by_one_client(url: str) -> None:
    first, second = _CachedStorage(RDBStorage(url)), _CachedStorage(RDBStorage(url))
    study_id = first.create_new_study([StudyDirection.MINIMIZE], "s")
    waiting = first.create_new_trial(study_id, template_trial=create_trial(state=TrialState.WAITING))
    assert first.get_all_trials(study_id)[0].state == TrialState.WAITING
    assert second.claim_waiting_trial(study_id) == waiting
    assert first.claim_waiting_trial(study_id) is None
    assert first.get_all_trials(study_id)[0].state == TrialState.RUNNING
    assert second.get_trial(waiting).state == TrialState.RUNNING


def test_deleted_study_is_forgotten(url: str) -> None:
    storage = _CachedStorage(RDBStorage(url))
    study_id = storage.create_new_study([StudyDirection.MINIMIZE], "s")
    trial_id = storage.create_new_trial(study_id)
    storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [1.0])
    storage.get_all_trials(study_id)
    storage.delete_study(study_id)
    with pytest.raises(KeyError):
        storage.get_trial(trial_id)
    with pytest.raises(albacore.exceptions.StudyNotFoundError):
        storage.get_all_trials(study_id)


def test_study_trials_through_the_public_api(url: str) -> None:
    study = albacore.create_study(storage=url, study_name="api")
    study.enqueue_trial({"x": 0.5})
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=4)
    other = albacore.load_study(study_name="api", storage=url)
    assert other.trials[0].params["x"] == 0.5
    assert [t.number for t in other.trials] == [0, 1, 2, 3]
    assert other.best_trial.value == min(t.value for t in study.trials if t.value is not None)


def test_stale_trial_failed_by_another_worker(url: str) -> None:
    from albacore.storages._heartbeat import HEARTBEAT_ATTR, fail_stale_trials

    worker = _CachedStorage(RDBStorage(url, heartbeat_interval=1, grace_period=5))
    assert worker.get_heartbeat_config() is not None
    study = albacore.create_study(storage=worker, study_name="hb")
    trial_id = worker.create_new_trial(study._study_id)
    worker.set_trial_system_attr(trial_id, HEARTBEAT_ATTR, 0.0)  # silent since 1970

    reaper = albacore.load_study(study_name="hb", storage=RDBStorage(url, heartbeat_interval=1, grace_period=5))
    assert fail_stale_trials(reaper) == [0]
    with pytest.raises(albacore.exceptions.UpdateFinishedTrialError):
        worker.set_trial_user_attr(trial_id, "late", True)
    assert worker.get_trial(trial_id).state == TrialState.FAIL
    assert fail_stale_trials(reaper) == []

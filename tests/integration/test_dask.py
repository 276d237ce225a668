"""DaskStorage on a real LocalCluster: the storage contract, studies shared by Dask tasks, JSON on the wire.

Every test runs on two in-process clusters: an ``inproc://`` one, where the calls go through Dask's comm, and a
``tcp://`` one, where they go through the channel beside it (``test_dask_channel.py`` tests the channel itself).
"""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import pytest

import albacore
from albacore.exceptions import DuplicatedStudyError, StudyNotFoundError
from albacore.storages import BaseStorage, InMemoryStorage
from albacore.testing import StorageTestCase

distributed = pytest.importorskip("distributed")

from albacore.integration.dask import DaskStorage  # noqa: E402


@pytest.fixture(scope="module", params=["inproc", "tcp"])
def client(request: pytest.FixtureRequest) -> Iterator[Any]:
    """One in-process cluster per transport for the module (starting a cluster is the slow part)."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=2, processes=False, protocol=f"{request.param}://", dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as dask_client,
    ):
        yield dask_client


def test_calls_take_the_channel_beside_a_tcp_scheduler_and_dask_otherwise(client: Any) -> None:
    storage = DaskStorage(client=client)
    expected = "channel" if client.scheduler.address.startswith("tcp://") else "dask"
    assert storage._remote.transport() == expected


class TestDaskStorage(StorageTestCase):
    @pytest.fixture(autouse=True)
    def _client(self, client: Any) -> None:
        self.client = client

    def storage_factory(self) -> BaseStorage:
        return DaskStorage(client=self.client)


class TestDaskStorageOverSQLite(TestDaskStorage):
    @pytest.fixture(autouse=True)
    def _database(self, tmp_path: Any) -> None:
        self.url = f"sqlite:///{tmp_path / 'dask.db'}"

    def storage_factory(self) -> BaseStorage:
        return DaskStorage(self.url, client=self.client)


def objective(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    choice = trial.suggest_categorical("c", ["a", None, 1.5])
    trial.report(x, 0)
    return x * x + (0.0 if choice is None else 1.0)


def test_tasks_on_workers_share_one_study(client: Any) -> None:
    study = albacore.create_study(storage=DaskStorage(client=client), sampler=albacore.samplers.RandomSampler(seed=0))
    futures = [client.submit(study.optimize, objective, n_trials=15, pure=False) for _ in range(4)]
    distributed.wait(futures)
    for future in futures:
        future.result()
    trials = study.trials
    assert sorted(t.number for t in trials) == list(range(60))
    assert all(t.state == albacore.trial.TrialState.COMPLETE for t in trials)
    assert {t.params["c"] for t in trials} <= {"a", None, 1.5}
    assert study.best_value == min(t.value for t in trials)


def test_two_clients_of_one_name_share_the_storage(client: Any) -> None:
    first = DaskStorage(client=client, name="shared-by-name")
    random = albacore.samplers.RandomSampler(seed=0)
    albacore.create_study(storage=first, study_name="s", sampler=random).optimize(objective, n_trials=3)
    second = DaskStorage(client=client, name="shared-by-name", register=False)
    assert len(albacore.load_study(study_name="s", storage=second).trials) == 3
    again = DaskStorage(InMemoryStorage(), client=client, name="shared-by-name")  # a taken name is kept
    assert len(albacore.load_study(study_name="s", storage=again).trials) == 3
    with pytest.raises(DuplicatedStudyError):
        albacore.create_study(storage=again, study_name="s")


def test_unknown_name_without_register_says_how_to_fix(client: Any) -> None:
    storage = DaskStorage(client=client, name="never-registered", register=False)
    with pytest.raises(StudyNotFoundError, match="register=True"):
        storage.get_all_studies()


def test_pickled_storage_finds_the_current_client(client: Any) -> None:
    storage = DaskStorage(client=client)
    storage.create_new_study([albacore.study.StudyDirection.MINIMIZE], "p")
    restored = pickle.loads(pickle.dumps(storage))
    assert restored.name == storage.name
    assert [s.study_name for s in restored.get_all_studies()] == ["p"]


def test_get_base_storage_and_heartbeat_settings_travel(client: Any) -> None:
    callback = albacore.storages.RetryHeartbeatStaleTrialCallback(max_retry=2)
    storage = DaskStorage(InMemoryStorage(heartbeat_interval=5, heartbeat_stale_trial_callback=callback), client=client)
    storage.create_new_study([albacore.study.StudyDirection.MINIMIZE], "hb")
    assert [s.study_name for s in storage.get_base_storage().get_all_studies()] == ["hb"]
    assert storage.get_heartbeat_interval() == 5
    other = DaskStorage(client=client, name=storage.name, register=False)
    config = other.get_heartbeat_config()
    assert config is not None and config.interval == 5 and config.grace_period == 10
    assert isinstance(config.stale_trial_callback, albacore.storages.RetryHeartbeatStaleTrialCallback)
    assert config.stale_trial_callback._max_retry == 2


def test_requests_are_json(client: Any) -> None:
    # What reaches the scheduler's handler is JSON text: a request carrying an object that JSON cannot hold is
    # refused before it is sent, so no pickle can ride along.
    storage = DaskStorage(client=client)
    study_id = storage.create_new_study([albacore.study.StudyDirection.MINIMIZE], "j")
    with pytest.raises(TypeError):
        storage.set_study_user_attr(study_id, "k", object())


def test_bad_arguments_are_refused(client: Any) -> None:
    with pytest.raises(TypeError, match="storage"):
        DaskStorage(42, client=client)  # type: ignore[arg-type]


def test_optimize_on_the_dask_executor_keeps_callbacks_here(client: Any) -> None:
    study = albacore.create_study(storage=DaskStorage(client=client), sampler=albacore.samplers.RandomSampler(seed=0))
    seen: list[int] = []
    study.optimize(
        objective, n_trials=20, executor=client.get_executor(), callbacks=[lambda s, t: seen.append(t.number)]
    )
    assert sorted(seen) == list(range(20))
    assert [t.state for t in study.trials] == [albacore.trial.TrialState.COMPLETE] * 20


def test_an_in_memory_study_on_the_dask_executor_is_refused(client: Any) -> None:
    study = albacore.create_study()
    with pytest.raises(albacore.exceptions.InvalidArgumentError, match="DaskStorage"):
        study.optimize(objective, n_trials=2, executor=client.get_executor())


@pytest.mark.parametrize("protocol", ["inproc", "tcp"])
def test_a_scheduler_that_goes_away_ends_optimize_clearly_and_a_url_keeps_the_trials(
    tmp_path: Any, protocol: str
) -> None:
    url = f"sqlite:///{tmp_path / 'kept.db'}"
    cluster = distributed.LocalCluster(n_workers=1, processes=False, protocol=f"{protocol}://", dashboard_address=":0")
    client = distributed.Client(cluster)
    try:
        storage = DaskStorage(url, client=client)
        study = albacore.create_study(storage=storage, study_name="k", sampler=albacore.samplers.RandomSampler())
        study.optimize(objective, n_trials=3)
    finally:
        cluster.close()
    with pytest.raises(albacore.exceptions.StorageInternalError, match="cannot be reached"):
        study.optimize(objective, n_trials=3)
    client.close()
    kept = albacore.load_study(study_name="k", storage=url).trials
    assert [t.state for t in kept] == [albacore.trial.TrialState.COMPLETE] * 3

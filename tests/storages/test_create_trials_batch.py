"""``BaseStorage._create_trials``: copies of many trials in one write, all of them or none."""

from __future__ import annotations

import datetime
import pathlib
import uuid
from collections.abc import Callable

import pytest

from albacore.distributions import FloatDistribution, IntDistribution
from albacore.exceptions import IncompatibleDistributionError
from albacore.storages import BaseStorage, InMemoryStorage, JournalStorage, get_storage
from albacore.storages.journal import JournalFileBackend
from albacore.study import StudyDirection
from albacore.trial import FrozenTrial, TrialState, create_trial


@pytest.fixture(params=["memory", "sqlite", "journal", "postgresql", "mysql"])
def make_storage(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Callable[[], BaseStorage]:
    memory = InMemoryStorage()  # "another client" of memory is the same object

    def make() -> BaseStorage:
        if request.param == "memory":
            return memory
        if request.param == "sqlite":
            return get_storage(f"sqlite:///{tmp_path / 'batch.db'}")
        if request.param in ("postgresql", "mysql"):
            # One database per test session and server (conftest.py); each test uses its own study name.
            return get_storage(
                request.getfixturevalue("postgres_url" if request.param == "postgresql" else "mysql_url")
            )
        return JournalStorage(JournalFileBackend(str(tmp_path / "batch.log")))

    return make


def _trial(
    value: float, dist: FloatDistribution | IntDistribution, state: TrialState = TrialState.COMPLETE
) -> FrozenTrial:
    x = 1 if isinstance(dist, IntDistribution) else 0.5
    return create_trial(
        state=state, value=value if state == TrialState.COMPLETE else None, params={"x": x}, distributions={"x": dist}
    )


def test_batch_is_numbered_in_order_and_seen_by_a_new_client(make_storage: Callable[[], BaseStorage]) -> None:
    storage = make_storage()
    name = f"batch-{uuid.uuid4().hex}"
    study_id = storage.create_new_study([StudyDirection.MINIMIZE], name)
    storage.create_new_trial(study_id)
    templates = [_trial(float(i), FloatDistribution(0, 1)) for i in range(3)]
    templates.append(_trial(0.0, FloatDistribution(0, 2), TrialState.WAITING))
    ids = storage._create_trials(study_id, templates)
    assert len(set(ids)) == 4
    for other in (storage, make_storage()):
        trials = other.get_all_trials(other.get_study_id_from_name(name))
        assert [t.number for t in trials] == [0, 1, 2, 3, 4]
        assert [t.value for t in trials[1:4]] == [0.0, 1.0, 2.0]
        assert trials[4].state == TrialState.WAITING
        assert isinstance(trials[1].datetime_start, datetime.datetime)


def test_an_incompatible_template_writes_nothing(make_storage: Callable[[], BaseStorage]) -> None:
    storage = make_storage()
    study_id = storage.create_new_study([StudyDirection.MINIMIZE], f"batch-{uuid.uuid4().hex}")
    within = [_trial(1.0, FloatDistribution(0, 1)), _trial(2.0, IntDistribution(0, 3))]
    with pytest.raises(IncompatibleDistributionError):
        storage._create_trials(study_id, within)
    storage._create_trials(study_id, [_trial(1.0, FloatDistribution(0, 1))])
    against_study = [_trial(3.0, FloatDistribution(0, 5)), _trial(4.0, IntDistribution(0, 3))]
    with pytest.raises(IncompatibleDistributionError):
        storage._create_trials(study_id, against_study)
    assert [t.value for t in make_storage().get_all_trials(study_id)] == [1.0]

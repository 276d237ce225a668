"""Journal storage shared by real processes: no lost or duplicated trials, exclusive claims, stale locks.

RELIABILITY promise 1 for the journal (file with each kind of lock, and Redis), and the stale-lock recovery
of promise 3.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import pathlib
import socket
import time
from collections.abc import Callable

import pytest

import albacore
from albacore.storages import BaseStorage, JournalStorage
from albacore.storages.journal import (
    BaseJournalFileLock,
    JournalFileBackend,
    JournalFileOpenLock,
    JournalFileSymlinkLock,
    JournalRedisBackend,
)
from albacore.trial import TrialState

N_PROCESSES = 8
N_TRIALS = 100
LOCKS: dict[str, Callable[[str], BaseJournalFileLock | None]] = {
    "flock": lambda path: None,
    "open": JournalFileOpenLock,
    "symlink": JournalFileSymlinkLock,
}


def _storage(kind: str, where: str) -> BaseStorage:
    if kind == "redis":
        url, prefix = where.split(" ", 1)
        return JournalStorage(JournalRedisBackend(url, prefix=prefix))
    return JournalStorage(JournalFileBackend(where, lock_obj=LOCKS[kind](where)))


def _objective(trial: albacore.Trial) -> float:
    return (
        trial.suggest_float("x", -1, 1) ** 2
        + trial.suggest_int("n", 0, 3)
        + len(trial.suggest_categorical("c", ["a", "bb"]))
    )


def _optimize(kind: str, where: str, n_trials: int) -> None:
    albacore.logging.set_verbosity(albacore.logging.WARNING)
    study = albacore.load_study(
        study_name="shared", storage=_storage(kind, where), sampler=albacore.samplers.RandomSampler()
    )
    study.optimize(_objective, n_trials=n_trials)


def _claim_all(kind: str, where: str, out: str) -> None:
    study = albacore.load_study(study_name="shared", storage=_storage(kind, where))
    claimed = []
    while True:
        trial_id = study._storage.claim_waiting_trial(study._study_id)
        if trial_id is None:
            break
        claimed.append(trial_id)
        study._storage.set_trial_state_values(trial_id, TrialState.COMPLETE, [0.0])
    pathlib.Path(out).write_text(json.dumps(claimed))


def _run(target: Callable[..., None], args: list[tuple[object, ...]]) -> None:
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=target, args=a) for a in args]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=300)
        assert p.exitcode == 0, f"a worker failed with exit code {p.exitcode}"


def _where(kind: str, tmp_path: pathlib.Path, request: pytest.FixtureRequest) -> str:
    if kind != "redis":
        return str(tmp_path / "shared.log")
    return f"{request.getfixturevalue('redis_url')} {request.getfixturevalue('redis_prefix')}"


# The full load (8 x 100) runs on the default file lock and on Redis; the other locks get a smaller one.
# Spawning processes costs seconds on these machines, so only the default lock runs in the quick suite.
LOADS = [
    pytest.param("flock", N_PROCESSES, N_TRIALS, marks=pytest.mark.slow),
    pytest.param("redis", N_PROCESSES, N_TRIALS, marks=pytest.mark.slow),
    pytest.param("flock", 3, 30),
    pytest.param("open", 3, 30, marks=pytest.mark.slow),
    pytest.param("symlink", 3, 30, marks=pytest.mark.slow),
    pytest.param("redis", 3, 30, marks=pytest.mark.slow),
]
# Claims are resolved by replay, whatever the lock: the default lock and Redis are enough.
CLAIM_KINDS = [pytest.param("flock"), pytest.param("redis", marks=pytest.mark.slow)]


@pytest.fixture
def where(kind: str, tmp_path: pathlib.Path, request: pytest.FixtureRequest) -> str:
    return _where(kind, tmp_path, request)


@pytest.mark.parametrize(("kind", "n_processes", "n_trials"), LOADS)
def test_processes_get_unique_gap_free_numbers_and_complete_records(
    kind: str, where: str, n_processes: int, n_trials: int
) -> None:
    albacore.create_study(study_name="shared", storage=_storage(kind, where))
    _run(_optimize, [(kind, where, n_trials)] * n_processes)

    storage = _storage(kind, where)
    trials = albacore.load_study(study_name="shared", storage=storage).trials
    assert [t.number for t in trials] == list(range(n_processes * n_trials))
    assert len({t._trial_id for t in trials}) == len(trials)
    for t in trials:
        assert t.state == TrialState.COMPLETE
        assert set(t.params) == {"x", "n", "c"}
        assert t.value == pytest.approx(_objective(t))  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", CLAIM_KINDS)
def test_each_waiting_trial_is_claimed_by_exactly_one_process(kind: str, where: str, tmp_path: pathlib.Path) -> None:
    study = albacore.create_study(study_name="shared", storage=_storage(kind, where))
    for i in range(60):
        study.enqueue_trial({"x": i / 60})
    outs = [str(tmp_path / f"claimed-{i}.json") for i in range(3)]
    _run(_claim_all, [(kind, where, out) for out in outs])

    claimed = [trial_id for out in outs for trial_id in json.loads(pathlib.Path(out).read_text())]
    assert sorted(claimed) == list(range(60))
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


# --- stale locks -----------------------------------------------------------------------------------------


def _dead_pid() -> int:
    process = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(0,))
    process.start()
    process.join()
    assert process.pid is not None
    return process.pid


def _leave_lock(lock_class: type[BaseJournalFileLock], path: str, owner: dict[str, object]) -> None:
    if lock_class is JournalFileSymlinkLock:
        os.symlink(json.dumps(owner), path + ".lock")
    else:
        pathlib.Path(path + ".lock").write_text(json.dumps(owner))


@pytest.mark.parametrize("lock_class", [JournalFileOpenLock, JournalFileSymlinkLock])
def test_a_lock_left_by_a_dead_writer_is_broken(tmp_path: pathlib.Path, lock_class: type[BaseJournalFileLock]) -> None:
    path = str(tmp_path / "j.log")
    owner = {"pid": _dead_pid(), "host": socket.gethostname(), "time": time.time(), "token": "dead"}
    _leave_lock(lock_class, path, owner)
    storage = JournalStorage(JournalFileBackend(path, lock_obj=lock_class(path, grace_period=3600)))
    storage.create_new_study([albacore.study.StudyDirection.MINIMIZE], "after-recovery")
    assert storage.get_study_id_from_name("after-recovery") == 0
    assert not os.path.lexists(path + ".lock")


@pytest.mark.parametrize("lock_class", [JournalFileOpenLock, JournalFileSymlinkLock])
def test_a_lock_of_a_live_writer_is_kept_until_the_grace_period(
    tmp_path: pathlib.Path, lock_class: type[BaseJournalFileLock]
) -> None:
    path = str(tmp_path / "j.log")
    lock = lock_class(path, grace_period=30)
    live = {"pid": os.getpid(), "host": socket.gethostname(), "time": time.time(), "token": "live"}
    _leave_lock(lock_class, path, live)
    lock._break_if_stale(path + ".lock")
    assert os.path.lexists(path + ".lock")

    # On another host the owner cannot be checked: only the grace period breaks it.
    os.unlink(path + ".lock")
    _leave_lock(lock_class, path, {**live, "host": "elsewhere", "pid": 1})
    lock._break_if_stale(path + ".lock")
    assert os.path.lexists(path + ".lock")
    os.unlink(path + ".lock")
    _leave_lock(lock_class, path, {**live, "host": "elsewhere", "time": time.time() - 31})
    lock._break_if_stale(path + ".lock")
    assert not os.path.lexists(path + ".lock")


def test_breaking_rechecks_the_owner_under_the_breaker_lock(tmp_path: pathlib.Path) -> None:
    """A waiter that judged a lock stale must not remove the live lock that replaced it meanwhile."""
    path = str(tmp_path / "j.log")
    lock = JournalFileOpenLock(path, grace_period=30)
    stale = json.dumps({"pid": _dead_pid(), "host": socket.gethostname(), "time": time.time(), "token": "old"})
    live = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "time": time.time(), "token": "new"})
    pathlib.Path(path + ".lock").write_text(live)
    reads = iter([stale, live])
    lock._read = lambda p: next(reads) if p.endswith(".lock") else None  # type: ignore[method-assignment]
    lock._break_if_stale(path + ".lock")
    assert pathlib.Path(path + ".lock").read_text() == live


def test_a_released_lock_that_was_broken_meanwhile_is_left_alone(tmp_path: pathlib.Path) -> None:
    path = str(tmp_path / "j.log")
    lock = JournalFileOpenLock(path)
    lock.acquire()
    other = json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "time": time.time(), "token": "other"})
    os.unlink(path + ".lock")
    pathlib.Path(path + ".lock").write_text(other)
    lock.release()
    assert pathlib.Path(path + ".lock").read_text() == other

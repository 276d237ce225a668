"""SQLite specifics of RDBStorage: file settings, the writers' lock file, and claims answered by trial ends."""

from __future__ import annotations

import fcntl
import gc
import os
import pathlib
import sqlite3
import threading
from typing import Any

import pytest

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.storages import RDBStorage
from albacore.storages.rdb import _read
from albacore.storages.rdb._engine import SQLITE_PAGE_SIZE, SQLITE_WAL_CHECKPOINT_BYTES
from albacore.storages.rdb._trials import TrialStore
from albacore.storages.rdb._writers import LOCK_SUFFIX, WriterQueue
from albacore.study import StudyDirection
from albacore.trial import TrialState


@pytest.fixture
def path(tmp_path: pathlib.Path) -> pathlib.Path:
    return tmp_path / "study.db"


def _pragma(storage: RDBStorage, name: str) -> int:
    with storage.engine.connect() as conn:
        return int(conn.exec_driver_sql(f"PRAGMA {name}").scalar())  # type: ignore[arg-type]


def test_new_files_get_small_pages_and_rare_checkpoints(path: pathlib.Path) -> None:
    storage = RDBStorage(f"sqlite:///{path}")
    assert _pragma(storage, "page_size") == SQLITE_PAGE_SIZE
    assert _pragma(storage, "wal_autocheckpoint") == SQLITE_WAL_CHECKPOINT_BYTES // SQLITE_PAGE_SIZE


def test_existing_files_keep_their_page_size(path: pathlib.Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA page_size=8192")
        conn.execute("CREATE TABLE unrelated (x INTEGER)")
    conn.close()
    storage = RDBStorage(f"sqlite:///{path}")
    assert _pragma(storage, "page_size") == 8192
    assert _pragma(storage, "wal_autocheckpoint") == max(1000, SQLITE_WAL_CHECKPOINT_BYTES // 8192)
    study = albacore.create_study(storage=storage)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
    assert len(study.trials) == 3


@pytest.mark.parametrize(("query", "expected"), [("", 1), ("?synchronous=full", 2), ("?synchronous=NORMAL", 1)])
def test_sqlite_flushes_every_commit_only_when_the_url_asks(path: pathlib.Path, query: str, expected: int) -> None:
    # PRAGMA synchronous: 1 is NORMAL (survives a crashed process), 2 is FULL (survives a power cut too).
    storage = RDBStorage(f"sqlite:///{path}{query}")
    assert _pragma(storage, "synchronous") == expected
    study = albacore.create_study(storage=f"sqlite:///{path}{query}", study_name="s")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert len(albacore.load_study(study_name="s", storage=storage).trials) == 2


def test_an_unknown_sqlite_synchronous_setting_is_refused(path: pathlib.Path) -> None:
    with pytest.raises(InvalidArgumentError, match="synchronous"):
        RDBStorage(f"sqlite:///{path}?synchronous=off")


@pytest.mark.parametrize("url", ["sqlite:///:memory:", "sqlite://"])
def test_pool_sizes_given_for_another_database_do_not_break_an_in_memory_one(url: str) -> None:
    storage = RDBStorage(url, engine_kwargs={"pool_size": 5, "max_overflow": 2, "pool_timeout": 3})
    study = albacore.create_study(storage=storage)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    assert len(study.trials) == 2
    assert type(storage.engine.pool).__name__ == "StaticPool"  # still the one shared connection of the database


def test_looking_for_waiting_trials_uses_their_index(path: pathlib.Path) -> None:
    storage = RDBStorage(f"sqlite:///{path}")
    with storage.engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + storage._trials._any_waiting, (1,)).all()
    assert "ix_trials_waiting" in str(plan)


def test_a_trial_enqueued_here_after_a_trial_end_is_claimed_next(path: pathlib.Path) -> None:
    study = albacore.create_study(storage=f"sqlite:///{path}")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    study.enqueue_trial({"x": 0.25})
    trial = study.ask()
    assert trial.suggest_float("x", 0, 1) == 0.25
    study.tell(trial, 1.0)


def test_a_trial_enqueued_elsewhere_after_a_trial_end_is_claimed_by_the_ask_after(path: pathlib.Path) -> None:
    url = f"sqlite:///{path}"
    study = albacore.create_study(storage=RDBStorage(url), study_name="s")
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
    other = albacore.load_study(study_name="s", storage=RDBStorage(url))
    other.enqueue_trial({"x": 0.25})
    asked = [study.ask(), study.ask()]  # the first may rely on the last trial end, which saw no WAITING trial
    assert 0.25 in [trial.suggest_float("x", 0, 1) for trial in asked]
    for trial in asked:
        study.tell(trial, 1.0)
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_claims_wait_for_nothing_when_no_trial_ended_here(path: pathlib.Path) -> None:
    storage = RDBStorage(f"sqlite:///{path}")
    study_id = storage.create_new_study([StudyDirection.MINIMIZE], "s")
    assert storage.claim_waiting_trial(study_id) is None
    template = albacore.trial.create_trial(state=TrialState.WAITING)
    waiting = storage.create_new_trial(study_id, template_trial=template)
    assert storage.claim_waiting_trial(study_id) == waiting


def test_writers_take_turns_on_a_lock_file(path: pathlib.Path) -> None:
    queue = WriterQueue(str(path))
    queue.acquire()
    lock_file = str(path) + LOCK_SUFFIX
    assert os.path.exists(lock_file)
    other = os.open(lock_file, os.O_RDWR)
    try:
        with pytest.raises(BlockingIOError):  # another process (here: another open file) must wait
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        queue.release()
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_UN)
    finally:
        os.close(other)
        queue.close()


@pytest.mark.parametrize("hold_s", [0.0, 0.00005, 0.05])  # free, released while polling, released after
def test_a_writer_waits_for_the_holder_then_takes_its_turn(path: pathlib.Path, hold_s: float) -> None:
    lock_file = str(path) + LOCK_SUFFIX
    holder = os.open(lock_file, os.O_RDWR | os.O_CREAT)
    fcntl.flock(holder, fcntl.LOCK_EX)
    releaser = threading.Timer(hold_s, fcntl.flock, (holder, fcntl.LOCK_UN))
    releaser.start()
    queue = WriterQueue(str(path))
    try:
        queue.acquire()  # returns only once the holder (another open file, as another process) let go
        with pytest.raises(BlockingIOError):
            fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        queue.release()
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    finally:
        releaser.join()
        os.close(holder)
        queue.close()


def test_threads_of_one_process_take_turns_too(path: pathlib.Path) -> None:
    queue = WriterQueue(str(path))
    inside = []
    overlaps = []

    def write() -> None:
        for _ in range(200):
            queue.acquire()
            try:
                inside.append(1)
                if len(inside) > 1:
                    overlaps.append(1)
                inside.pop()
            finally:
                queue.release()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.close()
    assert not overlaps


def test_without_a_lock_file_writers_still_work(tmp_path: pathlib.Path) -> None:
    queue = WriterQueue(str(tmp_path / "missing-directory" / "study.db"))
    queue.acquire()
    queue.release()
    queue.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_gets_a_lock_of_its_own(path: pathlib.Path) -> None:
    queue = WriterQueue(str(path))
    queue.acquire()  # the parent opens the file and holds the lock
    queue.release()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        ok = b"0"
        try:
            queue.acquire()
            inherited = os.open(str(path) + LOCK_SUFFIX, os.O_RDWR)
            try:
                fcntl.flock(inherited, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                ok = b"1"  # the child's turn is exclusive against another open file of the same lock
            queue.release()
        finally:
            os.write(write, ok)
            os._exit(0)
    os.close(write)
    answer = os.read(read, 1)
    os.close(read)
    os.waitpid(pid, 0)
    queue.close()
    assert answer == b"1"


def test_a_large_read_moves_its_trials_to_the_oldest_gc_generation(
    path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{path}"
    study = albacore.create_study(storage=url, sampler=albacore.samplers.RandomSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=6)
    monkeypatch.setattr(_read, "_MANY_TRIALS", 5)  # a "large" read, in miniature
    assert gc.isenabled()
    trials = RDBStorage(url).get_all_trials(study._study_id)
    oldest = {id(obj) for obj in gc.get_objects(generation=2)}
    assert len(trials) == 6 and all(id(trial) in oldest for trial in trials)


def test_a_trial_creation_that_meets_a_transient_error_is_retried_and_written_once(
    path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = RDBStorage(f"sqlite:///{path}")
    study_id = storage.create_new_study([StudyDirection.MINIMIZE])
    insert = TrialStore._insert
    failures = [2]

    def insert_then_fail(self: TrialStore, cursor: Any, *args: Any) -> Any:
        # The row is inserted, then the transaction fails as a busy database would make it fail.
        result = insert(self, cursor, *args)
        if failures[0]:
            failures[0] -= 1
            raise sqlite3.OperationalError("database is locked")
        return result

    monkeypatch.setattr(TrialStore, "_insert", insert_then_fail)
    trial_id = storage.create_new_trial(study_id, template_trial=albacore.trial.create_trial(value=1.0))
    assert failures == [0]
    assert [(t._trial_id, t.number, t.value) for t in storage.get_all_trials(study_id)] == [(trial_id, 0, 1.0)]

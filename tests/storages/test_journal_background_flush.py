"""The journal file's background flush: inside ``optimize`` a trial's end reaches the disk while the next trial
runs, and ``optimize`` returns (or raises) only once every trial it ran is on disk (RELIABILITY promise 1)."""

from __future__ import annotations

import errno
import os
import pathlib
import threading
import time

import pytest

import albacore
from albacore.exceptions import StorageInternalError
from albacore.storages import JournalStorage
from albacore.storages.journal import JournalFileBackend
from albacore.storages.journal import _file as journal_file
from albacore.storages.journal._flusher import BackgroundFlusher
from albacore.trial import Trial

_real_flush = journal_file._fdatasync


class FlushLog:
    """Replaces ``fdatasync``: records, for every flush, its thread and the file size it made durable."""

    def __init__(self) -> None:
        self.flushes: list[tuple[str, int]] = []
        self.lock = threading.Lock()

    def __call__(self, fd: int) -> None:
        size = os.fstat(fd).st_size  # every byte written before the flush began is durable once it returns
        _real_flush(fd)
        with self.lock:
            self.flushes.append((threading.current_thread().name, size))

    def durable_size(self) -> int:
        with self.lock:
            return max(size for _, size in self.flushes)

    def threads(self) -> set[str]:
        with self.lock:
            return {name for name, _ in self.flushes}


@pytest.fixture
def flush_log(monkeypatch: pytest.MonkeyPatch) -> FlushLog:
    log = FlushLog()
    monkeypatch.setattr(journal_file, "_fdatasync", log)
    return log


def _study(path: pathlib.Path) -> albacore.Study:
    storage = JournalStorage(JournalFileBackend(str(path)))
    return albacore.create_study(storage=storage, sampler=albacore.samplers.RandomSampler(seed=0))


def _objective(trial: Trial) -> float:
    return trial.suggest_float("x", -1, 1) ** 2


def test_optimize_flushes_in_the_background_and_returns_with_everything_on_disk(
    tmp_path: pathlib.Path, flush_log: FlushLog
) -> None:
    path = tmp_path / "j.log"
    study = _study(path)
    study.optimize(_objective, n_trials=40)
    assert "albacore-journal-flush" in flush_log.threads()  # the trial ends were flushed by the background thread
    assert flush_log.durable_size() == path.stat().st_size
    assert len(study.trials) == 40


def test_optimize_waits_for_the_flush_when_the_objective_raises(tmp_path: pathlib.Path, flush_log: FlushLog) -> None:
    path = tmp_path / "j.log"
    study = _study(path)

    def objective(trial: Trial) -> float:
        if trial.number == 10:
            raise RuntimeError("boom")
        return _objective(trial)

    with pytest.raises(RuntimeError, match="boom"):
        study.optimize(objective, n_trials=40)
    assert flush_log.durable_size() == path.stat().st_size
    assert [t.state.name for t in study.trials].count("COMPLETE") == 10


def test_optimize_with_threads_returns_with_everything_on_disk(tmp_path: pathlib.Path, flush_log: FlushLog) -> None:
    path = tmp_path / "j.log"
    study = _study(path)
    study.optimize(_objective, n_trials=60, n_jobs=3)
    assert flush_log.durable_size() == path.stat().st_size
    assert sorted(t.number for t in study.trials) == list(range(60))


def test_a_failed_background_flush_fails_optimize(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    study = _study(tmp_path / "j.log")
    study.optimize(_objective, n_trials=2)

    def failing(fd: int) -> None:
        if threading.current_thread().name == "albacore-journal-flush":
            raise OSError(errno.EIO, "I/O error")
        _real_flush(fd)

    monkeypatch.setattr(journal_file, "_fdatasync", failing)
    with pytest.raises(StorageInternalError, match="power cut"):
        study.optimize(_objective, n_trials=20)


def test_the_next_background_append_waits_for_the_previous_flush(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    flushing = threading.Event()

    def held(fd: int) -> None:
        if threading.current_thread().name == "albacore-journal-flush":
            flushing.set()
            assert release.wait(10)
        _real_flush(fd)

    backend = JournalFileBackend(str(tmp_path / "j.log"))
    monkeypatch.setattr(journal_file, "_fdatasync", held)
    backend.append_and_read_logs_flushed_later([{"op": "noop", "n": 1}], 0)  # returns while its flush is held
    assert flushing.wait(10)
    second_done = threading.Event()

    def second() -> None:
        backend.append_and_read_logs_flushed_later([{"op": "noop", "n": 2}], 1)
        second_done.set()

    thread = threading.Thread(target=second)
    thread.start()
    assert not second_done.wait(0.3)  # at most one append of a client waits for the disk at a time
    release.set()
    assert second_done.wait(10)
    thread.join()
    backend.wait_until_flushed()
    assert [log["n"] for log in backend.read_logs(0)] == [1, 2]


def test_flusher_tickets_errors_and_idle_restart(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("albacore.storages.journal._flusher._IDLE_SECONDS", 0.05)
    calls: list[int] = []
    failing = False

    def flush(fd: int) -> None:
        if failing:
            raise OSError(errno.EIO, "I/O error")
        calls.append(fd)

    fd = os.open(tmp_path / "f", os.O_WRONLY | os.O_CREAT)
    try:
        flusher = BackgroundFlusher("f", flush)
        first = flusher.request(fd)
        flusher.wait(first)
        assert calls and flusher.last_ticket == first == 1
        time.sleep(0.3)  # the idle thread ends (and closes its descriptor); the next request starts another
        assert not flusher._running
        flusher.wait(flusher.request(fd))
        assert len(calls) == 2
        failing = True
        with pytest.raises(StorageInternalError, match="I/O error"):
            flusher.wait(flusher.request(fd))
        with pytest.raises(StorageInternalError):  # a failed flush is never forgotten
            flusher.request(fd)
    finally:
        os.close(fd)


def test_flushed_inline_covers_earlier_tickets() -> None:
    flusher = BackgroundFlusher("f", lambda fd: None)
    flusher.flushed_inline(3)
    flusher.wait(3)  # returns at once: nothing to wait for

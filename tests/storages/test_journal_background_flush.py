"""The journal file's background flush: inside ``optimize`` a trial's end reaches the disk while the next trial
runs, and ``optimize`` returns (or raises) only once every trial it ran is on disk (RELIABILITY promise 1).

Both flushers keep that promise: the C library's AIO threads (``_aio``, where available) and a Python thread
(``_flusher``, elsewhere and in forked children)."""

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
from albacore.storages.journal import JournalFileBackend, _aio
from albacore.storages.journal import _file as journal_file
from albacore.storages.journal._aio import AioFlusher, aio_available
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
        self.record(threading.current_thread().name, size)

    def record(self, name: str, size: int) -> None:
        with self.lock:
            self.flushes.append((name, size))

    def durable_size(self) -> int:
        with self.lock:
            return max(size for _, size in self.flushes)

    def threads(self) -> set[str]:
        with self.lock:
            return {name for name, _ in self.flushes}


needs_aio = pytest.mark.skipif(not aio_available(), reason="POSIX AIO of glibc on 64-bit Linux only")


class WatchedAioFlusher(AioFlusher):
    """An AioFlusher that records in a FlushLog, as "aio", the file size each completed request made durable."""

    log: FlushLog

    def _submit(self, fd: int, ticket: int) -> None:
        self._submitted_size = os.fstat(fd).st_size
        super()._submit(fd, ticket)

    def _collect(self) -> None:
        done, size = self._done, getattr(self, "_submitted_size", 0)
        super()._collect()
        if self._done > done:
            self.log.record("aio", size)


@pytest.fixture(params=["thread", pytest.param("aio", marks=needs_aio)])
def flusher_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    kind: str = request.param
    if kind == "thread":
        monkeypatch.setattr(journal_file, "_new_flusher", lambda path: BackgroundFlusher(path, journal_file._flush))
    else:
        monkeypatch.setattr(journal_file, "_new_flusher", WatchedAioFlusher)
    return kind


@pytest.fixture
def flush_log(monkeypatch: pytest.MonkeyPatch, flusher_kind: str) -> FlushLog:
    log = FlushLog()
    monkeypatch.setattr(journal_file, "_fdatasync", log)
    monkeypatch.setattr(WatchedAioFlusher, "log", log, raising=False)
    return log


def _study(path: pathlib.Path) -> albacore.Study:
    storage = JournalStorage(JournalFileBackend(str(path)))
    return albacore.create_study(storage=storage, sampler=albacore.samplers.RandomSampler(seed=0))


def _objective(trial: Trial) -> float:
    return trial.suggest_float("x", -1, 1) ** 2


def test_optimize_flushes_in_the_background_and_returns_with_everything_on_disk(
    tmp_path: pathlib.Path, flush_log: FlushLog, flusher_kind: str
) -> None:
    path = tmp_path / "j.log"
    study = _study(path)
    study.optimize(_objective, n_trials=40)
    # The trial ends were flushed in the background (a Python thread, or the C library's AIO threads).
    assert ("albacore-journal-flush" if flusher_kind == "thread" else "aio") in flush_log.threads()
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
    monkeypatch.setattr(journal_file, "_new_flusher", lambda path: BackgroundFlusher(path, journal_file._flush))
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

    monkeypatch.setattr(journal_file, "_new_flusher", lambda path: BackgroundFlusher(path, journal_file._flush))
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


# --- the AIO flusher -----------------------------------------------------------------------------------------


@needs_aio
def test_journals_flush_through_aio_where_available(tmp_path: pathlib.Path) -> None:
    assert JournalFileBackend(str(tmp_path / "j.log"))._flusher.kind == "aio"


class PipeAioFlusher(AioFlusher):
    """Flushes a pipe instead of the file it is given: ``fdatasync`` fails on a pipe (EINVAL), in the AIO thread."""

    def _submit(self, fd: int, ticket: int) -> None:
        read_end, write_end = os.pipe()
        os.close(read_end)
        os.close(fd)
        super()._submit(write_end, ticket)


@needs_aio
def test_a_failed_aio_flush_fails_optimize(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    study = _study(tmp_path / "j.log")
    study.optimize(_objective, n_trials=2)
    monkeypatch.setattr(journal_file, "_new_flusher", PipeAioFlusher)
    study = albacore.load_study(
        study_name=study.study_name, storage=JournalStorage(JournalFileBackend(str(tmp_path / "j.log")))
    )
    with pytest.raises(StorageInternalError, match="power cut"):
        study.optimize(_objective, n_trials=20)


@needs_aio
def test_aio_flusher_tickets_errors_and_inline_flushes(tmp_path: pathlib.Path) -> None:
    fd = os.open(tmp_path / "f", os.O_WRONLY | os.O_CREAT)
    try:
        flusher = AioFlusher("f")
        first = flusher.request(fd)
        second = flusher.request(fd)  # queued behind the first, or submitted if the first is already done
        flusher.wait(first)
        flusher.wait()
        assert flusher.last_ticket == second == 2 and flusher._done == 2 and flusher._in_flight < 0
        flusher.flushed_inline(5)
        flusher.wait(5)  # returns at once: nothing to wait for
        failing = PipeAioFlusher("f")
        with pytest.raises(StorageInternalError, match="Invalid argument"):
            failing.wait(failing.request(fd))
        with pytest.raises(StorageInternalError):  # a failed flush is never forgotten
            failing.request(fd)
    finally:
        os.close(fd)


class HeldAioFlusher(AioFlusher):
    """An AioFlusher whose requests count as in progress until ``release`` is set."""

    release = threading.Event()

    def _collect(self) -> None:
        if self.release.is_set():
            super()._collect()

    def _suspend(self) -> None:
        self.release.wait(10)
        super()._suspend()


@needs_aio
def test_the_next_aio_append_waits_for_the_previous_flush(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(HeldAioFlusher, "release", threading.Event())
    monkeypatch.setattr(journal_file, "_new_flusher", HeldAioFlusher)
    backend = JournalFileBackend(str(tmp_path / "j.log"))
    backend.append_and_read_logs_flushed_later([{"op": "noop", "n": 1}], 0)  # returns while its flush is held
    second_done = threading.Event()

    def second() -> None:
        backend.append_and_read_logs_flushed_later([{"op": "noop", "n": 2}], 1)
        second_done.set()

    thread = threading.Thread(target=second)
    thread.start()
    assert not second_done.wait(0.3)  # at most one append of a client waits for the disk at a time
    HeldAioFlusher.release.set()
    assert second_done.wait(10)
    thread.join()
    backend.wait_until_flushed()
    assert [log["n"] for log in backend.read_logs(0)] == [1, 2]


@needs_aio
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_forked_after_aio_flushes_in_a_python_thread(tmp_path: pathlib.Path) -> None:
    backend = JournalFileBackend(str(tmp_path / "j.log"))
    backend.append_and_read_logs_flushed_later([{"op": "noop"}], 0)
    backend.wait_until_flushed()
    assert _aio._used_by_pid == os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: glibc's AIO threads were not copied, so it must not queue requests to them
        ok = False
        try:
            backend.append_and_read_logs_flushed_later([{"op": "noop"}], 1)
            backend.wait_until_flushed()
            ok = not aio_available() and backend._flusher.kind == "thread"
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0

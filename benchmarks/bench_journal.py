"""Journal file storage: trials/s with 1 and 2 processes (random sampler, 3 params), and opening a long journal.

Both libraries use ``<lib>.storages.JournalStorage(<lib>.storages.journal.JournalFileBackend(path))`` on a file
on disk (not tmpfs), with their default locks. Worker processes import the library and load the study before a
barrier, so process start-up is not timed.

Both libraries make every finished trial durable (albacore with one ``fdatasync`` per trial, Optuna with an
``fsync`` per operation, five per trial here), so the figures follow the disk's flush latency, which on shared
machines moves by 10x from minute to minute. The script prints that latency, measured before and after, on
stderr: compare libraries only between runs made back to back under similar latency. It also prints the load
average beside each phase, the process time per trial and per iteration of the bare loop and, for albacore,
how the trial-ending write is flushed in the background (``aio``: the C library's AIO threads; ``thread``: a
Python thread). ``--flusher thread|inline`` (albacore only) makes it use the Python thread, or flush that write
before returning, instead of its default, so that the modes can be compared on one machine.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from types import ModuleType
from typing import Any, NamedTuple

from _common import Metric, emit, own_arguments, parse_args


def _storage(lib: ModuleType, path: str) -> Any:
    return lib.storages.JournalStorage(lib.storages.journal.JournalFileBackend(path))


def _objective(trial: Any) -> float:
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_int("y", 0, 10)
    z = trial.suggest_categorical("z", ["a", "b", "c"])
    return float(x * x + y + (1.0 if z == "a" else 0.0))


_ROUNDS = 10  # phases of trials and of the bare loop alternate this many times (the disk's speed drifts)


def force_flusher(lib: ModuleType, flusher: str) -> None:
    """albacore only: flush the trial-ending write with ``flusher`` (``thread``, ``inline``) instead of the default."""
    if flusher == "auto" or lib.__name__ != "albacore":
        return
    file_module = importlib.import_module("albacore.storages.journal._file")
    if flusher == "thread":
        thread_flusher = importlib.import_module("albacore.storages.journal._flusher").BackgroundFlusher
        file_module._new_flusher = lambda path: thread_flusher(path, file_module._flush)
    elif flusher == "inline":
        backend = file_module.JournalFileBackend
        backend.append_and_read_logs_flushed_later = lambda self, logs, start: self._append(logs, start, "now")
    else:
        raise ValueError(f"--flusher must be auto, thread or inline, got {flusher!r}")


def _worker(
    lib_name: str, path: str, chunk: int, seed: int, barrier: Any, record_size: Any, cpu: Any, flusher: str
) -> None:
    """Alternate ``chunk`` trials with ``chunk`` iterations of the bare loop, each phase between two barriers;
    add the process time (all threads) of each kind of phase to ``cpu[2 * seed]`` and ``cpu[2 * seed + 1]``."""
    lib = importlib.import_module(lib_name)
    force_flusher(lib, flusher)
    lib.logging.set_verbosity(lib.logging.WARNING)
    study = lib.load_study(study_name="bench", storage=_storage(lib, path), sampler=lib.samplers.RandomSampler(seed))
    bare = os.open(path + ".bare", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    flush = getattr(os, "fdatasync", os.fsync)
    try:
        for _ in range(_ROUNDS):
            barrier.wait()
            start = time.process_time()
            study.optimize(_objective, n_trials=chunk)
            cpu[2 * seed] += time.process_time() - start
            barrier.wait()
            barrier.wait()  # the parent has set the record size of the bare loop
            record = b"x" * (record_size.value - 1) + b"\n"
            start = time.process_time()
            for _ in range(chunk):
                os.write(bare, record)
                flush(bare)
            cpu[2 * seed + 1] += time.process_time() - start
        barrier.wait()
    finally:
        os.close(bare)


class Throughput(NamedTuple):
    """What :func:`throughput` measured."""

    trials_per_second: float
    bare_per_second: float
    trial_cpu_ms: float  # process time per trial (all threads of a worker: the flush's kernel time included)
    bare_cpu_ms: float  # process time per iteration of the bare loop


def throughput(lib: ModuleType, directory: str, n_processes: int, n_trials: int, flusher: str = "auto") -> Throughput:
    """Trials per second of ``n_processes`` processes optimizing one study in a fresh journal file, and the
    iterations per second of a bare loop of one append of the same size plus one ``fdatasync``, nothing else,
    in the same processes on the same file system. The two alternate in phases of a tenth of the work each, so
    that both see the same disk (whose flush latency moves by 10x from minute to minute on shared machines)."""
    path = os.path.join(directory, f"throughput-{n_processes}.log")
    lib.create_study(study_name="bench", storage=_storage(lib, path))
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(n_processes + 1)
    record_size = context.Value("i", 0)
    cpu = context.Array("d", 2 * n_processes)
    chunk = n_trials // (n_processes * _ROUNDS)
    processes = [
        context.Process(target=_worker, args=(lib.__name__, path, chunk, seed, barrier, record_size, cpu, flusher))
        for seed in range(n_processes)
    ]
    for p in processes:
        p.start()
    storage_seconds = bare_seconds = 0.0
    barrier.wait()
    for round_number in range(_ROUNDS):
        start = time.perf_counter()
        barrier.wait()
        storage_seconds += time.perf_counter() - start
        done = (round_number + 1) * chunk * n_processes
        record_size.value = max(2, os.path.getsize(path) // done)  # the journal's bytes per trial so far
        barrier.wait()
        start = time.perf_counter()
        barrier.wait()
        bare_seconds += time.perf_counter() - start
    for p in processes:
        p.join()
        if p.exitcode != 0:
            raise RuntimeError(f"a benchmark worker failed with exit code {p.exitcode}")
    total = chunk * n_processes * _ROUNDS
    return Throughput(
        total / storage_seconds, total / bare_seconds, 1000 * sum(cpu[0::2]) / total, 1000 * sum(cpu[1::2]) / total
    )


def open_seconds(lib: ModuleType, directory: str, n_trials: int) -> float:
    """Seconds to open a journal of ``n_trials`` finished trials and list them all (best of 3)."""
    # Writing is not what is measured: build the journal on tmpfs when there is one, then move it to disk.
    scratch = tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else directory)
    try:
        built = os.path.join(scratch, "long.log")
        study = lib.create_study(study_name="long", storage=_storage(lib, built))
        dist = {
            "x": lib.distributions.FloatDistribution(-10, 10),
            "y": lib.distributions.IntDistribution(0, 10),
            "z": lib.distributions.CategoricalDistribution(["a", "b", "c"]),
        }
        trials = [
            lib.trial.create_trial(
                params={"x": i % 20 - 10.0, "y": i % 11, "z": "abc"[i % 3]}, distributions=dist, value=float(i)
            )
            for i in range(n_trials)
        ]
        study.add_trials(trials)
        del study, trials
        target = os.path.join(directory, "long.log")
        for name in os.listdir(scratch):  # the journal and, for albacore, its snapshot
            if name.startswith("long.log") and not name.endswith(".lock"):
                shutil.copy(os.path.join(scratch, name), directory)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        loaded = lib.load_study(study_name="long", storage=_storage(lib, target))
        # Without the defensive copy `study.trials` makes: that cost is the study's, not the storage's.
        count = len(loaded.get_trials(deepcopy=False))
        best = min(best, time.perf_counter() - start)
        assert count == n_trials, count
    return best


def flush_ms(directory: str, n: int = 50) -> float:
    """Median milliseconds of appending 400 bytes and flushing them (``fdatasync``) in ``directory``."""
    path = os.path.join(directory, "flush-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    spans = []
    try:
        for _ in range(n):
            start = time.perf_counter()
            os.write(fd, b"x" * 400)
            getattr(os, "fdatasync", os.fsync)(fd)
            spans.append(time.perf_counter() - start)
    finally:
        os.close(fd)
        os.unlink(path)
    return 1000 * statistics.median(spans)


def flush_mode(lib: ModuleType, directory: str, flusher: str) -> str:
    """How albacore's journal flushes a trial's end here (``aio`` or ``thread`` in the background, or ``inline``)."""
    if flusher == "inline":
        return "inline"
    force_flusher(lib, flusher)
    backend = lib.storages.journal.JournalFileBackend(os.path.join(directory, "mode.log"))
    return str(getattr(getattr(backend, "_flusher", None), "kind", "n/a"))


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "load average n/a"


def main() -> None:
    flusher = own_arguments(flusher="auto").flusher
    lib, quick, _ = parse_args(__doc__ or "")
    n_trials = 100 if quick else 1000
    n_long = 1_000 if quick else 100_000
    directory = tempfile.mkdtemp(prefix="bench-journal-")
    try:
        mode = flush_mode(lib, directory, flusher) if lib.__name__ == "albacore" else "n/a"
        before, load_before = flush_ms(directory), _load()
        one, bare_one, cpu_one, bare_cpu_one = throughput(lib, directory, 1, n_trials, flusher)
        load_one = _load()
        two, bare_two, cpu_two, bare_cpu_two = throughput(lib, directory, 2, n_trials, flusher)
        after, load_two = flush_ms(directory), _load()
        opened = open_seconds(lib, directory, n_long)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    print(
        f"disk flush latency (append + fdatasync, median): {before:.2f} ms before ({load_before}), "
        f"{after:.2f} ms after ({load_two}); flush of a trial's end: {mode}",
        file=sys.stderr,
    )
    print(
        f"1 process: {one:.0f} trials/s against a bare append + fdatasync loop of the journal's bytes per trial of "
        f"{bare_one:.0f}/s = {100 * one / bare_one:.0f}% ({load_one}); 2 processes: {two:.0f} against "
        f"{bare_two:.0f}/s = {100 * two / bare_two:.0f}% ({load_two})",
        file=sys.stderr,
    )
    print(
        f"process time per trial: 1 process {cpu_one:.3f} ms, 2 processes {cpu_two:.3f} ms; per iteration of the "
        f"bare loop: {bare_cpu_one:.3f} ms, {bare_cpu_two:.3f} ms",
        file=sys.stderr,
    )
    emit(
        [
            Metric("journal file storage, 1 process, random sampler, 3 params", one, "trials/s", "higher"),
            Metric("journal file storage, 2 processes, random sampler, 3 params", two, "trials/s", "higher"),
            Metric(
                "journal file storage, 1 process: share of a bare append + fdatasync loop of its record size",
                100 * one / bare_one,
                "%",
                "higher",
            ),
            Metric(
                "journal file storage, 2 processes: share of a bare append + fdatasync loop of its record size",
                100 * two / bare_two,
                "%",
                "higher",
            ),
            Metric(f"open a journal of {n_long:,} finished trials and read them", opened, "s", "lower"),
        ]
    )


if __name__ == "__main__":
    main()

"""Redis journal storage: trials/s with 1 and 2 processes (random sampler, 3 params), against a bare loop.

Both libraries use ``<lib>.storages.JournalStorage(<lib>.storages.journal.JournalRedisBackend(url, prefix=...))``
on the Redis server named by ``ALBACORE_BENCH_REDIS_URL`` (or ``ALBACORE_TEST_REDIS_URL``, or the local default),
under a key prefix of their own that is deleted afterwards. Worker processes import the library and load the study
before a barrier, so process start-up is not timed.

The bare loop is the limit for a storage whose clients must see each other's writes: per iteration, one redis-py
pipeline round trip that appends a record of the size albacore writes per trial (``RPUSH``) and reads back every
record appended since the previous iteration (``LRANGE``), without decoding anything; 1 and 2 processes, in the
same run. It is measured in both ``--lib`` runs (it does not depend on the library), so that every run of the
script gives the share of the limit it reached. A leaner bare loop sends the same two commands packed by hand on
one connection (no redis-py pipeline): that is the round trip itself, printed on stderr beside the others.

Every figure is the median of several rounds; each round measures the bare loop right before the library, so that
load from other users of the machine hits both alike.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import statistics
import sys
import time
import uuid
from types import ModuleType
from typing import Any

from _common import Metric, emit, own_arguments, parse_args

# The size of albacore's record for one trial of this objective (end one trial and start the next, with the three
# parameters and their distributions); main() prints the measured mean on stderr to keep this honest.
RECORD_BYTES = 450


def _url() -> str:
    return (
        os.environ.get("ALBACORE_BENCH_REDIS_URL")
        or os.environ.get("ALBACORE_TEST_REDIS_URL")
        or "redis://127.0.0.1:6379/0"
    )


def _storage(lib: ModuleType, prefix: str) -> Any:
    return lib.storages.JournalStorage(lib.storages.journal.JournalRedisBackend(_url(), prefix=prefix))


def _objective(trial: Any) -> float:
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_int("y", 0, 10)
    z = trial.suggest_categorical("z", ["a", "b", "c"])
    return float(x * x + y + (1.0 if z == "a" else 0.0))


def _worker(lib_name: str, prefix: str, n_trials: int, seed: int, barrier: Any, times: Any) -> None:
    lib = importlib.import_module(lib_name)
    lib.logging.set_verbosity(lib.logging.WARNING)
    storage = _storage(lib, prefix)
    study = lib.load_study(study_name="bench", storage=storage, sampler=lib.samplers.RandomSampler(seed))
    barrier.wait()
    start = time.time()
    study.optimize(_objective, n_trials=n_trials)
    times.put((start, time.time()))  # measured here: interpreter shutdown is not part of the work


def _bare_worker(key: str, n_iterations: int, barrier: Any, times: Any) -> None:
    import redis

    client = redis.Redis.from_url(_url())
    record = b"r" * RECORD_BYTES
    seen = 0
    client.ping()
    barrier.wait()
    start = time.time()
    for _ in range(n_iterations):
        pipe = client.pipeline(transaction=False)
        pipe.rpush(key, record)
        pipe.lrange(key, seen, -1)
        length, _records = pipe.execute()
        seen = length
    times.put((start, time.time()))


def _lean_worker(key: str, n_iterations: int, barrier: Any, times: Any) -> None:
    """The bare loop without redis-py's command machinery: the same two commands packed by hand, one write."""
    import redis

    connection = redis.Redis.from_url(_url()).connection_pool.get_connection()
    name = key.encode()
    push = b"*3\r\n$5\r\nRPUSH\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(name), name, RECORD_BYTES, b"r" * RECORD_BYTES)
    lrange = b"*4\r\n$6\r\nLRANGE\r\n$%d\r\n%s\r\n" % (len(name), name)
    seen = 0
    barrier.wait()
    start = time.time()
    for _ in range(n_iterations):
        first = b"%d" % seen
        connection.send_packed_command([push + lrange + b"$%d\r\n%s\r\n$2\r\n-1\r\n" % (len(first), first)])
        seen = connection.read_response(disable_decoding=True)
        connection.read_response(disable_decoding=True)
    times.put((start, time.time()))


def _run(target: Any, n_processes: int, args_of: Any) -> float:
    """Start ``n_processes`` workers behind a barrier; return the seconds from the first start to the last end."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(n_processes)
    times = context.Queue()
    processes = [context.Process(target=target, args=(*args_of(i), barrier, times)) for i in range(n_processes)]
    for p in processes:
        p.start()
    spans = [times.get(timeout=600) for _ in processes]
    for p in processes:
        p.join()
        if p.exitcode != 0:
            raise RuntimeError(f"a benchmark worker failed with exit code {p.exitcode}")
    return max(end for _, end in spans) - min(start for start, _ in spans)


def _delete_prefix(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(_url())
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


def _mean_record_bytes(prefix: str) -> float:
    import redis

    records = redis.Redis.from_url(_url()).lrange(f"{prefix}albacore:journal", 0, -1)
    ends = [len(r) for r in records if b'"end_and_start"' in r]
    return sum(ends) / max(1, len(ends))


def throughput(lib: ModuleType, n_processes: int, n_trials: int) -> float:
    """Trials per second of ``n_processes`` processes optimizing one study in a fresh Redis journal."""
    prefix = f"bench-redis-{uuid.uuid4().hex[:12]}:"
    try:
        lib.create_study(study_name="bench", storage=_storage(lib, prefix))
        per_process = n_trials // n_processes
        elapsed = _run(_worker, n_processes, lambda seed: (lib.__name__, prefix, per_process, seed))
        if lib.__name__ == "albacore" and abs(_mean_record_bytes(prefix) - RECORD_BYTES) > 0.1 * RECORD_BYTES:
            print(f"albacore's record is {_mean_record_bytes(prefix):.0f} bytes: update RECORD_BYTES", file=sys.stderr)
        return per_process * n_processes / elapsed
    finally:
        _delete_prefix(prefix)


def bare_loop(n_processes: int, n_iterations: int, *, lean: bool = False) -> float:
    """Iterations per second of ``n_processes`` processes running the bare round-trip loop on one list."""
    prefix = f"bench-redis-{uuid.uuid4().hex[:12]}:"
    try:
        per_process = n_iterations // n_processes
        elapsed = _run(_lean_worker if lean else _bare_worker, n_processes, lambda _: (f"{prefix}bare", per_process))
        return per_process * n_processes / elapsed
    finally:
        _delete_prefix(prefix)


def main() -> None:
    own = own_arguments("trials", "rounds")
    lib, quick, _ = parse_args(__doc__ or "")
    n_trials = own.trials or (100 if quick else 1000)
    n_rounds = own.rounds or (1 if quick else 5)
    # Rounds of (bare loop, library) pairs, so that a burst of load from other users of the machine hits both
    # alike; each figure is the median over the rounds, and each share of the bare loop the median of the rounds'.
    figures: dict[str, list[float]] = {
        name: [] for name in ("one", "two", "bare_one", "bare_two", "lean_one", "lean_two")
    }
    for _ in range(n_rounds):
        figures["bare_one"].append(bare_loop(1, n_trials))
        figures["one"].append(throughput(lib, 1, n_trials))
        figures["lean_one"].append(bare_loop(1, n_trials, lean=True))
        figures["bare_two"].append(bare_loop(2, n_trials))
        figures["two"].append(throughput(lib, 2, n_trials))
        figures["lean_two"].append(bare_loop(2, n_trials, lean=True))
    median = {name: statistics.median(values) for name, values in figures.items()}
    share = {
        n: statistics.median(a / b for a, b in zip(figures[n], figures[f"bare_{n}"], strict=True))
        for n in ("one", "two")
    }
    print(
        f"{lib.__name__}: 1 process {median['one']:,.0f} trials/s ({share['one']:.0%} of the bare loop's "
        f"{median['bare_one']:,.0f}/s); 2 processes {median['two']:,.0f} trials/s ({share['two']:.0%} of "
        f"{median['bare_two']:,.0f}/s); the bare loop packed by hand: {median['lean_one']:,.0f}/s and "
        f"{median['lean_two']:,.0f}/s; medians of {n_rounds} rounds of {n_trials} trials; "
        f"load {os.getloadavg()[0]:.2f}",
        file=sys.stderr,
    )
    print(f"rounds: {json.dumps({k: [round(v) for v in vs] for k, vs in figures.items()})}", file=sys.stderr)
    emit(
        [
            Metric("Redis journal, 1 process, random sampler, 3 params", median["one"], "trials/s", "higher"),
            Metric(
                "Redis journal, 2 processes on one study, random sampler, 3 params", median["two"], "trials/s", "higher"
            ),
            Metric("Redis journal, 1 process, share of the bare loop", 100 * share["one"], "%", "higher"),
            Metric("Redis journal, 2 processes, share of the bare loop", 100 * share["two"], "%", "higher"),
        ]
    )


if __name__ == "__main__":
    main()

"""Eight worker processes on one study through one gRPC storage proxy: throughput, and database connections held.

For each backing storage (SQLite always; PostgreSQL when ALBACORE_BENCH_POSTGRES_URL or ALBACORE_TEST_POSTGRES_URL
names a server), this starts the library's own proxy (``run_grpc_proxy_server(get_storage(url))``) in a process
of its own, starts eight worker processes that reach it through ``GrpcStorageProxy`` and run a trivial objective
(three parameters, RandomSampler), waits until every worker is ready, then lets them go at once: throughput is the
trials of all workers over the time from that start to the last worker's end. On PostgreSQL the connections to the
study's database (``pg_stat_activity``) are sampled during the run, through the proxy and with one storage per
worker (each worker opening the database itself), whose throughput is reported too, and again with 24 workers.
The count is the peak over the run of every connection to the study's database.

    python benchmarks/bench_grpc.py --lib albacore|optuna [--quick]
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from _common import Metric, emit, fresh_postgres_database, parse_args

N_WORKERS = 8
MANY_WORKERS = 24  # for the connections held (PostgreSQL allows 100 by default)

WORKER = """
import importlib, json, os, sys, time, warnings
warnings.simplefilter("ignore")
lib = importlib.import_module(sys.argv[1])
lib.logging.set_verbosity(lib.logging.WARNING)
target, name, n_trials, seed, ready, go = sys.argv[2:8]
if target.isdigit():
    storage = lib.storages.GrpcStorageProxy(host="localhost", port=int(target))
    storage.wait_server_ready(timeout=120)
else:
    storage = target
study = lib.load_study(study_name=name, storage=storage, sampler=lib.samplers.RandomSampler(seed=int(seed)))

def objective(trial):
    x = trial.suggest_float("x", -1, 1)
    n = trial.suggest_int("n", 0, 9)
    c = trial.suggest_categorical("c", ["a", "b"])
    return x * x + n + (c == "a")

open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.002)
study.optimize(objective, n_trials=int(n_trials))
print(json.dumps({"end": time.time()}))
"""

PROXY = """
import importlib, sys, warnings
warnings.simplefilter("ignore")
lib = importlib.import_module(sys.argv[1])
lib.logging.set_verbosity(lib.logging.WARNING)
try:
    lib.storages.run_grpc_proxy_server(lib.storages.get_storage(sys.argv[2]), host="localhost", port=int(sys.argv[3]))
except KeyboardInterrupt:
    pass
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _proxy(lib_name: str, url: str) -> Iterator[int]:
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-c", PROXY, lib_name, url, str(port)])
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with socket.create_connection(("localhost", port), timeout=1):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the proxy did not start") from None
                time.sleep(0.05)
        yield port
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _run_workers(
    lib_name: str, target: str, name: str, per_worker: int, on_running: Connections | None, n_workers: int = N_WORKERS
) -> float:
    """Run the workers on ``target`` (a proxy's port, or a storage URL); return trials per second."""
    with tempfile.TemporaryDirectory() as tmp:
        go = Path(tmp) / "go"
        ready = [Path(tmp) / f"ready{i}" for i in range(n_workers)]
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", WORKER, lib_name, target, name, str(per_worker), str(i), str(ready[i]), str(go)],
                stdout=subprocess.PIPE,
                text=True,
            )
            for i in range(n_workers)
        ]
        while not all(r.exists() for r in ready):
            if any(w.poll() is not None for w in workers):
                raise RuntimeError("a worker died before it was ready")
            time.sleep(0.02)
        if on_running is not None:
            on_running.start()
        start = time.time()
        go.touch()
        outputs = [w.communicate(timeout=1800)[0] for w in workers]
        if on_running is not None:
            on_running.stop()
        if any(w.returncode != 0 for w in workers):
            raise RuntimeError("a worker failed")
        end = max(json.loads(out.strip().splitlines()[-1])["end"] for out in outputs)
        return n_workers * per_worker / (end - start)


class Connections:
    """The highest number of connections to one PostgreSQL database seen while sampling."""

    def __init__(self, admin_url: str, database: str) -> None:
        self._admin_url, self._database = admin_url, database
        self.peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _sample(self) -> None:
        import psycopg

        with psycopg.connect(self._admin_url, autocommit=True) as conn:
            while not self._stop.is_set():
                row = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (self._database,)
                ).fetchone()
                self.peak = max(self.peak, int(row[0]) if row else 0)
                time.sleep(0.05)


def _create_studies(lib: ModuleType, url: str, *names: str) -> None:
    """Create the studies, then close this process's connections (only the workers' and the proxy's count)."""
    storage = lib.storages.RDBStorage(url)
    for name in names:
        lib.create_study(storage=storage, study_name=name)
    storage.engine.dispose()


def main() -> None:
    lib, quick, args = parse_args(__doc__ or "")
    per_worker = 10 if quick else 100
    metrics: list[Metric] = []
    label = f"{N_WORKERS} worker processes, random sampler, 3 params"

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'grpc.db'}"
        _create_studies(lib, url, "grpc")
        with _proxy(args.lib, url) as port:
            rate = _run_workers(args.lib, str(port), "grpc", per_worker, None)
        metrics.append(Metric(f"gRPC proxy over SQLite, {label} (trials/s)", rate, "trials/s", "higher"))

    base = os.environ.get("ALBACORE_BENCH_POSTGRES_URL") or os.environ.get("ALBACORE_TEST_POSTGRES_URL")
    if base:
        with fresh_postgres_database(base) as (pg_url, admin, database):
            _create_studies(lib, pg_url, "proxied", "direct", "proxied-many", "direct-many")
            through = Connections(admin, database)
            with _proxy(args.lib, pg_url) as port:
                rate = _run_workers(args.lib, str(port), "proxied", per_worker, through)
            metrics.append(Metric(f"gRPC proxy over PostgreSQL, {label} (trials/s)", rate, "trials/s", "higher"))
            direct = Connections(admin, database)
            direct_rate = _run_workers(args.lib, pg_url, "direct", per_worker, direct)
            metrics.append(
                Metric(f"PostgreSQL, one RDB storage per worker, {label} (trials/s)", direct_rate, "trials/s", "higher")
            )
            peaks = {N_WORKERS: (through.peak, direct.peak)}
            if not quick:  # connections only: more workers, a few trials each
                through, direct = Connections(admin, database), Connections(admin, database)
                with _proxy(args.lib, pg_url) as port:
                    _run_workers(args.lib, str(port), "proxied-many", 5, through, MANY_WORKERS)
                _run_workers(args.lib, pg_url, "direct-many", 5, direct, MANY_WORKERS)
                peaks[MANY_WORKERS] = (through.peak, direct.peak)
            for n, (proxied, each) in peaks.items():
                held = f"PostgreSQL connections held (pg_stat_activity, at most), {n} workers"
                metrics.append(Metric(f"{held} through the proxy (connections)", proxied, "connections", "lower"))
                metrics.append(Metric(f"{held} with one RDB storage each (connections)", each, "connections", "lower"))
    emit(metrics)


if __name__ == "__main__":
    main()

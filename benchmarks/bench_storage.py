"""Database storage: trials/s on SQLite (1 and 2 processes) and PostgreSQL, and opening long studies.

Every figure uses ``<lib>.storages.RDBStorage(url)`` with the library's defaults, the random sampler and a
trivial objective of 3 parameters (float, int, categorical). Worker processes import the library and load the
study before a barrier, so start-up is not timed. SQLite files live on disk (not tmpfs).

PostgreSQL runs when ``ALBACORE_BENCH_POSTGRES_URL`` (or ``ALBACORE_TEST_POSTGRES_URL``) names a server; a
fresh database is created on it for each library and dropped afterwards.

Opening: both libraries open a SQLite study of 2,000 finished trials. albacore alone also opens one of
100,000 trials (built by bulk SQL inserts into its schema, as building it trial by trial through Optuna would
take hours) and reports the memory its cache keeps per finished trial.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import shutil
import tempfile
import time
import tracemalloc
import uuid
from types import ModuleType
from typing import Any

from _common import Metric, emit, parse_args


def _objective(trial: Any) -> float:
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_int("y", 0, 10)
    z = trial.suggest_categorical("z", ["a", "b", "c"])
    return float(x * x + y + (1.0 if z == "a" else 0.0))


def _worker(lib_name: str, url: str, n_trials: int, seed: int, barrier: Any, spans: Any) -> None:
    lib = importlib.import_module(lib_name)
    lib.logging.set_verbosity(lib.logging.WARNING)
    storage = lib.storages.RDBStorage(url)
    study = lib.load_study(study_name="bench", storage=storage, sampler=lib.samplers.RandomSampler(seed))
    barrier.wait()
    start = time.time()
    study.optimize(_objective, n_trials=n_trials)
    spans.put((start, time.time()))


def throughput(lib: ModuleType, url: str, n_processes: int, n_trials: int) -> float:
    """Trials per second of ``n_processes`` processes optimizing one new study at ``url``."""
    lib.create_study(study_name="bench", storage=lib.storages.RDBStorage(url))
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(n_processes)
    spans = context.Queue()
    per_process = n_trials // n_processes
    workers = [
        context.Process(target=_worker, args=(lib.__name__, url, per_process, seed, barrier, spans))
        for seed in range(n_processes)
    ]
    for worker in workers:
        worker.start()
    measured = [spans.get(timeout=3600) for _ in workers]
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise RuntimeError(f"a benchmark worker failed with exit code {worker.exitcode}")
    elapsed = max(end for _, end in measured) - min(start for start, _ in measured)
    return per_process * n_processes / elapsed


def _distributions(lib: ModuleType) -> dict[str, Any]:
    return {
        "x": lib.distributions.FloatDistribution(-10, 10),
        "y": lib.distributions.IntDistribution(0, 10),
        "z": lib.distributions.CategoricalDistribution(["a", "b", "c"]),
    }


def _build_with_api(lib: ModuleType, url: str, n_trials: int) -> None:
    study = lib.create_study(study_name="long", storage=url)
    study.add_trials(
        lib.trial.create_trial(
            params={"x": i % 20 - 10.0, "y": i % 11, "z": "abc"[i % 3]},
            distributions=_distributions(lib),
            value=float(i),
        )
        for i in range(n_trials)
    )


def _build_with_sql(lib: ModuleType, path: str, n_trials: int) -> None:
    """Write a study of finished trials straight into albacore's tables (what add_trials would store)."""
    import sqlite3

    lib.storages.RDBStorage(f"sqlite:///{path}").create_new_study([lib.study.StudyDirection.MINIMIZE], "long")
    to_json = lib.distributions.distribution_to_json
    dists = {name: to_json(d) for name, d in _distributions(lib).items()}
    start = time.time() - n_trials
    connection = sqlite3.connect(path)
    with connection:
        (study_id,) = connection.execute("SELECT study_id FROM studies WHERE study_name = 'long'").fetchone()
        connection.execute("UPDATE studies SET next_trial_number = ? WHERE study_id = ?", (n_trials, study_id))
        connection.executemany(
            "INSERT INTO study_param_kinds (study_id, param_name, distribution_json) VALUES (?, ?, ?)",
            [(study_id, name, text) for name, text in dists.items()],
        )
        connection.executemany(
            "INSERT INTO trials (trial_id, study_id, number, state, datetime_start, datetime_complete) "
            "VALUES (?, ?, ?, 1, ?, ?)",
            [(i + 1, study_id, i, start + i, start + i + 0.5) for i in range(n_trials)],
        )
        connection.executemany(
            "INSERT INTO trial_values (trial_id, objective, value) VALUES (?, 0, ?)",
            [(i + 1, float(i)) for i in range(n_trials)],
        )
        connection.executemany(
            "INSERT INTO trial_params (trial_id, param_name, param_value, distribution_json) VALUES (?, ?, ?, ?)",
            [
                (i + 1, name, value, dists[name])
                for i in range(n_trials)
                for name, value in (("x", i % 20 - 10.0), ("y", float(i % 11)), ("z", float(i % 3)))
            ],
        )
    connection.close()


def open_seconds(lib: ModuleType, url: str, n_trials: int) -> float:
    """Seconds to open the study "long" at ``url`` and read ``study.trials`` (best of 3 fresh clients)."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        count = len(lib.load_study(study_name="long", storage=lib.storages.RDBStorage(url)).trials)
        best = min(best, time.perf_counter() - start)
        assert count == n_trials, count
    return best


def cache_bytes_per_trial(lib: ModuleType, url: str, n_trials: int) -> float:
    """Memory the cache of a client holds per finished trial after reading all of them."""
    storage = lib.storages.RDBStorage(url)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    study = lib.load_study(study_name="long", storage=storage)
    study.get_trials(deepcopy=False)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / n_trials


def _on_disk(directory: str, lib: ModuleType, n_trials: int) -> str:
    """Build the study on tmpfs when there is one (building is not measured), then move it to disk."""
    scratch = tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else directory)
    try:
        built = os.path.join(scratch, "long.db")
        if lib.__name__ == "albacore":
            _build_with_sql(lib, built, n_trials)
        else:
            _build_with_api(lib, f"sqlite:///{built}", n_trials)
        target = os.path.join(directory, f"long-{n_trials}.db")
        shutil.copy(built, target)
        return f"sqlite:///{target}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _postgres_database(base: str) -> tuple[str, Any]:
    import sqlalchemy as sa

    admin_url = sa.make_url(base)
    if admin_url.drivername in ("postgresql", "postgres"):
        admin_url = admin_url.set(drivername="postgresql+psycopg")
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()

    return admin_url.set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    lib, quick, _ = parse_args(__doc__ or "")
    n_trials = 100 if quick else 1000
    n_open, n_long = (300, 2_000) if quick else (2_000, 100_000)
    directory = tempfile.mkdtemp(prefix="bench-storage-")
    metrics: list[Metric] = []
    try:
        one = throughput(lib, f"sqlite:///{os.path.join(directory, 'one.db')}", 1, n_trials)
        metrics.append(Metric("SQLite file storage, 1 process, random sampler, 3 params", one, "trials/s", "higher"))
        two = throughput(lib, f"sqlite:///{os.path.join(directory, 'two.db')}", 2, n_trials)
        metrics.append(Metric("SQLite, 2 processes on one study, random sampler, 3 params", two, "trials/s", "higher"))
        server = os.environ.get("ALBACORE_BENCH_POSTGRES_URL") or os.environ.get("ALBACORE_TEST_POSTGRES_URL")
        if server:
            url, drop = _postgres_database(server)
            try:
                pg = throughput(lib, url, 1, n_trials)
            finally:
                drop()
            metrics.append(Metric("PostgreSQL storage, 1 process, random sampler, 3 params", pg, "trials/s", "higher"))
        opened = open_seconds(lib, _on_disk(directory, lib, n_open), n_open)
        metrics.append(Metric(f"open a SQLite study of {n_open:,} finished trials and read them", opened, "s", "lower"))
        if lib.__name__ == "albacore":
            long_url = _on_disk(directory, lib, n_long)
            long_open = open_seconds(lib, long_url, n_long)
            metrics.append(
                Metric(f"open a SQLite study of {n_long:,} finished trials and read them", long_open, "s", "lower")
            )
            per_trial = cache_bytes_per_trial(lib, long_url, n_long)
            metrics.append(Metric("cache memory per finished trial (3 params)", per_trial, "bytes", "lower"))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    emit(metrics)


if __name__ == "__main__":
    main()

"""Many worker processes on one PostgreSQL study with TPE: throughput, and no trial lost or duplicated.

32 processes (forked, each with its own storage connection, as separate scripts on a cluster would be) load one
study and run ``optimize(n_trials=...)`` with ``TPESampler`` on a cheap objective. Afterwards the study must hold
exactly 32 x n trials, all COMPLETE, numbered 0..N-1 once each; the script fails otherwise. Throughput is the
finished trials per second of wall time, from the first worker's start to the last one's end.

Full mode needs ``ALBACORE_TEST_POSTGRES_URL`` (for example ``postgresql://postgres@127.0.0.1:5432/test``); the
quick mode (4 processes on a temporary SQLite file) only checks that the script runs.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time
import uuid
from typing import Any

from _common import Metric, emit, fresh_postgres_database, parse_args


def objective(trial: Any) -> float:
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_float("y", -10, 10)
    return (x - 2) ** 2 + (y + 1) ** 2


def _worker(lib_name: str, url: str, study_name: str, n_trials: int, seed: int) -> None:
    import importlib

    lib = importlib.import_module(lib_name)
    lib.logging.set_verbosity(lib.logging.WARNING)
    study = lib.load_study(study_name=study_name, storage=url, sampler=lib.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=n_trials)


def main() -> None:
    lib, quick, _ = parse_args(__doc__ or "")
    if quick:
        with tempfile.TemporaryDirectory() as tmp:
            run(lib, f"sqlite:///{os.path.join(tmp, 'many.db')}", "SQLite", n_workers=4, n_trials=5)
    else:
        with fresh_postgres_database(os.environ["ALBACORE_TEST_POSTGRES_URL"]) as (url, _, _):
            run(lib, url, "PostgreSQL", n_workers=32, n_trials=25)


def run(lib: Any, url: str, kind: str, *, n_workers: int, n_trials: int) -> None:
    """Run the workers on a new study at ``url``, check its trials, and print the throughput."""
    study_name = f"many-workers-{uuid.uuid4().hex[:8]}"
    lib.create_study(study_name=study_name, storage=url)
    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_worker, args=(lib.__name__, url, study_name, n_trials, seed))
        for seed in range(n_workers)
    ]
    start = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    failed = [w.exitcode for w in workers if w.exitcode != 0]
    if failed:
        raise SystemExit(f"{len(failed)} workers failed: exit codes {failed}")

    trials = lib.load_study(study_name=study_name, storage=url).trials
    expected = n_workers * n_trials
    numbers = sorted(t.number for t in trials)
    if numbers != list(range(expected)):
        raise SystemExit(f"expected trials numbered 0..{expected - 1} once each, got {len(numbers)} trials")
    if any(t.state.name != "COMPLETE" for t in trials):
        raise SystemExit("a trial is not COMPLETE: " + str(sorted({t.state.name for t in trials})))
    emit(
        [
            Metric(
                f"{n_workers} processes on one {kind} study, TPE, {expected} trials, none lost or duplicated",
                expected / elapsed,
                "trials/s",
                "higher",
            )
        ]
    )


if __name__ == "__main__":
    main()

"""Dask: a study behind the scheduler (``DaskStorage``) on a LocalCluster of worker processes.

Both libraries run the pattern of optuna-examples' ``dask_simple.py``: ``client.submit(study.optimize, objective,
n_trials=..., pure=False)`` once per worker, the study in the scheduler's memory (albacore's
``albacore.integration.dask.DaskStorage``, optuna-integration's ``optuna_integration.dask.DaskStorage``).

- speed-up of 2 worker processes over 1 on a CPU-bound objective (about 20 ms of pure Python per trial);
- per-trial overhead: wall time per trial of a trivial objective with 2 workers, and the same with a read of
  the study's trials inside the objective (what a model-based sampler does every trial), random sampler; and the
  CPU time per trial of every process of the cluster (client, scheduler, nannies, workers), which a loaded
  machine disturbs much less than wall time.

The clusters are started (and every worker has imported the library) before any clock starts. ``--trials N``
sets the number of trials of the two light runs (300 by default): CPU time is counted in clock ticks of 10 ms
per process, so a longer run gives a finer figure.
"""

from __future__ import annotations

import importlib
import time
from typing import Any

import psutil
from _common import Metric, emit, own_arguments, parse_args
from dask.distributed import Client, LocalCluster, wait


def cpu_bound(trial: Any) -> float:
    x = trial.suggest_float("x", -1, 1)
    total = 0.0
    for i in range(300_000):  # about 20 ms of pure-Python work: CPU-bound
        total += (x * i) % 7
    return total


def trivial(trial: Any) -> float:
    return float(trial.suggest_float("x", -1, 1) ** 2)


def reads_history(trial: Any) -> float:
    trial.study.get_trials(deepcopy=False)
    return trivial(trial)


def _storage(lib: Any, client: Client) -> Any:
    if lib.__name__ == "albacore":
        from albacore.integration.dask import DaskStorage

        return DaskStorage(client=client)
    from optuna_integration.dask import DaskStorage as IntegrationDaskStorage

    return IntegrationDaskStorage(client=client)


def _cpu_seconds() -> float:
    """CPU time used so far by this process (client and scheduler) and its children (nannies, workers)."""
    me = psutil.Process()
    total = 0.0
    for process in [me, *me.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def _run(lib: Any, client: Client, objective: Any, n_workers: int, n_trials: int) -> tuple[float, float]:
    """Wall seconds and CPU seconds (every process of the cluster) for ``n_trials`` trials over ``n_workers``."""
    study = lib.create_study(storage=_storage(lib, client), sampler=lib.samplers.RandomSampler(seed=0))
    per_task = n_trials // n_workers
    cpu = _cpu_seconds()
    start = time.perf_counter()
    futures = [client.submit(study.optimize, objective, n_trials=per_task, pure=False) for _ in range(n_workers)]
    wait(futures)
    for future in futures:
        future.result()
    elapsed = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu
    assert len(study.trials) == per_task * n_workers
    return elapsed, cpu


def _quiet(lib_name: str) -> None:
    importlib.import_module(lib_name).logging.set_verbosity(30)  # warnings only, as in this process


def _cluster(n_workers: int, lib_name: str) -> tuple[LocalCluster, Client]:
    cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0")
    client = Client(cluster)
    client.run(_quiet, lib_name)  # every worker pays its imports before the clock starts
    if lib_name == "optuna":
        client.run(importlib.import_module, "optuna_integration.dask")
        client.run_on_scheduler(importlib.import_module, "optuna_integration.dask")
    return cluster, client


def main() -> None:
    own = own_arguments("trials")
    lib, quick, _ = parse_args(__doc__ or "")
    lib_name = lib.__name__
    cpu_trials = 8 if quick else 40
    light_trials = own.trials or (40 if quick else 300)

    cluster, client = _cluster(1, lib_name)
    try:
        _run(lib, client, trivial, 1, 4)  # warm-up: first task, first study
        one, _ = _run(lib, client, cpu_bound, 1, cpu_trials)
    finally:
        client.close()
        cluster.close()

    cluster, client = _cluster(2, lib_name)
    try:
        _run(lib, client, trivial, 2, 4)
        two, _ = _run(lib, client, cpu_bound, 2, cpu_trials)
        light, light_cpu = _run(lib, client, trivial, 2, light_trials)
        history, history_cpu = _run(lib, client, reads_history, 2, light_trials)
    finally:
        client.close()
        cluster.close()

    emit(
        [
            Metric(
                "Dask LocalCluster, CPU-bound objective, speed-up of 2 worker processes over 1",
                one / two,
                "x",
                "higher",
            ),
            Metric(
                f"Dask LocalCluster, 2 workers, trivial objective, {light_trials} trials: time per trial",
                1000 * light / light_trials,
                "ms",
                "lower",
            ),
            Metric(
                f"Dask LocalCluster, 2 workers, objective reading the study's trials, {light_trials} trials: "
                "time per trial",
                1000 * history / light_trials,
                "ms",
                "lower",
            ),
            Metric(
                f"Dask LocalCluster, 2 workers, trivial objective, {light_trials} trials: CPU time per trial, "
                "all processes",
                1000 * light_cpu / light_trials,
                "ms",
                "lower",
            ),
            Metric(
                f"Dask LocalCluster, 2 workers, objective reading the study's trials, {light_trials} trials: "
                "CPU time per trial, all processes",
                1000 * history_cpu / light_trials,
                "ms",
                "lower",
            ),
        ]
    )


if __name__ == "__main__":
    main()

import os

from dask.distributed import Client, LocalCluster, wait

import albacore
from albacore.integration.dask import DaskStorage
from albacore.storages import InMemoryStorage, RetryHeartbeatStaleTrialCallback


def objective(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_int("y", 0, 10)
    return (x - 2) ** 2 + y


if __name__ == "__main__":
    # On a real cluster: export DASK_SCHEDULER_ADDRESS=tcp://scheduler:8786 (from `dask scheduler`).
    address = os.environ.get("DASK_SCHEDULER_ADDRESS")
    cluster = None if address else LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0")
    with Client(address or cluster) as client:
        # The study lives behind the scheduler. Heartbeats make a killed worker's trial FAIL (and retried).
        memory = InMemoryStorage(
            heartbeat_interval=10, grace_period=30, heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback()
        )
        study = albacore.create_study(storage=DaskStorage(memory, client=client))

        # 1. The loop stays here (budget, callbacks, progress bar, Ctrl-C); each trial is a Dask task.
        study.optimize(objective, n_trials=20, executor=client.get_executor())

        # 2. Or optimize on every worker, as with optuna-integration's DaskStorage.
        futures = [client.submit(study.optimize, objective, n_trials=10, pure=False) for _ in range(2)]
        wait(futures)
        for future in futures:
            future.result()

        print(f"{len(study.trials)} trials, best {study.best_params} -> {study.best_value:.4f}")
    if cluster is not None:
        cluster.close()

"""A worker process for the chaos tests: runs trials and kills itself with SIGKILL at a chosen point.

    python _chaos_worker.py KIND LOCATION STUDY KILL_POINT N_TRIALS

KIND is sqlite, postgresql, mysql, journal or redis; LOCATION the file path or server URL (for redis, URL and key
prefix separated by a space is not needed: the study name is used as prefix); KILL_POINT is one of none,
after_create, between_params, before_tell.
"""

from __future__ import annotations

import os
import signal
import sys
import time

import albacore
from albacore.storages import BaseStorage, RetryHeartbeatStaleTrialCallback

HEARTBEAT = {"heartbeat_interval": 1, "grace_period": 3}


def make_storage(kind: str, location: str, study_name: str) -> BaseStorage:
    """The storage the chaos tests share between workers, with heartbeats and one retry per failed trial."""
    retry = RetryHeartbeatStaleTrialCallback(max_retry=1)
    if kind in ("sqlite", "postgresql", "mysql"):
        from albacore.storages import RDBStorage

        url = f"sqlite:///{location}" if kind == "sqlite" else location
        return RDBStorage(url, heartbeat_stale_trial_callback=retry, **HEARTBEAT)
    from albacore.storages import JournalStorage
    from albacore.storages.journal import JournalFileBackend, JournalRedisBackend

    backend = (
        JournalFileBackend(location) if kind == "journal" else JournalRedisBackend(location, prefix=f"{study_name}:")
    )
    return JournalStorage(backend, heartbeat_stale_trial_callback=retry, **HEARTBEAT)


def main() -> None:
    kind, location, study_name, kill_point, n_trials = sys.argv[1:6]
    albacore.logging.set_verbosity(albacore.logging.WARNING)
    storage = make_storage(kind, location, study_name)
    study = albacore.create_study(
        storage=storage,
        study_name=study_name,
        load_if_exists=True,
        sampler=albacore.samplers.RandomSampler(seed=os.getpid()),
    )

    def objective(trial: albacore.Trial) -> float:
        if kill_point == "after_create":
            os.kill(os.getpid(), signal.SIGKILL)
        x = trial.suggest_float("x", 0, 1)
        trial.report(x, 0)  # sends x to the storage
        if kill_point == "between_params":
            os.kill(os.getpid(), signal.SIGKILL)
        y = trial.suggest_float("y", 0, 1)
        time.sleep(0.01)
        if kill_point == "before_tell":
            os.kill(os.getpid(), signal.SIGKILL)
        return x + y

    study.optimize(objective, n_trials=int(n_trials))


if __name__ == "__main__":
    main()

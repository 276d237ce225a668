import multiprocessing
import os
import time
import warnings

import albacore
from albacore.storages import JournalStorage, RetryHeartbeatStaleTrialCallback
from albacore.storages.journal import JournalFileBackend


def open_storage() -> JournalStorage:
    # Every running trial is stamped each second; a trial without a stamp for 2 seconds is stale.
    return JournalStorage(
        JournalFileBackend("study.log"),
        heartbeat_interval=1,
        grace_period=2,
        heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=1),
    )


def worker_that_dies() -> None:
    study = albacore.load_study(study_name="crashy", storage=open_storage())
    # ask() warns that a trial never told stays RUNNING while its process lives: that is the point here.
    warnings.filterwarnings("ignore", "This storage writes heartbeats", UserWarning)
    trial = study.ask()
    trial.suggest_float("x", 0, 1)
    trial.report(0.5, step=0)  # the parameter and a report reach the storage
    os._exit(1)  # killed before it could tell: no exception handler, no cleanup runs


if __name__ == "__main__":
    study = albacore.create_study(study_name="crashy", storage=open_storage())
    process = multiprocessing.Process(target=worker_that_dies)
    process.start()
    process.join()
    print("after the crash:", [t.state.name for t in study.trials])  # ['RUNNING']

    time.sleep(3)  # longer than the grace period
    # The next ask (here inside optimize) fails the stale trial and runs its retry first, same parameters.
    study.optimize(lambda trial: trial.suggest_float("x", 0, 1) ** 2, n_trials=2)
    states = [t.state.name for t in study.trials]
    print("after the next optimize:", states)  # ['FAIL', 'COMPLETE', 'COMPLETE']
    assert states == ["FAIL", "COMPLETE", "COMPLETE"], states
    assert study.trials[1].params == study.trials[0].params  # the retry
    assert RetryHeartbeatStaleTrialCallback.retried_trial_number(study.trials[1]) == 0

import os

import albacore
from albacore.study import MaxTrialsCallback
from albacore.trial import TrialState

# On a cluster: export ALBACORE_STORAGE=postgresql://user:password@host:5432/database on every machine.
URL = os.environ.get("ALBACORE_STORAGE", "sqlite:///worker.db")


def objective(trial: albacore.Trial) -> float:
    x = trial.suggest_float("x", -10, 10)
    return -((x - 3) ** 2)


if __name__ == "__main__":
    storage = albacore.storages.RDBStorage(
        URL,
        heartbeat_interval=60,
        grace_period=180,
        heartbeat_stale_trial_callback=albacore.storages.RetryHeartbeatStaleTrialCallback(max_retry=1),
    )
    study = albacore.create_study(study_name="resnet", direction="maximize", storage=storage, load_if_exists=True)
    # Stop every worker once the study holds 50 complete trials, whoever ran them.
    stop_at_total = MaxTrialsCallback(50, states=(TrialState.COMPLETE,))
    study.optimize(objective, n_trials=30, callbacks=[stop_at_total])
    print(len(study.trials), "trials in the study")

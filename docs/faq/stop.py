import albacore
from albacore.study import MaxTrialsCallback
from albacore.trial import TrialState


def objective(trial: albacore.Trial) -> float:
    return trial.suggest_float("x", -1, 1) ** 2


study = albacore.create_study(storage="sqlite:///stop.db", study_name="shared")

# Every worker stops once the study holds 25 complete trials in total, whoever ran them.
study.optimize(objective, n_trials=100, callbacks=[MaxTrialsCallback(25, states=(TrialState.COMPLETE,))])
print(len(study.trials), "trials")


# Stop on a condition of your own: study.stop() from a callback ends the current optimize call.
def stop_when_good_enough(study: albacore.Study, trial: albacore.trial.FrozenTrial) -> None:
    if study.best_value < 1e-3:
        study.stop()


study = albacore.create_study()
study.optimize(objective, n_trials=1000, callbacks=[stop_when_good_enough])
print(f"stopped after {len(study.trials)} trials at {study.best_value:.2e}")

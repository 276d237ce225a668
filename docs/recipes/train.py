"""The objective that the Slurm and Kubernetes recipes run with `albacore worker ... train:objective`."""

import math

import albacore


def objective(trial: albacore.Trial) -> float:
    learning_rate = trial.suggest_float("learning_rate", 1e-4, 1e-1, log=True)
    depth = trial.suggest_int("depth", 2, 8)
    loss = 1.0
    for epoch in range(5):  # stands for training; report so that the pruner can stop bad trials early
        loss = abs(math.log10(learning_rate) + 2.5) / (depth + epoch) + 0.01 * depth
        trial.report(loss, epoch)
        if trial.should_prune():
            raise albacore.TrialPruned()
    return loss


if __name__ == "__main__":
    # What one worker does, on a local SQLite file: `albacore worker` runs this same loop.
    study = albacore.create_study(storage="sqlite:///train.db", study_name="demo", load_if_exists=True)
    study.optimize(objective, n_trials=5)
    print(study.best_params)

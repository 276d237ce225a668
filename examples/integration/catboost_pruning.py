"""Prune unpromising CatBoost trainings on scikit-learn's wine data with CatBoostPruningCallback.

python examples/integration/catboost_pruning.py [--trials 30] [--storage sqlite:///catboost-pruning.db]

CatBoost does not let a callback raise, so the callback stops training and ``check_pruned()``, called right after
``fit``, ends the trial as PRUNED.
"""

from __future__ import annotations

import argparse

import catboost
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split

import albacore as optuna


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--storage", default=None)
    args = parser.parse_args()

    x, y = load_wine(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)

    def objective(trial: optuna.Trial) -> float:
        model = catboost.CatBoostClassifier(
            iterations=150,
            learning_rate=trial.suggest_float("learning_rate", 1e-3, 0.3, log=True),
            depth=trial.suggest_int("depth", 2, 8),
            l2_leaf_reg=trial.suggest_float("l2_leaf_reg", 1e-3, 10.0, log=True),
            eval_metric="MultiClass",
            thread_count=1,
            verbose=0,
            allow_writing_files=False,
        )
        pruning = optuna.integration.CatBoostPruningCallback(trial, "MultiClass")
        model.fit(x_train, y_train, eval_set=[(x_valid, y_valid)], callbacks=[pruning])
        pruning.check_pruned()  # raises TrialPruned if the pruner stopped the training
        return float(model.get_best_score()["validation"]["MultiClass"])

    study = optuna.create_study(
        study_name="catboost-pruning",
        storage=args.storage,
        load_if_exists=args.storage is not None,
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=10),
    )
    study.optimize(objective, n_trials=args.trials)
    pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
    print(f"best multiclass logloss {study.best_value:.5f} with {study.best_params}; {pruned} trials pruned")


if __name__ == "__main__":
    main()

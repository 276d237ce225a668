"""Prune unpromising XGBoost trainings on scikit-learn's breast cancer data with XGBoostPruningCallback.

python examples/integration/xgboost_pruning.py [--trials 40] [--storage sqlite:///xgb-pruning.db]
"""

from __future__ import annotations

import argparse

import xgboost as xgb
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

import albacore as optuna


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--storage", default=None)
    args = parser.parse_args()

    x, y = load_breast_cancer(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    dtrain, dvalid = xgb.DMatrix(x_train, label=y_train), xgb.DMatrix(x_valid, label=y_valid)

    def objective(trial: optuna.Trial) -> float:
        params = {
            "objective": "binary:logistic",
            "eval_metric": "logloss",
            "nthread": 1,
            "eta": trial.suggest_float("eta", 1e-3, 0.5, log=True),
            "max_depth": trial.suggest_int("max_depth", 1, 8),
            "subsample": trial.suggest_float("subsample", 0.5, 1.0),
            "lambda": trial.suggest_float("lambda", 1e-8, 10.0, log=True),
        }
        # Reports validation logloss every round; raises TrialPruned when the pruner stops the trial.
        pruning = optuna.integration.XGBoostPruningCallback(trial, "validation-logloss")
        history: dict[str, dict[str, list[float]]] = {}
        xgb.train(
            params,
            dtrain,
            num_boost_round=150,
            evals=[(dvalid, "validation")],
            evals_result=history,
            verbose_eval=False,
            callbacks=[pruning],
        )
        return min(history["validation"]["logloss"])

    study = optuna.create_study(
        study_name="xgb-pruning",
        storage=args.storage,
        load_if_exists=args.storage is not None,
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=10),
    )
    study.optimize(objective, n_trials=args.trials)
    pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
    print(f"best logloss {study.best_value:.5f} with {study.best_params}; {pruned} trials pruned")


if __name__ == "__main__":
    main()

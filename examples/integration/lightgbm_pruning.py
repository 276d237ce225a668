"""Prune unpromising LightGBM trainings on scikit-learn's wine data with LightGBMPruningCallback.

python examples/integration/lightgbm_pruning.py [--trials 40] [--storage sqlite:///lgbm-pruning.db]
"""

from __future__ import annotations

import argparse

import lightgbm as lgb
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split

import albacore as optuna


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--storage", default=None)
    args = parser.parse_args()

    x, y = load_wine(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(x, y, test_size=0.3, random_state=0, stratify=y)

    def objective(trial: optuna.Trial) -> float:
        params = {
            "objective": "multiclass",
            "num_class": 3,
            "metric": "multi_logloss",
            "verbosity": -1,
            "num_threads": 1,
            "learning_rate": trial.suggest_float("learning_rate", 1e-3, 0.3, log=True),
            "num_leaves": trial.suggest_int("num_leaves", 2, 64, log=True),
            "min_child_samples": trial.suggest_int("min_child_samples", 2, 40),
            "lambda_l2": trial.suggest_float("lambda_l2", 1e-8, 10.0, log=True),
        }
        train = lgb.Dataset(x_train, y_train)
        valid = lgb.Dataset(x_valid, y_valid, reference=train)
        pruning = optuna.integration.LightGBMPruningCallback(trial, "multi_logloss")
        booster = lgb.train(params, train, num_boost_round=200, valid_sets=[valid], callbacks=[pruning])
        return float(booster.best_score["valid_0"]["multi_logloss"])

    study = optuna.create_study(
        study_name="lgbm-pruning",
        storage=args.storage,
        load_if_exists=args.storage is not None,
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=20),
    )
    study.optimize(objective, n_trials=args.trials)
    pruned = sum(t.state == optuna.trial.TrialState.PRUNED for t in study.trials)
    print(f"best multi_logloss {study.best_value:.5f} with {study.best_params}; {pruned} trials pruned")


if __name__ == "__main__":
    main()

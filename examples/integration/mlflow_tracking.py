"""Track every trial in MLflow: tune a scikit-learn SVC on the iris data, one MLflow run per trial.

python examples/integration/mlflow_tracking.py [--trials 20] [--tracking-uri sqlite:///mlflow.db] [--n-jobs 4]

Each run holds the trial's parameters, its accuracy, and the per-fold scores the objective logs itself (through
``track_in_mlflow``); the runs are grouped under one parent run named after the study. Browse them with
``mlflow ui --backend-store-uri sqlite:///mlflow.db`` (the UI comes with the full ``mlflow`` package).
"""

from __future__ import annotations

import argparse

import mlflow
from sklearn.datasets import load_iris
from sklearn.model_selection import cross_val_score
from sklearn.svm import SVC

import albacore as optuna


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--tracking-uri", default="sqlite:///mlflow.db")
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    x, y = load_iris(return_X_y=True)
    tracking = optuna.integration.MLflowCallback(
        tracking_uri=args.tracking_uri, metric_name="accuracy", mlflow_kwargs={"nested": True}
    )

    @tracking.track_in_mlflow()
    def objective(trial: optuna.Trial) -> float:
        model = SVC(
            C=trial.suggest_float("C", 1e-3, 1e3, log=True), gamma=trial.suggest_float("gamma", 1e-4, 10, log=True)
        )
        scores = cross_val_score(model, x, y, cv=5)
        for fold, score in enumerate(scores):
            mlflow.log_metric("fold_accuracy", float(score), step=fold)  # goes to this trial's run
        return float(scores.mean())

    study = optuna.create_study(study_name="iris-svc", direction="maximize")
    # Threads log in parallel: each trial has its own run.
    study.optimize(objective, n_trials=args.trials, n_jobs=args.n_jobs, callbacks=[tracking])
    print(f"best accuracy {study.best_value:.4f} with {study.best_params}; runs in {args.tracking_uri}")


if __name__ == "__main__":
    main()

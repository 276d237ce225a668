"""Tune a linear classifier on scikit-learn's bundled digits data, with pruning, persisted to SQLite.

Run it twice: the second run continues the same study from ``albacore-demo.db``.

    python examples/quickstart.py [--trials 40] [--storage sqlite:///albacore-demo.db]
"""

from __future__ import annotations

import argparse

import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

import albacore

EPOCHS = 20


def make_objective(seed: int = 0) -> albacore.study.ObjectiveFuncType:
    """Return an objective that trains for EPOCHS epochs, reporting validation accuracy after each."""
    x, y = load_digits(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(x, y, test_size=0.25, random_state=seed, stratify=y)
    scaler = StandardScaler().fit(x_train)
    x_train, x_valid = scaler.transform(x_train), scaler.transform(x_valid)
    classes = np.unique(y)

    def objective(trial: albacore.Trial) -> float:
        clf = SGDClassifier(
            loss=trial.suggest_categorical("loss", ["hinge", "log_loss", "modified_huber"]),
            alpha=trial.suggest_float("alpha", 1e-6, 1e-1, log=True),
            penalty=trial.suggest_categorical("penalty", ["l2", "l1", "elasticnet"]),
            learning_rate="adaptive",
            eta0=trial.suggest_float("eta0", 1e-4, 1.0, log=True),
            random_state=trial.number,
        )
        accuracy = 0.0
        for epoch in range(EPOCHS):
            clf.partial_fit(x_train, y_train, classes=classes)
            accuracy = float(clf.score(x_valid, y_valid))
            trial.report(accuracy, epoch)
            if trial.should_prune():
                raise albacore.TrialPruned()
        return accuracy

    return objective


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--storage", default="sqlite:///albacore-demo.db")
    args = parser.parse_args()

    study = albacore.create_study(
        study_name="digits-sgd",
        storage=args.storage,
        direction="maximize",
        pruner=albacore.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=3),
        load_if_exists=True,
    )
    before = len(study.trials)
    study.optimize(make_objective(), n_trials=args.trials)

    states = [t.state for t in study.trials[before:]]
    pruned = sum(s == albacore.trial.TrialState.PRUNED for s in states)
    print(f"\nThis run: {len(states)} trials, {pruned} pruned early. Study total: {len(study.trials)} trials.")
    print(f"Best validation accuracy: {study.best_value:.4f} (trial {study.best_trial.number})")
    print(f"Best params: {study.best_params}")


if __name__ == "__main__":
    main()

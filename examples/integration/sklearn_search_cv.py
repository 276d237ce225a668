"""Tune an SVC on scikit-learn's digits with OptunaSearchCV; several processes can share one study.

    python examples/integration/sklearn_search_cv.py [--trials 20] [--storage sqlite:///search.db]

Run it in several terminals with the same ``--storage``: the searches pool their trials, because they score
the same data on the same splits.
"""

from __future__ import annotations

import argparse

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

import albacore as optuna


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--storage", default=None, help="for example sqlite:///search.db")
    args = parser.parse_args()

    x, y = load_digits(return_X_y=True)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    study = None
    if args.storage is not None:
        study = optuna.create_study(
            study_name="digits-svc", storage=args.storage, direction="maximize", load_if_exists=True
        )
    search = optuna.integration.OptunaSearchCV(
        make_pipeline(StandardScaler(), SVC()),
        {
            "svc__C": optuna.distributions.FloatDistribution(1e-2, 1e3, log=True),
            "svc__gamma": optuna.distributions.FloatDistribution(1e-5, 1e-1, log=True),
        },
        n_trials=args.trials,
        cv=3,
        study=study,
        random_state=0,
    )
    search.fit(x_train, y_train)
    print(f"best cross-validated accuracy {search.best_score_:.4f} with {search.best_params_}")
    print(f"held-out accuracy {search.score(x_test, y_test):.4f} over {search.n_trials_} trials")


if __name__ == "__main__":
    main()

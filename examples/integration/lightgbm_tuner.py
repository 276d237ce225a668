"""Tune LightGBM stepwise on scikit-learn's breast cancer data: LightGBMTuner, then LightGBMTunerCV.

    python examples/integration/lightgbm_tuner.py [--rounds 200] [--storage sqlite:///lgbm.db] [--model-dir models]

With ``--storage`` several processes can run it at once: they divide each step's trials between them, and with
``--model-dir`` any of them can load the best booster, whoever trained it.
"""

from __future__ import annotations

import argparse

import lightgbm
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split

import albacore as optuna
import albacore.integration.lightgbm as lgb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--storage", default=None)
    parser.add_argument("--model-dir", default=None)
    args = parser.parse_args()

    x, y = load_breast_cancer(return_X_y=True)
    x_train, x_valid, y_train, y_valid = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    train = lgb.Dataset(x_train, y_train)
    valid = lgb.Dataset(x_valid, y_valid, reference=train)
    params = {"objective": "binary", "metric": "binary_logloss", "verbosity": -1, "num_threads": 1}
    study = None
    if args.storage is not None:
        study = optuna.create_study(study_name="lgbm-tuner", storage=args.storage, load_if_exists=True)

    tuner = lgb.LightGBMTuner(
        params,
        train,
        num_boost_round=args.rounds,
        valid_sets=[valid],
        callbacks=[lgb.early_stopping(20, verbose=False)],
        study=study,
        model_dir=args.model_dir,
        optuna_seed=0,
    )
    tuner.run()
    print(f"validation log loss {tuner.best_score:.5f} with {tuner.best_params}")

    # The best parameters retrain to the same score: nothing of the tuner's state is hidden in them.
    retrained = lightgbm.train(
        tuner.best_params,
        lgb.Dataset(x_train, y_train),
        num_boost_round=args.rounds,
        valid_sets=[lgb.Dataset(x_valid, y_valid)],
        callbacks=[lgb.early_stopping(20, verbose=False)],
    )
    print(f"retrained from best_params: {retrained.best_score['valid_0']['binary_logloss']:.5f}")

    tuner_cv = lgb.LightGBMTunerCV(
        params,
        lgb.Dataset(x, y),
        num_boost_round=args.rounds,
        nfold=5,
        callbacks=[lgb.early_stopping(20, verbose=False)],
        return_cvbooster=True,
        optuna_seed=0,
    )
    tuner_cv.run()
    print(f"5-fold log loss {tuner_cv.best_score:.5f}; {len(tuner_cv.get_best_booster().boosters)} fold boosters")


if __name__ == "__main__":
    main()

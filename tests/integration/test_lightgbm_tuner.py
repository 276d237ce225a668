"""LightGBMTuner and LightGBMTunerCV against the real LightGBM, on scikit-learn's bundled data sets."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

lightgbm = pytest.importorskip("lightgbm")
pytest.importorskip("sklearn")

from sklearn.datasets import load_breast_cancer, load_diabetes  # noqa: E402 - after the skips

import albacore  # noqa: E402
import albacore.integration.lightgbm as lgb  # noqa: E402
from albacore.exceptions import InvalidArgumentError  # noqa: E402
from albacore.trial import TrialState  # noqa: E402

# One thread: LightGBM's OpenMP pool spins badly on a busy two-core machine, and the results do not change.
PARAMS: dict[str, Any] = {"objective": "binary", "metric": "binary_logloss", "verbosity": -1, "num_threads": 1}


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    verbosity = albacore.logging.get_verbosity()
    albacore.logging.set_verbosity(albacore.logging.WARNING)
    yield
    albacore.logging.set_verbosity(verbosity)


def _cancer() -> tuple[Any, Any]:
    X, y = load_breast_cancer(return_X_y=True)
    train = lightgbm.Dataset(X[:400], y[:400])
    return train, lightgbm.Dataset(X[400:], y[400:], reference=train)


def _tuner(**kwargs: Any) -> lgb.LightGBMTuner:
    train, valid = _cancer()
    options: dict[str, Any] = {
        "num_boost_round": 30,
        "valid_sets": [train, valid],
        "show_progress_bar": False,
        "optuna_seed": 0,
    }
    options.update(kwargs)
    return lgb.LightGBMTuner(dict(PARAMS), train, **options)


def test_the_facade_is_lightgbm_with_a_tuning_train() -> None:
    assert lgb.Dataset is lightgbm.Dataset and lgb.cv is lightgbm.cv
    assert lgb.early_stopping is lightgbm.early_stopping
    assert lgb.train is not lightgbm.train
    assert albacore.integration.LightGBMTuner is lgb.LightGBMTuner


def test_best_score_is_what_retraining_with_best_params_gives() -> None:
    # optuna#5988: the tuner's best_score differed from lightgbm.train with its best params.
    tuner = _tuner(callbacks=[lightgbm.early_stopping(3, verbose=False)])
    tuner.tune_feature_fraction(n_trials=3)
    tuner.tune_num_leaves(n_trials=3)
    tuner.tune_min_data_in_leaf()  # lowers min_child_samples below LightGBM's default of 20
    train, valid = _cancer()
    booster = lightgbm.train(
        tuner.best_params,
        train,
        num_boost_round=30,
        valid_sets=[train, valid],
        callbacks=[lightgbm.early_stopping(3, verbose=False)],
    )
    assert booster.best_score["valid_1"]["binary_logloss"] == tuner.best_score
    assert tuner.get_best_booster().best_score["valid_1"]["binary_logloss"] == tuner.best_score
    assert tuner.best_score == tuner.study.best_value


def test_an_early_stopping_callback_is_not_shared_between_trials() -> None:
    # optuna-examples#72: one early_stopping object carried its best score from one trial into the next.
    shared = lightgbm.early_stopping(2, verbose=False)
    tuner = _tuner(callbacks=[shared], num_boost_round=60)
    tuner.tune_feature_fraction(n_trials=4)
    train, valid = _cancer()
    for trial in tuner.study.trials:
        params = dict(tuner.best_params)
        params["feature_fraction"] = trial.params["feature_fraction"]
        alone = lightgbm.train(
            params, train, 60, valid_sets=[train, valid], callbacks=[lightgbm.early_stopping(2, verbose=False)]
        )
        assert alone.best_score["valid_1"]["binary_logloss"] == trial.value


def test_run_goes_through_every_step_in_order() -> None:
    tuner = _tuner(num_boost_round=5)
    tuner.run()
    steps = [t.system_attrs["lightgbm_tuner:step_name"] for t in tuner.study.trials]
    order = ["feature_fraction", "num_leaves", "bagging", "feature_fraction_stage2", "regularization_factors"]
    order.append("min_child_samples")
    assert [steps.count(name) for name in order] == [7, 20, 10, 6, 20, 5]
    assert sorted(set(steps), key=steps.index) == order
    best_trial = min(tuner.study.trials, key=lambda t: (t.value, t.number))
    for name, value in best_trial.params.items():
        assert tuner.best_params[name] == value  # each step starts from the best so far and keeps it
    assert all(t.state == TrialState.COMPLETE for t in tuner.study.trials)
    assert tuner.best_score == min(t.value for t in tuner.study.trials)


def test_user_aliases_of_tuned_parameters_are_replaced() -> None:
    tuner = _tuner(num_boost_round=5)
    tuner.lgbm_params["min_data_in_leaf"] = 40
    tuner.lgbm_params["sub_feature"] = 0.3
    tuner.tune_min_data_in_leaf()
    best = tuner.best_params
    assert "min_data_in_leaf" not in best and best["min_child_samples"] in {5, 10, 25, 50, 100}
    assert best["sub_feature"] == 0.3  # not tuned in this run: kept as given


def test_same_seed_same_proposals() -> None:
    first, second = _tuner(num_boost_round=5), _tuner(num_boost_round=5)
    for tuner in (first, second):
        tuner.tune_num_leaves(n_trials=6)
    assert [t.params for t in first.study.trials] == [t.params for t in second.study.trials]


def test_a_study_is_resumed_and_boosters_reload_from_model_dir(tmp_path: Path) -> None:
    study = albacore.create_study(direction="minimize")
    first = _tuner(study=study, model_dir=str(tmp_path), num_boost_round=10)
    first.tune_feature_fraction(n_trials=3)
    again = _tuner(study=study, model_dir=str(tmp_path), num_boost_round=10)
    again.tune_feature_fraction(n_trials=3)
    assert len(study.trials) == 3  # the step was already done
    assert again.best_params == first.best_params
    X, _ = load_breast_cancer(return_X_y=True)
    reloaded = again.get_best_booster()
    np.testing.assert_allclose(reloaded.predict(X[400:]), first.get_best_booster().predict(X[400:]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.txt", "1.txt", "2.txt"]
    without_models = _tuner(study=study)
    with pytest.raises(ValueError, match="model_dir"):
        without_models.get_best_booster()


def test_time_budget_stops_starting_trials() -> None:
    tuner = _tuner(time_budget=1e-9)
    tuner.run()
    assert len(tuner.study.trials) <= 1


def test_auc_is_maximised_and_a_mismatched_study_is_refused() -> None:
    tuner = _tuner(num_boost_round=5)
    assert tuner.study.direction == albacore.study.StudyDirection.MINIMIZE
    train, valid = _cancer()
    auc = lgb.LightGBMTuner(
        {**PARAMS, "metric": "auc"}, train, 5, valid_sets=[valid], show_progress_bar=False, optuna_seed=0
    )
    auc.tune_feature_fraction(n_trials=2)
    assert auc.study.direction == albacore.study.StudyDirection.MAXIMIZE
    assert auc.best_score == max(t.value for t in auc.study.trials)
    with pytest.raises(InvalidArgumentError, match="maximize"):
        lgb.LightGBMTuner(
            {**PARAMS, "metric": "auc"}, train, valid_sets=[valid], study=albacore.create_study(direction="minimize")
        )
    with pytest.raises(InvalidArgumentError, match="valid_sets"):
        lgb.LightGBMTuner(dict(PARAMS), train)


def test_a_regression_set() -> None:
    X, y = load_diabetes(return_X_y=True)
    train = lightgbm.Dataset(X[:300], y[:300])
    valid = lightgbm.Dataset(X[300:], y[300:], reference=train)
    params = {"objective": "regression", "metric": "rmse", "verbosity": -1, "num_threads": 1}
    tuner = lgb.LightGBMTuner(params, train, 20, valid_sets=valid, show_progress_bar=False, optuna_seed=1)
    tuner.tune_num_leaves(n_trials=4)
    booster = lightgbm.train(tuner.best_params, lightgbm.Dataset(X[:300], y[:300]), 20)
    rmse = float(np.sqrt(np.mean((booster.predict(X[300:]) - y[300:]) ** 2)))
    assert rmse == pytest.approx(tuner.best_score, rel=1e-9)


def test_train_tunes_and_returns_the_best_booster() -> None:
    train, valid = _cancer()
    booster = lgb.train(dict(PARAMS), train, 3, valid_sets=[valid], show_progress_bar=False, optuna_seed=0)
    assert isinstance(booster, lightgbm.Booster)
    assert booster.num_trees() == 3


def test_tuner_cv_scores_with_lightgbm_cv_and_keeps_cvboosters() -> None:
    X, y = load_breast_cancer(return_X_y=True)
    tuner = lgb.LightGBMTunerCV(
        dict(PARAMS),
        lightgbm.Dataset(X, y),
        num_boost_round=20,
        nfold=3,
        callbacks=[lightgbm.early_stopping(3, verbose=False)],
        return_cvbooster=True,
        show_progress_bar=False,
        optuna_seed=0,
    )
    tuner.tune_feature_fraction(n_trials=3)
    tuner.tune_bagging(n_trials=3)
    again = lightgbm.cv(
        tuner.best_params,
        lightgbm.Dataset(X, y),
        num_boost_round=20,
        nfold=3,
        seed=0,
        callbacks=[lightgbm.early_stopping(3, verbose=False)],
    )
    assert again["valid binary_logloss-mean"][-1] == tuner.best_score
    assert isinstance(tuner.get_best_booster(), lightgbm.CVBooster)
    plain = lgb.LightGBMTunerCV(dict(PARAMS), lightgbm.Dataset(X, y), 5, nfold=3, show_progress_bar=False)
    plain.tune_min_data_in_leaf()
    with pytest.raises(ValueError, match="return_cvbooster"):
        plain.get_best_booster()


def test_grid_points_chosen_at_once_by_two_processes_differ() -> None:
    # Both choose before either trial records its parameters (two processes racing): a point is claimed once.
    from albacore.integration._lightgbm_tuner._params import feature_fraction_step
    from albacore.integration._lightgbm_tuner._sampling import StepProposer

    study = albacore.create_study()
    step = feature_fraction_step()
    proposers = [StepProposer(step, study.direction, seed=0) for _ in range(2)]
    chosen = [p.propose(study)["feature_fraction"] for p in proposers for _ in range(3)]
    assert len(set(chosen)) == 6

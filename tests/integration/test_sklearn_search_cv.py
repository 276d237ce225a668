"""OptunaSearchCV against the real scikit-learn, on its bundled data sets."""

from __future__ import annotations

import pickle
import warnings
from collections.abc import Iterator

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn import set_config
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier
from sklearn.metrics import make_scorer, mean_squared_error
from sklearn.model_selection import GroupKFold, cross_val_predict, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

import albacore
from albacore.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.integration import OptunaSearchCV
from albacore.trial import TrialState


@pytest.fixture(autouse=True)
def _quiet() -> Iterator[None]:
    verbosity = albacore.logging.get_verbosity()
    albacore.logging.set_verbosity(albacore.logging.WARNING)
    yield
    albacore.logging.set_verbosity(verbosity)


def _iris_search(**kwargs: object) -> OptunaSearchCV:
    defaults: dict[str, object] = {"n_trials": 6, "cv": 3, "random_state": 0}
    defaults.update(kwargs)
    return OptunaSearchCV(
        DecisionTreeClassifier(random_state=0),
        {"max_depth": IntDistribution(1, 6), "criterion": CategoricalDistribution(["gini", "entropy"])},
        **defaults,  # type: ignore[arg-type]
    )


def test_fit_finds_the_best_trial_and_refits_it() -> None:
    X, y = load_iris(return_X_y=True)
    search = _iris_search().fit(X, y)
    values = [t.value for t in search.study_.trials if t.state == TrialState.COMPLETE]
    assert search.best_score_ == max(values)
    assert search.best_params_ == search.study_.best_params
    assert search.n_trials_ == 6 and search.n_splits_ == 3
    assert search.best_estimator_.get_params()["max_depth"] == search.best_params_["max_depth"]
    assert search.predict(X).shape == (150,)
    assert search.predict_proba(X).shape == (150, 3)
    np.testing.assert_array_equal(search.classes_, [0, 1, 2])
    assert search.score(X, y) == pytest.approx(search.best_estimator_.score(X, y))
    assert search.refit_time_ >= 0


def test_cv_results_follow_scikit_learn_layout() -> None:
    X, y = load_iris(return_X_y=True)
    search = _iris_search(return_train_score=True).fit(X, y)
    results = search.cv_results_
    assert len(results["params"]) == 6
    means = np.mean([results[f"split{i}_test_score"] for i in range(3)], axis=0)
    np.testing.assert_allclose(results["mean_test_score"], means)
    assert results["rank_test_score"][search.best_index_] == 1
    assert results["mean_test_score"][search.best_index_] == search.best_score_
    assert list(results["param_max_depth"]) == [p["max_depth"] for p in results["params"]]
    assert np.all(results["mean_train_score"] >= 0)
    frame = search.trials_dataframe()
    assert len(frame) == 6 and frame["value"].idxmax() == search.best_index_


def test_same_seed_same_search() -> None:
    X, y = load_iris(return_X_y=True)
    first = _iris_search(random_state=3).fit(X, y)
    second = _iris_search(random_state=3).fit(X, y)
    assert [t.params for t in first.study_.trials] == [t.params for t in second.study_.trials]


def test_clone_pipeline_and_cross_val_score() -> None:
    X, y = load_breast_cancer(return_X_y=True)
    search = OptunaSearchCV(
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=200)),
        {"logisticregression__C": FloatDistribution(1e-3, 1e2, log=True)},
        n_trials=3,
        cv=3,
        random_state=0,
    )
    copy = clone(search)
    assert copy.get_params()["param_distributions"] == search.get_params()["param_distributions"]
    scores = cross_val_score(search, X, y, cv=2)
    assert scores.shape == (2,) and np.all(scores > 0.9)


def test_cross_val_predict_accepts_the_search() -> None:
    # optuna-integration#173: its delegated methods were properties, which scikit-learn >= 1.4 rejects.
    X, y = load_iris(return_X_y=True)
    predictions = cross_val_predict(_iris_search(n_trials=3), X, y, cv=3, method="predict_proba")
    assert predictions.shape == (150, 3)
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0)


class _WeightRecorder(ClassifierMixin, BaseEstimator):
    """A majority-class classifier that records the fit metadata it receives."""

    def __init__(self, c: float = 1.0) -> None:
        self.c = c

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> _WeightRecorder:
        self.seen_weight_ = sample_weight
        self.classes_ = np.unique(y)
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.full(len(X), self.classes_[0])


def test_metadata_routing_sends_score_params_to_the_scorer_only() -> None:
    # optuna-integration#194: with routing enabled, score-only metadata reached the estimator's fit.
    X, y = load_iris(return_X_y=True)
    received: list[int] = []

    def weighted_error(y_true: np.ndarray, y_pred: np.ndarray, score_weight: np.ndarray) -> float:
        received.append(len(score_weight))
        return -float(np.average(y_true != y_pred, weights=score_weight))

    set_config(enable_metadata_routing=True)
    try:
        scorer = make_scorer(weighted_error).set_score_request(score_weight=True)
        estimator = _WeightRecorder().set_fit_request(sample_weight=True)
        search = OptunaSearchCV(
            estimator, {"c": FloatDistribution(0.1, 1.0)}, scoring=scorer, n_trials=2, cv=3, random_state=0
        )
        weights = np.linspace(1.0, 2.0, len(y))
        search.fit(X, y, sample_weight=weights, score_weight=np.ones(len(y)))
    finally:
        set_config(enable_metadata_routing=False)
    assert sorted(set(received)) == [50]  # every test fold of 150 rows in 3 splits
    assert len(search.best_estimator_.seen_weight_) == 150


def test_fit_params_without_routing_go_to_fit_and_are_split_per_fold() -> None:
    X, y = load_iris(return_X_y=True)
    search = OptunaSearchCV(_WeightRecorder(), {"c": FloatDistribution(0.1, 1.0)}, n_trials=1, cv=3)
    search.fit(X, y, sample_weight=np.ones(len(y)))
    assert len(search.best_estimator_.seen_weight_) == 150


def test_groups_reach_the_splitter() -> None:
    X, y = load_iris(return_X_y=True)
    groups = np.arange(len(y)) % 5
    search = _iris_search(cv=GroupKFold(n_splits=5), n_trials=2).fit(X, y, groups=groups)
    assert search.n_splits_ == 5


class _SharedState:
    """A fit callback with state, like LightGBM's early_stopping: each fit must get its own copy."""

    def __init__(self) -> None:
        self.calls = 0


class _CallbackUser(_WeightRecorder):
    def fit(self, X: np.ndarray, y: np.ndarray, callback: _SharedState | None = None) -> _CallbackUser:
        assert callback is not None
        callback.calls += 1
        self.calls_seen_ = callback.calls
        return super().fit(X, y)


def test_stateful_fit_params_are_not_shared_between_fits_or_threads() -> None:
    # optuna-integration#240: one early-stopping callback was shared by trials running in parallel.
    X, y = load_iris(return_X_y=True)
    callback = _SharedState()
    search = OptunaSearchCV(_CallbackUser(), {"c": FloatDistribution(0.1, 1.0)}, n_trials=6, cv=3, n_jobs=2)
    search.fit(X, y, callback=callback)
    assert callback.calls == 1  # only the refit used the caller's object
    assert search.best_estimator_.calls_seen_ == 1


def test_pruning_through_partial_fit_stops_poor_trials() -> None:
    X, y = load_digits(return_X_y=True)
    study = albacore.create_study(
        direction="maximize",
        pruner=albacore.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1),
        sampler=albacore.samplers.RandomSampler(seed=0),
    )
    search = OptunaSearchCV(
        SGDClassifier(random_state=0),
        {"alpha": FloatDistribution(1e-6, 1e2, log=True)},
        enable_pruning=True,
        max_iter=5,
        n_trials=12,
        cv=2,
        study=study,
    )
    search.fit(X, y)
    states = [t.state for t in study.trials]
    assert TrialState.PRUNED in states
    completed = [t for t in study.trials if t.state == TrialState.COMPLETE]
    assert all(len(t.intermediate_values) == 5 for t in completed)
    assert search.best_score_ > 0.8


def test_error_score_number_and_raise() -> None:
    X, y = load_iris(return_X_y=True)
    bad = {"C": FloatDistribution(-2.0, -1.0)}  # LogisticRegression rejects a negative C
    with pytest.raises(ValueError, match=r"none of the 2 trials completed.*C"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        OptunaSearchCV(LogisticRegression(), bad, n_trials=2, cv=2).fit(X, y)
    with pytest.raises(ValueError, match="C"):
        OptunaSearchCV(LogisticRegression(), bad, n_trials=2, cv=2, error_score="raise").fit(X, y)


def test_subsample_searches_on_fewer_rows_and_refits_on_all() -> None:
    X, y = load_diabetes(return_X_y=True)
    search = OptunaSearchCV(
        Ridge(), {"alpha": FloatDistribution(1e-3, 10, log=True)}, subsample=0.5, n_trials=3, cv=3, random_state=1
    ).fit(X, y)
    assert len(search.sample_indices_) == round(0.5 * len(y))
    assert search.n_features_in_ == X.shape[1]
    neg_mse = OptunaSearchCV(
        Ridge(), {"alpha": FloatDistribution(1e-3, 10, log=True)}, scoring="neg_mean_squared_error", n_trials=2, cv=3
    ).fit(X, y)
    assert neg_mse.best_score_ < 0
    assert -neg_mse.score(X, y) == pytest.approx(mean_squared_error(y, neg_mse.predict(X)))


def test_transform_is_delegated_and_missing_methods_are_absent() -> None:
    X, _ = load_digits(return_X_y=True)
    search = OptunaSearchCV(PCA(), {"n_components": IntDistribution(2, 5)}, n_trials=2, cv=2).fit(X)
    assert search.transform(X).shape[1] == search.best_params_["n_components"]
    assert not hasattr(search, "predict_proba")
    assert hasattr(_iris_search(), "predict_proba")


def test_pickled_search_predicts_and_keeps_its_trials() -> None:
    X, y = load_iris(return_X_y=True)
    search = _iris_search(n_trials=3).fit(X, y)
    restored = pickle.loads(pickle.dumps(search))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    assert len(restored.study_.trials) == 3


def test_shared_study_pools_trials_on_the_same_data_only() -> None:
    X, y = load_iris(return_X_y=True)
    study = albacore.create_study(direction="maximize")
    first = _iris_search(n_trials=3, study=study).fit(X, y)
    again = clone(first).fit(X, y)
    assert again.study_ is study and again.n_trials_ == 6
    other = clone(first).fit(X[:100], y[:100])
    assert other.n_trials_ == 3 and len(study.trials) == 9


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_trials": 0}, "n_trials"),
        ({"max_iter": 0}, "max_iter"),
        ({"subsample": 1.5}, "subsample"),
        ({"scoring": ["accuracy", "f1"]}, "scoring"),
        ({"error_score": "ignore"}, "error_score"),
        ({"study": albacore.create_study(direction="minimize")}, "maximise"),
    ],
)
def test_bad_arguments_are_refused_at_fit(kwargs: dict[str, object], match: str) -> None:
    X, y = load_iris(return_X_y=True)
    with pytest.raises(InvalidArgumentError, match=match):
        _iris_search(**kwargs).fit(X, y)


def test_param_distributions_must_be_distributions() -> None:
    X, y = load_iris(return_X_y=True)
    with pytest.raises(InvalidArgumentError, match="max_depth"):
        OptunaSearchCV(DecisionTreeClassifier(), {"max_depth": [1, 2, 3]}).fit(X, y)  # type: ignore[dict-item]


@pytest.mark.slow
def test_passes_scikit_learn_estimator_checks() -> None:
    from sklearn.utils.estimator_checks import check_estimator

    search = OptunaSearchCV(
        Ridge(), {"alpha": FloatDistribution(1e-2, 1e2, log=True)}, n_trials=2, cv=2, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = check_estimator(
            search,
            on_fail=None,
            on_skip=None,
            expected_failed_checks={
                "check_non_transformer_estimators_n_iter": "max_iter bounds partial_fit steps when pruning; "
                "the search has no solver iterations to report"
            },
        )
    failed = [(r["check_name"], str(r["exception"])[:200]) for r in results if r["status"] == "failed"]
    assert failed == []

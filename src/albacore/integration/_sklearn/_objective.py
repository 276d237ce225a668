"""One trial of OptunaSearchCV: suggest the estimator's parameters, score them on every split, record the result."""

from __future__ import annotations

import copy
import hashlib
import time
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.exceptions import FitFailedWarning
from sklearn.utils import _safe_indexing

from albacore.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.exceptions import InvalidArgumentError, TrialPruned
from albacore.trial import Trial

__all__: list[str] = []

# The system attribute that ties a trial to the data it was scored on: a study shared by several searches
# (several processes, or the clones of an outer cross-validation) pools only the trials scored on the same data.
DATA_KEY = "search_cv:data"

Split = tuple[np.ndarray, np.ndarray]


def n_samples(data: Any) -> int:
    shape = getattr(data, "shape", None)
    if shape is not None and len(shape) > 0:
        return int(shape[0])
    return len(data)


def is_sample_aligned(value: Any, n: int) -> bool:
    """True for a per-sample array (sample_weight, groups): such values are indexed with the rows."""
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__len__"):
        return False
    try:
        return n_samples(value) == n
    except TypeError:
        return False


def index_params(params: Mapping[str, Any], indices: np.ndarray, n: int) -> dict[str, Any]:
    return {
        key: _safe_indexing(value, indices) if is_sample_aligned(value, n) else value for key, value in params.items()
    }


def fresh_params(params: Mapping[str, Any], n: int) -> dict[str, Any]:
    """A copy of the parameters whose stateful values (callbacks such as LightGBM's early_stopping) are private.

    Every fold and every thread gets its own copy, so that one early-stopping object is never shared by two
    trainings; per-sample arrays are left alone (they are indexed per fold anyway, and can be large).
    """
    return {key: value if is_sample_aligned(value, n) else copy.deepcopy(value) for key, value in params.items()}


def fingerprint(x: Any, y: Any, splits: Sequence[Split]) -> str:
    """A short digest of the data and the splits; equal digests mean the trials' scores are comparable."""
    digest = hashlib.blake2b(digest_size=16)
    for part in (x, y):
        if part is None:
            digest.update(b"none")
            continue
        for array in _arrays_of(part):
            digest.update(str((array.dtype, array.shape)).encode())
            if array.dtype.hasobject:
                digest.update(repr(array.tolist()).encode())
            else:
                digest.update(np.ascontiguousarray(array).data)
    for train, test in splits:
        digest.update(np.asarray(train, dtype=np.int64).tobytes())
        digest.update(b"|")
        digest.update(np.asarray(test, dtype=np.int64).tobytes())
    return digest.hexdigest()


def _arrays_of(data: Any) -> list[np.ndarray]:
    if hasattr(data, "indptr") and hasattr(data, "indices"):  # scipy.sparse CSR/CSC
        return [np.asarray(data.data), np.asarray(data.indices), np.asarray(data.indptr)]
    if hasattr(data, "tocsr") and hasattr(data, "shape"):  # other sparse formats
        return _arrays_of(data.tocsr())
    return [np.asarray(data)]


def suggest(trial: Trial, name: str, distribution: BaseDistribution) -> Any:
    if isinstance(distribution, FloatDistribution):
        return trial.suggest_float(
            name, distribution.low, distribution.high, step=distribution.step, log=distribution.log
        )
    if isinstance(distribution, IntDistribution):
        return trial.suggest_int(
            name, distribution.low, distribution.high, step=distribution.step, log=distribution.log
        )
    if isinstance(distribution, CategoricalDistribution):
        return trial.suggest_categorical(name, distribution.choices)
    raise InvalidArgumentError(f"unsupported distribution for {name!r}: {distribution!r}")


class Objective:
    """Scores one parameter setting on every split; a callable for ``Study.optimize``."""

    def __init__(
        self,
        *,
        estimator: Any,
        param_distributions: Mapping[str, BaseDistribution],
        x: Any,
        y: Any,
        splits: Sequence[Split],
        fit_params: Mapping[str, Any],
        partial_fit_params: Mapping[str, Any],
        score_params: Mapping[str, Any],
        scorer: Any,
        error_score: float | str,
        enable_pruning: bool,
        max_iter: int,
        return_train_score: bool,
        data_key: str,
    ) -> None:
        self._estimator = estimator
        self._distributions = dict(param_distributions)
        self._x = x
        self._y = y
        self._splits = splits
        self._n = n_samples(x)
        self._fit_params = fit_params
        self._partial_fit_params = partial_fit_params
        self._score_params = score_params
        self._scorer = scorer
        self._error_score = error_score
        self._pruning = enable_pruning
        self._max_iter = max_iter
        self._return_train_score = return_train_score
        self._data_key = data_key
        self.errors: list[str] = []  # the first fit errors, to explain a search in which no trial completed

    def __call__(self, trial: Trial) -> float:
        trial.set_system_attr(DATA_KEY, self._data_key)
        params = {name: suggest(trial, name, dist) for name, dist in self._distributions.items()}
        estimator = clone(self._estimator).set_params(**params)
        if self._pruning:
            scores = self._partial_fit_all(trial, estimator)
        else:
            scores = [
                self._fit_and_score(estimator, train, test, index) for index, (train, test) in enumerate(self._splits)
            ]
        return self._record(trial, scores)

    # --- plain fitting --------------------------------------------------------------------------------------

    def _rows(self, indices: np.ndarray) -> tuple[Any, Any]:
        x = _safe_indexing(self._x, indices)
        y = None if self._y is None else _safe_indexing(self._y, indices)
        return x, y

    def _fit_and_score(self, template: Any, train: np.ndarray, test: np.ndarray, split: int) -> dict[str, float]:
        estimator = clone(template)
        x_train, y_train = self._rows(train)
        fit_params = fresh_params(index_params(self._fit_params, train, self._n), len(train))
        started = time.perf_counter()
        try:
            estimator.fit(x_train, y_train, **fit_params)
        except Exception as error:  # noqa: BLE001 - sklearn's error_score contract: any fit error becomes a score
            return self._failed(error, split, time.perf_counter() - started)
        fit_time = time.perf_counter() - started
        return self._score(estimator, train, test, split, fit_time)

    def _failed(self, error: Exception, split: int, fit_time: float) -> dict[str, float]:
        if self._error_score == "raise":
            raise error
        if len(self.errors) < 3:
            self.errors.append(f"{type(error).__name__}: {error}")
        warnings.warn(
            f"Fitting failed on split {split}; its score is set to error_score={self._error_score!r}. "
            f"{type(error).__name__}: {error}",
            FitFailedWarning,
            stacklevel=2,
        )
        failed = float(self._error_score)
        return {"test": failed, "train": failed, "fit_time": fit_time, "score_time": 0.0}

    def _score(
        self, estimator: Any, train: np.ndarray, test: np.ndarray, split: int, fit_time: float
    ) -> dict[str, float]:
        started = time.perf_counter()
        result = {"test": self._score_rows(estimator, test, split), "fit_time": fit_time}
        result["score_time"] = time.perf_counter() - started
        if self._return_train_score:
            result["train"] = self._score_rows(estimator, train, split)
        return result

    def _score_rows(self, estimator: Any, indices: np.ndarray, split: int) -> float:
        x, y = self._rows(indices)
        params = index_params(self._score_params, indices, self._n)
        score = float(
            self._scorer(estimator, x, y, **params) if y is not None else self._scorer(estimator, x, **params)
        )
        if np.isnan(score) and self._error_score == "raise":
            raise ValueError(f"the scorer returned NaN on split {split}, and error_score='raise'")
        return score

    # --- pruning through partial_fit ------------------------------------------------------------------------

    def _partial_fit_all(self, trial: Trial, template: Any) -> list[dict[str, float]]:
        classes = np.unique(self._y) if is_classifier(template) and self._y is not None else None
        folds = []
        for train, test in self._splits:
            params = fresh_params(index_params(self._partial_fit_params, train, self._n), len(train))
            if classes is not None:
                params["classes"] = classes
            folds.append((clone(template), train, test, params, [0.0]))
        results: list[dict[str, float]] = []
        for step in range(self._max_iter):
            results = []
            for split, (estimator, train, test, params, fit_time) in enumerate(folds):
                x_train, y_train = self._rows(train)
                started = time.perf_counter()
                try:
                    estimator.partial_fit(x_train, y_train, **params)
                except Exception as error:  # noqa: BLE001 - sklearn's error_score contract
                    fit_time[0] += time.perf_counter() - started
                    results.append(self._failed(error, split, fit_time[0]))
                    continue
                fit_time[0] += time.perf_counter() - started
                results.append(self._score(estimator, train, test, split, fit_time[0]))
            trial.report(float(np.mean([r["test"] for r in results])), step)
            if trial.should_prune():
                self._set_attrs(trial, results)
                raise TrialPruned(f"pruned at step {step}")
        return results

    # --- recording ------------------------------------------------------------------------------------------

    def _record(self, trial: Trial, results: list[dict[str, float]]) -> float:
        attrs = self._set_attrs(trial, results)
        return float(attrs["mean_test_score"])

    def _set_attrs(self, trial: Trial, results: list[dict[str, float]]) -> dict[str, float]:
        attrs: dict[str, float] = {}
        kinds = ["test", "train"] if self._return_train_score else ["test"]
        for kind in kinds:
            scores = np.array([r[kind] for r in results])
            for split, score in enumerate(scores):
                attrs[f"split{split}_{kind}_score"] = float(score)
            attrs[f"mean_{kind}_score"] = float(np.mean(scores))
            attrs[f"std_{kind}_score"] = float(np.std(scores))
        for timing in ("fit_time", "score_time"):
            times = np.array([r[timing] for r in results])
            attrs[f"mean_{timing}"] = float(np.mean(times))
            attrs[f"std_{timing}"] = float(np.std(times))
        for key, value in attrs.items():
            trial.set_user_attr(key, value)
        return attrs

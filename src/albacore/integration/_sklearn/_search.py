"""OptunaSearchCV: hyperparameter search with cross-validation, as a scikit-learn estimator."""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from numbers import Integral, Real
from typing import Any, TypeVar

import numpy as np
import sklearn
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils import check_random_state, indexable
from sklearn.utils.metadata_routing import MetadataRouter, MethodMapping, process_routing
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

import albacore
from albacore.distributions import BaseDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.integration._sklearn._objective import (
    DATA_KEY,
    Objective,
    fingerprint,
    index_params,
    n_samples,
)
from albacore.integration._sklearn._results import cv_results
from albacore.study import Study, StudyDirection
from albacore.trial import FrozenTrial, TrialState

__all__ = ["OptunaSearchCV"]

_Method = TypeVar("_Method", bound=Callable[..., Any])
# scikit-learn is untyped; this gives its method-availability decorator the type it has.
_available_if: Callable[[Callable[[Any], bool]], Callable[[_Method], _Method]] = available_if


def _delegate_has(method: str) -> Callable[[Any], bool]:
    # A method exists when the fitted best estimator (or, before fit, the template) has it, so that
    # scikit-learn's HasMethods checks (cross_val_predict's `method=`) see real methods, not properties.
    def check(search: OptunaSearchCV) -> bool:
        target = getattr(search, "best_estimator_", search.estimator)
        getattr(target, method)
        return True

    return check


class OptunaSearchCV(MetaEstimatorMixin, BaseEstimator):  # type: ignore[misc]  # sklearn has no type stubs
    """Hyperparameter search with cross-validation, driven by an albacore study.

    A scikit-learn estimator: it clones, nests in pipelines and in ``cross_val_score``/``cross_val_predict``,
    and after ``fit`` predicts with the best estimator refitted on all the data. Each trial suggests one
    setting from ``param_distributions`` and scores it on every split of ``cv``; the study maximises the mean
    test score.

    Args:
        estimator: The estimator to tune (any scikit-learn estimator).
        param_distributions: Parameter name -> albacore distribution (``FloatDistribution`` ...).
        cv: Folds (int), a splitter or an iterable of (train, test) index pairs; None for 5 folds
            (stratified for classifiers).
        enable_pruning: Train with ``partial_fit`` one step at a time, report the mean test score after each
            step and stop trials that the study's pruner prunes.
        error_score: Score of a split whose fit fails, or ``"raise"`` to raise the error (and to raise on a
            NaN score).
        max_iter: ``partial_fit`` steps per trial when pruning.
        n_jobs: Trials run at once in threads; None for one, -1 for one per CPU core.
        n_trials: Trials per ``fit``; None to run until ``timeout``.
        random_state: Seed (or RandomState) for subsampling and for the default sampler.
        refit: Refit the best setting on all the data (``best_estimator_``).
        return_train_score: Also score each split's training rows.
        scoring: A scorer name, a callable ``scorer(estimator, X, y)``, or None for the estimator's ``score``.
        study: The study to record trials in (it must maximise); None for a new in-memory study per ``fit``.
            Trials of a shared study are pooled when they were scored on the same data and splits (several
            processes on one storage), and kept apart otherwise (the clones in an outer cross-validation).
        subsample: Share (float in (0, 1]) or number (int) of rows used by the search; refitting uses all.
        timeout: Stop starting trials after this many seconds.
        verbose: 0 keeps albacore's logging as it is; higher values log each trial at INFO level.
        callbacks: ``callback(study, frozen_trial)`` after each trial.
        catch: Exception types that fail a trial without stopping the search.

    Example:
        >>> from sklearn.datasets import load_iris
        >>> from sklearn.svm import SVC
        >>> from albacore.distributions import FloatDistribution
        >>> X, y = load_iris(return_X_y=True)
        >>> search = OptunaSearchCV(SVC(), {"C": FloatDistribution(1e-3, 1e3, log=True)}, n_trials=5,
        ...                         cv=3, random_state=0)
        >>> search.fit(X, y).best_score_ > 0.5
        True
    """

    def __init__(
        self,
        estimator: Any,
        param_distributions: Mapping[str, BaseDistribution],
        *,
        cv: Any = None,
        enable_pruning: bool = False,
        error_score: float | str = np.nan,
        max_iter: int = 1000,
        n_jobs: int | None = None,
        n_trials: int | None = 10,
        random_state: int | np.random.RandomState | None = None,
        refit: bool = True,
        return_train_score: bool = False,
        scoring: str | Callable[..., float] | None = None,
        study: Study | None = None,
        subsample: float | int = 1.0,
        timeout: float | None = None,
        verbose: int = 0,
        callbacks: list[Callable[[Study, FrozenTrial], None]] | None = None,
        catch: Iterable[type[Exception]] | type[Exception] = (),
    ) -> None:
        self.estimator = estimator
        self.param_distributions = param_distributions
        self.cv = cv
        self.enable_pruning = enable_pruning
        self.error_score = error_score
        self.max_iter = max_iter
        self.n_jobs = n_jobs
        self.n_trials = n_trials
        self.random_state = random_state
        self.refit = refit
        self.return_train_score = return_train_score
        self.scoring = scoring
        self.study = study
        self.subsample = subsample
        self.timeout = timeout
        self.verbose = verbose
        self.callbacks = callbacks
        self.catch = catch

    # --- scikit-learn protocol -------------------------------------------------------------------------------

    def __sklearn_clone__(self) -> OptunaSearchCV:
        # A study is a handle on a storage, not a value: clones record into the same study (their trials stay
        # apart unless they score the same data), where a deep copy would duplicate or fail on its locks.
        params = self.get_params(deep=False)
        study = params.pop("study")
        return type(self)(**{key: clone(value, safe=False) for key, value in params.items()}, study=study)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        inner = sklearn.utils.get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.transformer_tags = inner.transformer_tags
        tags.target_tags = inner.target_tags
        tags.input_tags = inner.input_tags
        return tags

    def get_metadata_routing(self) -> MetadataRouter:
        """Where ``fit(**params)`` metadata goes when scikit-learn's metadata routing is enabled: to the
        estimator's ``fit`` (and ``partial_fit`` when pruning), to the scorer and to the splitter."""
        router = MetadataRouter(owner=type(self).__name__)
        estimator_mapping = MethodMapping().add(caller="fit", callee="fit")
        if self.enable_pruning and hasattr(self.estimator, "partial_fit"):
            estimator_mapping.add(caller="fit", callee="partial_fit")
        router.add(estimator=self.estimator, method_mapping=estimator_mapping)
        scorer = check_scoring(self.estimator, self.scoring)
        if hasattr(scorer, "get_metadata_routing"):
            router.add(
                scorer=scorer,
                method_mapping=MethodMapping().add(caller="fit", callee="score").add(caller="score", callee="score"),
            )
        splitter = check_cv(self.cv, classifier=is_classifier(self.estimator))
        router.add(splitter=splitter, method_mapping=MethodMapping().add(caller="fit", callee="split"))
        return router

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = super().__getstate__()
        for key in ("study", "study_"):
            study = state.get(key)
            if study is not None and not _picklable(study):
                state[key] = _StudySnapshot.of(study)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key in ("study", "study_"):
            if isinstance(state.get(key), _StudySnapshot):
                state[key] = state[key].restore()
        super().__setstate__(state)

    # --- fitting -------------------------------------------------------------------------------------------

    def fit(self, X: Any, y: Any = None, groups: Any = None, **params: Any) -> OptunaSearchCV:
        """Run the search on ``X``, ``y`` and refit the best setting (when ``refit``).

        Args:
            X: Training data.
            y: Targets, or None for unsupervised estimators.
            groups: Group labels for group-aware splitters.
            **params: Metadata: without metadata routing, passed to the estimator's ``fit``; with it
                (``sklearn.set_config(enable_metadata_routing=True)``), routed to ``fit``, the scorer or the
                splitter according to their requests.

        Returns:
            This search, fitted.
        """
        self._validate()
        X, y, groups = indexable(X, y, groups)
        n = n_samples(X)
        fit_params, partial_fit_params, score_params, split_params = self._route(dict(params), groups)
        rng = check_random_state(self.random_state)
        indices = self._subsample_indices(n, rng)
        self.sample_indices_ = indices
        x_search = sklearn.utils._safe_indexing(X, indices)
        y_search = None if y is None else sklearn.utils._safe_indexing(y, indices)
        cv = check_cv(self.cv, y_search, classifier=is_classifier(self.estimator))
        splits = [
            (np.asarray(train), np.asarray(test))
            for train, test in cv.split(x_search, y_search, **index_params(split_params, indices, n))
        ]
        self.n_splits_ = len(splits)
        self.scorer_ = check_scoring(self.estimator, self.scoring)
        self.multimetric_ = False
        data_key = fingerprint(x_search, y_search, splits)
        objective = Objective(
            estimator=self.estimator,
            param_distributions=self.param_distributions,
            x=x_search,
            y=y_search,
            splits=splits,
            fit_params=index_params(fit_params, indices, n),
            partial_fit_params=index_params(partial_fit_params, indices, n),
            score_params=index_params(score_params, indices, n),
            scorer=self.scorer_,
            error_score=self.error_score,
            enable_pruning=self.enable_pruning and hasattr(self.estimator, "partial_fit"),
            max_iter=self.max_iter,
            return_train_score=self.return_train_score,
            data_key=data_key,
        )
        self.study_ = self.study if self.study is not None else self._new_study(rng)
        verbosity = albacore.logging.get_verbosity()
        if self.verbose > 0:
            albacore.logging.set_verbosity(albacore.logging.INFO)
        try:
            self.study_.optimize(
                objective,
                n_trials=self.n_trials,
                timeout=self.timeout,
                n_jobs=1 if self.n_jobs is None else self.n_jobs,
                catch=self.catch,
                callbacks=self.callbacks,
            )
        finally:
            albacore.logging.set_verbosity(verbosity)
        self._summarise(data_key, objective.errors)
        if self.refit:
            started = time.perf_counter()
            self.best_estimator_ = clone(self.estimator).set_params(**self.best_params_).fit(X, y, **fit_params)
            self.refit_time_ = time.perf_counter() - started
        return self

    def _validate(self) -> None:
        if not isinstance(self.param_distributions, Mapping):
            raise InvalidArgumentError(
                f"`param_distributions` must be a mapping of names to distributions, got {self.param_distributions!r}"
            )
        for name, distribution in self.param_distributions.items():
            if not isinstance(distribution, BaseDistribution):
                raise InvalidArgumentError(
                    f"`param_distributions[{name!r}]` must be an albacore distribution (FloatDistribution, "
                    f"IntDistribution, CategoricalDistribution), got {distribution!r}"
                )
        if isinstance(self.scoring, (Mapping, list, tuple, set)):
            raise InvalidArgumentError(f"`scoring` must be one scorer (a name or a callable), got {self.scoring!r}")
        if not (isinstance(self.max_iter, Integral) and self.max_iter > 0):
            raise InvalidArgumentError(f"`max_iter` must be a positive integer, got {self.max_iter!r}")
        if self.n_trials is not None and not (isinstance(self.n_trials, Integral) and self.n_trials > 0):
            raise InvalidArgumentError(f"`n_trials` must be a positive integer or None, got {self.n_trials!r}")
        if not (self.error_score == "raise" or isinstance(self.error_score, Real)):
            raise InvalidArgumentError(f"`error_score` must be 'raise' or a number, got {self.error_score!r}")
        subsample = self.subsample
        if isinstance(subsample, bool) or not isinstance(subsample, (Integral, Real)):
            raise InvalidArgumentError(f"`subsample` must be a float in (0, 1] or a positive int, got {subsample!r}")
        if isinstance(subsample, Integral) and subsample <= 0:
            raise InvalidArgumentError(f"`subsample` as a number of rows must be positive, got {subsample!r}")
        if not isinstance(subsample, Integral) and not 0.0 < float(subsample) <= 1.0:
            raise InvalidArgumentError(f"`subsample` as a share of rows must be in (0, 1], got {subsample!r}")
        if self.study is not None and self.study.directions != [StudyDirection.MAXIMIZE]:
            raise InvalidArgumentError(
                f"`study` must maximise one objective (scores are higher-is-better), got {self.study.directions}"
            )

    def _route(
        self, params: dict[str, Any], groups: Any
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
        if not sklearn.get_config().get("enable_metadata_routing", False):
            split_params = {} if groups is None else {"groups": groups}
            return params, params, {}, split_params
        if groups is not None:
            params["groups"] = groups
        routed = process_routing(self, "fit", **params)
        partial_fit = routed.estimator.get("partial_fit", routed.estimator.fit)
        scorer = routed.get("scorer")
        return (
            dict(routed.estimator.fit),
            dict(partial_fit),
            {} if scorer is None else dict(scorer.score),
            dict(routed.splitter.split),
        )

    def _subsample_indices(self, n: int, rng: np.random.RandomState) -> np.ndarray:
        if isinstance(self.subsample, Integral):
            size = min(int(self.subsample), n)
        else:
            size = max(1, round(float(self.subsample) * n))
        if size >= n:
            return np.arange(n)
        return np.sort(rng.choice(n, size=size, replace=False))

    def _new_study(self, rng: np.random.RandomState) -> Study:
        seed = None if self.random_state is None else int(rng.randint(np.iinfo(np.int32).max))
        return albacore.create_study(direction="maximize", sampler=albacore.samplers.AutoSampler(seed=seed))

    def _summarise(self, data_key: str, errors: list[str]) -> None:
        trials = [t for t in self.study_.get_trials(deepcopy=False) if t.system_attrs.get(DATA_KEY) == data_key]
        finished = [t for t in trials if t.state == TrialState.COMPLETE and t.value is not None]
        if not finished:
            raise ValueError(
                f"none of the {len(trials)} trials completed with a score; the fits failed with: "
                + (" | ".join(errors) if errors else "no fit error (see the logged trial failures)")
            )
        best = max(finished, key=lambda t: (t.value, -t.number))
        self.trials_ = trials
        self.n_trials_ = len(trials)
        self.best_trial_ = best
        self.best_index_ = trials.index(best)
        self.best_params_ = dict(best.params)
        self.best_score_ = float(best.value)  # type: ignore[arg-type]  # checked not None above
        self.cv_results_ = cv_results(trials, list(self.param_distributions), self.n_splits_, self.return_train_score)

    # --- after fitting -------------------------------------------------------------------------------------

    @property
    def user_attrs_(self) -> dict[str, Any]:
        """The study's user attributes."""
        check_is_fitted(self, "study_")
        return self.study_.user_attrs

    def set_user_attr(self, key: str, value: Any) -> None:
        """Set a user attribute on the study of the search."""
        check_is_fitted(self, "study_")
        self.study_.set_user_attr(key, value)

    def trials_dataframe(self, *args: Any, **kwargs: Any) -> Any:
        """The study's trials as a pandas DataFrame (arguments as :meth:`albacore.Study.trials_dataframe`)."""
        check_is_fitted(self, "study_")
        return self.study_.trials_dataframe(*args, **kwargs)

    @property
    def classes_(self) -> Any:
        """Class labels of the best estimator."""
        return self._best().classes_

    @property
    def n_features_in_(self) -> int:
        """Number of features seen by the best estimator."""
        return int(self._best().n_features_in_)

    @property
    def feature_names_in_(self) -> Any:
        """Feature names seen by the best estimator."""
        return self._best().feature_names_in_

    def _best(self) -> Any:
        check_is_fitted(self, "best_estimator_", msg=f"{type(self).__name__} is not fitted with refit=True yet.")
        return self.best_estimator_

    def score(self, X: Any, y: Any = None, **params: Any) -> float:
        """Score of the best estimator on ``X``, ``y`` with the search's scorer."""
        estimator = self._best()
        if sklearn.get_config().get("enable_metadata_routing", False):
            params = dict(process_routing(self, "score", **params).scorer.score)
        return float(self.scorer_(estimator, X, y, **params))

    @_available_if(_delegate_has("predict"))
    def predict(self, X: Any) -> Any:
        """Predict with the best estimator."""
        return self._best().predict(X)

    @_available_if(_delegate_has("predict_proba"))
    def predict_proba(self, X: Any) -> Any:
        """Class probabilities from the best estimator."""
        return self._best().predict_proba(X)

    @_available_if(_delegate_has("predict_log_proba"))
    def predict_log_proba(self, X: Any) -> Any:
        """Log class probabilities from the best estimator."""
        return self._best().predict_log_proba(X)

    @_available_if(_delegate_has("decision_function"))
    def decision_function(self, X: Any) -> Any:
        """Decision function of the best estimator."""
        return self._best().decision_function(X)

    @_available_if(_delegate_has("transform"))
    def transform(self, X: Any) -> Any:
        """Transform with the best estimator."""
        return self._best().transform(X)

    @_available_if(_delegate_has("inverse_transform"))
    def inverse_transform(self, X: Any) -> Any:
        """Inverse transform with the best estimator."""
        return self._best().inverse_transform(X)

    @_available_if(_delegate_has("score_samples"))
    def score_samples(self, X: Any) -> Any:
        """Per-sample scores of the best estimator."""
        return self._best().score_samples(X)


def _picklable(study: Study) -> bool:
    try:
        pickle.dumps(study)
    except (TypeError, pickle.PicklingError, AttributeError):
        return False
    return True


class _StudySnapshot:
    """An in-memory study's content, so that a fitted search pickles (a lock cannot be pickled)."""

    def __init__(
        self, name: str, directions: Sequence[StudyDirection], trials: list[FrozenTrial], attrs: dict[str, Any]
    ):
        self.name = name
        self.directions = list(directions)
        self.trials = trials
        self.attrs = attrs

    @classmethod
    def of(cls, study: Study) -> _StudySnapshot:
        return cls(study.study_name, study.directions, study.get_trials(deepcopy=False), dict(study.user_attrs))

    def restore(self) -> Study:
        study = albacore.create_study(study_name=self.name, directions=self.directions)
        study.add_trials(self.trials)
        for key, value in self.attrs.items():
            study.set_user_attr(key, value)
        return study

"""LightGBMTuner and LightGBMTunerCV: LightGBM's parameters tuned one group at a time."""

from __future__ import annotations

import copy
import json
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

import lightgbm as lgb
import numpy as np
from tqdm.auto import tqdm

import albacore
from albacore.exceptions import InvalidArgumentError
from albacore.integration._lightgbm_tuner import _params
from albacore.integration._lightgbm_tuner._params import Step
from albacore.integration._lightgbm_tuner._sampling import (
    PARAMS_KEY,
    STEP_KEY,
    ProposalSampler,
    StepProposer,
    counted,
    step_trials,
)
from albacore.study import Study, StudyDirection
from albacore.trial import FrozenTrial, TrialState

__all__ = ["LightGBMTuner", "LightGBMTunerCV"]

StudyCallback = Callable[[Study, FrozenTrial], None]


class _BaseTuner:
    def __init__(
        self,
        params: dict[str, Any],
        train_set: lgb.Dataset,
        *,
        num_boost_round: int,
        callbacks: list[Callable[..., Any]] | None,
        time_budget: float | None,
        sample_size: int | None,
        study: Study | None,
        optuna_callbacks: list[StudyCallback] | None,
        model_dir: str | None,
        show_progress_bar: bool,
        optuna_seed: int | None,
        train_kwargs: dict[str, Any],
    ) -> None:
        if not isinstance(params, dict):
            raise InvalidArgumentError(f"`params` must be a dict of LightGBM parameters, got {params!r}")
        if not isinstance(train_set, lgb.Dataset):
            raise InvalidArgumentError(f"`train_set` must be a lightgbm.Dataset, got {type(train_set).__name__}")
        if time_budget is not None and time_budget <= 0:
            raise InvalidArgumentError(f"`time_budget` must be positive seconds or None, got {time_budget!r}")
        self.lgbm_params = dict(params)
        # LightGBM has no public "is constructed" test; its handle attribute was renamed in 4.x.
        constructed = getattr(train_set, "_handle", getattr(train_set, "handle", None)) is not None
        if not constructed:
            # Keep every feature binned, so that lowering min_child_samples between trials is allowed and a
            # retrain from best_params on a fresh Dataset bins exactly as the tuner's trials did.
            self.lgbm_params.setdefault("feature_pre_filter", False)
        self._train_set = train_set
        self._num_boost_round = num_boost_round
        self._callbacks = list(callbacks or [])
        self._time_budget = time_budget
        self._sample_size = sample_size
        self._optuna_callbacks = list(optuna_callbacks or [])
        self._model_dir = model_dir
        self._show_progress_bar = show_progress_bar
        self._seed = optuna_seed
        self._train_kwargs = train_kwargs
        self._higher = _params.higher_is_better(self.lgbm_params)
        direction = StudyDirection.MAXIMIZE if self._higher else StudyDirection.MINIMIZE
        if study is None:
            study = albacore.create_study(direction=direction)
        elif not _params.has_builtin_metric(self.lgbm_params):
            self._higher = study.direction == StudyDirection.MAXIMIZE  # a custom feval: the study decides
        elif study.direction != direction:
            raise InvalidArgumentError(
                f"`study` must {direction.name.lower()} for metric {_params.first_metric(self.lgbm_params)!r}, "
                f"got a study that {study.direction.name.lower()}s"
            )
        self.study = study
        self._started = 0.0
        self._best_booster: tuple[int, Any] | None = None
        if model_dir is not None:
            os.makedirs(model_dir, exist_ok=True)

    # --- results ------------------------------------------------------------------------------------------

    def _tuner_trials(self) -> list[FrozenTrial]:
        return [
            t
            for t in self.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
            if PARAMS_KEY in t.user_attrs and t.value is not None
        ]

    def _best_trial(self) -> FrozenTrial | None:
        trials = self._tuner_trials()
        if not trials:
            return None
        sign = 1.0 if self._higher else -1.0
        return max(trials, key=lambda t: (sign * float(t.value), -t.number))  # type: ignore[arg-type]

    @property
    def best_score(self) -> float:
        """The best validation score so far (``-inf``/``inf`` before any trial completed)."""
        best = self._best_trial()
        if best is None:
            return float("-inf") if self._higher else float("inf")
        return float(best.value)  # type: ignore[arg-type]

    @property
    def best_params(self) -> dict[str, Any]:
        """The complete LightGBM parameters of the best trial: ``lightgbm.train(best_params, ...)`` retrains it."""
        best = self._best_trial()
        if best is None:
            return dict(self.lgbm_params)
        return dict(json.loads(best.user_attrs[PARAMS_KEY]))

    # --- the steps ----------------------------------------------------------------------------------------

    def run(self) -> None:
        """Tune feature_fraction, num_leaves, bagging, feature_fraction again, regularization factors and
        min_child_samples, in this order; each step starts from the best parameters found so far."""
        self.sample_train_set()
        self.tune_feature_fraction()
        self.tune_num_leaves()
        self.tune_bagging()
        self.tune_feature_fraction_stage2()
        self.tune_regularization_factors()
        self.tune_min_data_in_leaf()

    def sample_train_set(self) -> None:
        """Tune on ``sample_size`` random rows of the training set instead of all of them (when given)."""
        if self._sample_size is None or self._sample_size >= self._train_set.num_data():
            return
        rng = np.random.default_rng(self._seed)
        rows = np.sort(rng.choice(self._train_set.num_data(), size=self._sample_size, replace=False))
        self._train_set = self._train_set.subset(rows.tolist())

    def tune_feature_fraction(self, n_trials: int = 7) -> None:
        """Try ``n_trials`` feature fractions evenly spread over [0.4, 1.0]."""
        self._run_step(_params.feature_fraction_step(n_trials))

    def tune_num_leaves(self, n_trials: int = 20) -> None:
        """Search num_leaves in [2, 256] (log scale) with ``n_trials`` trials."""
        self._run_step(_params.num_leaves_step(n_trials))

    def tune_bagging(self, n_trials: int = 10) -> None:
        """Search bagging_fraction in [0.4, 1.0] and bagging_freq in [1, 7] with ``n_trials`` trials."""
        self._run_step(_params.bagging_step(n_trials))

    def tune_feature_fraction_stage2(self, n_trials: int = 6) -> None:
        """Try ``n_trials`` feature fractions within 0.08 of the best one so far."""
        best = float(self.best_params.get("feature_fraction", 1.0))
        self._run_step(_params.feature_fraction_stage2_step(best, n_trials))

    def tune_regularization_factors(self, n_trials: int = 20) -> None:
        """Search lambda_l1 and lambda_l2 in [1e-8, 10] (log scale) with ``n_trials`` trials."""
        self._run_step(_params.regularization_step(n_trials))

    def tune_min_data_in_leaf(self) -> None:
        """Try min_child_samples of 5, 10, 25, 50 and 100."""
        self._run_step(_params.min_child_samples_step())

    def _out_of_time(self) -> bool:
        if self._time_budget is None:
            return False
        if not self._started:
            self._started = time.perf_counter()
        return time.perf_counter() - self._started >= self._time_budget

    def _run_step(self, step: Step) -> None:
        if not self._started:
            self._started = time.perf_counter()
        done = counted(step_trials(self.study, step.name))
        if done >= step.n_trials or self._out_of_time():
            return
        seed = None if self._seed is None else self._seed + sum(map(ord, step.name))
        proposer = StepProposer(step, self.study.direction, seed)
        sampler = ProposalSampler()
        previous_sampler = self.study.sampler
        self.study.sampler = sampler
        bar = tqdm(total=step.n_trials, initial=done, disable=not self._show_progress_bar, leave=True)
        try:
            while counted(step_trials(self.study, step.name)) < step.n_trials and not self._out_of_time():
                sampler.proposal = proposer.propose(self.study)
                self._run_trial(step, sampler.proposal)
                bar.update(1)
                bar.set_description(f"{step.name}, val_score: {self.best_score:.6f}")
        finally:
            self.study.sampler = previous_sampler
            bar.close()

    def _run_trial(self, step: Step, proposal: dict[str, Any]) -> None:
        base = self.best_params
        trial = self.study.ask()
        trial.set_system_attr(STEP_KEY, step.name)
        for name, distribution in step.distributions.items():
            _suggest(trial, name, distribution)
        params = dict(base)
        _params.set_tuned(params, proposal)
        trial.set_user_attr(PARAMS_KEY, json.dumps(params, sort_keys=True, default=_jsonable))
        started = time.perf_counter()
        try:
            score, booster, rounds = self._train(params)
        except Exception:
            self.study.tell(trial, state=TrialState.FAIL)
            raise
        elapsed = time.perf_counter() - started
        trial.set_user_attr("elapsed_secs", elapsed)
        trial.set_user_attr("average_iteration_time", elapsed / max(rounds, 1))
        best_before = self.best_score
        frozen = self.study.tell(trial, score)
        improved = score > best_before if self._higher else score < best_before
        if improved or self._best_booster is None:
            self._best_booster = (frozen.number, booster)
        if self._model_dir is not None:
            booster.save_model(os.path.join(self._model_dir, f"{frozen.number}.txt"))
        for callback in self._optuna_callbacks:
            callback(self.study, frozen)

    def _train(self, params: dict[str, Any]) -> tuple[float, Any, int]:
        raise NotImplementedError

    def _fresh_callbacks(self) -> list[Callable[..., Any]]:
        # One early-stopping (or any stateful) callback object per training: shared across trials or threads
        # its state leaks from one training into the next (optuna-examples#72, optuna-integration#240).
        return [copy.deepcopy(callback) for callback in self._callbacks]

    def _booster_of(self, trial: FrozenTrial, loader: Callable[[str], Any]) -> Any:
        if self._best_booster is not None and self._best_booster[0] == trial.number:
            return self._best_booster[1]
        if self._model_dir is not None:
            path = os.path.join(self._model_dir, f"{trial.number}.txt")
            if os.path.exists(path):
                return loader(path)
        raise ValueError(
            f"the booster of the best trial ({trial.number}) was trained by another run or process and was not "
            "kept; pass `model_dir=` to every tuner so that each trial's booster is saved and can be reloaded"
        )


def _suggest(trial: albacore.Trial, name: str, distribution: Any) -> Any:
    if isinstance(distribution, albacore.distributions.IntDistribution):
        return trial.suggest_int(name, distribution.low, distribution.high, log=distribution.log)
    return trial.suggest_float(name, distribution.low, distribution.high, log=distribution.log)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"LightGBM parameter value {value!r} cannot be recorded as JSON")


class LightGBMTuner(_BaseTuner):
    """Stepwise tuner of LightGBM on a validation set, with ``lightgbm.train``'s arguments.

    It tunes ``feature_fraction``, ``num_leaves``, ``bagging_fraction``/``bagging_freq``, ``feature_fraction``
    again, ``lambda_l1``/``lambda_l2`` and ``min_child_samples`` in turn (68 trials). The score is the first
    metric of ``params`` on the last validation set, as LightGBM's ``Booster.best_score`` reports it, so that
    ``lightgbm.train(tuner.best_params, ...)`` with the same data, rounds and callbacks gives ``best_score`` again.

    Args:
        params: LightGBM parameters; the tuned ones are overwritten, the others kept.
        train_set: The training Dataset (reused, not copied, by every trial).
        num_boost_round, valid_sets, valid_names, feval, feature_name, categorical_feature,
            keep_training_booster, callbacks: As for ``lightgbm.train``; callbacks are copied for each trial.
        time_budget: Seconds after which no further trial starts.
        sample_size: Tune on this many random rows of ``train_set``.
        study: The study to record trials in (its direction must match the metric); several processes can
            share one on a persistent storage, dividing each step's trials between them.
        optuna_callbacks: ``callback(study, frozen_trial)`` after each trial.
        model_dir: Save each trial's booster there as ``<trial number>.txt`` (LightGBM's text format).
        show_progress_bar: Show one progress bar per step.
        optuna_seed: Seed of the samplers and of ``sample_size``'s draw.

    Example:
        >>> import lightgbm as lgb
        >>> from sklearn.datasets import load_breast_cancer
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> train, valid = lgb.Dataset(X[:400], y[:400]), lgb.Dataset(X[400:], y[400:])
        >>> tuner = LightGBMTuner({"objective": "binary", "verbosity": -1}, train, num_boost_round=5,
        ...                       valid_sets=[valid], show_progress_bar=False, optuna_seed=0)
        >>> tuner.tune_feature_fraction(n_trials=2)
        >>> sorted(t.params["feature_fraction"] for t in tuner.study.trials)
        [0.4, 1.0]
    """

    def __init__(
        self,
        params: dict[str, Any],
        train_set: lgb.Dataset,
        num_boost_round: int = 1000,
        valid_sets: list[lgb.Dataset] | tuple[lgb.Dataset, ...] | lgb.Dataset | None = None,
        valid_names: Any | None = None,
        feval: Callable[..., Any] | None = None,
        feature_name: str | None = None,
        categorical_feature: str | None = None,
        keep_training_booster: bool = False,
        callbacks: list[Callable[..., Any]] | None = None,
        time_budget: int | None = None,
        sample_size: int | None = None,
        study: Study | None = None,
        optuna_callbacks: list[StudyCallback] | None = None,
        model_dir: str | None = None,
        *,
        show_progress_bar: bool = True,
        optuna_seed: int | None = None,
    ) -> None:
        if valid_sets is None:
            raise InvalidArgumentError("`valid_sets` is required: the tuner scores each trial on a validation set")
        sets = [valid_sets] if isinstance(valid_sets, lgb.Dataset) else list(valid_sets)
        names = [valid_names] if isinstance(valid_names, str) else valid_names
        kwargs: dict[str, Any] = {
            "valid_sets": sets,
            "valid_names": names,
            "feval": feval,
            "keep_training_booster": keep_training_booster,
        }
        if feature_name is not None:
            kwargs["feature_name"] = feature_name
        if categorical_feature is not None:
            kwargs["categorical_feature"] = categorical_feature
        super().__init__(
            params,
            train_set,
            num_boost_round=num_boost_round,
            callbacks=callbacks,
            time_budget=time_budget,
            sample_size=sample_size,
            study=study,
            optuna_callbacks=optuna_callbacks,
            model_dir=model_dir,
            show_progress_bar=show_progress_bar,
            optuna_seed=optuna_seed,
            train_kwargs=kwargs,
        )
        last = len(sets) - 1
        if names is not None:
            self._valid_name = str(list(names)[-1])
        elif sets[last] is train_set:
            self._valid_name = "training"
        else:
            self._valid_name = f"valid_{last}"

    def _train(self, params: dict[str, Any]) -> tuple[float, Any, int]:
        booster = lgb.train(
            params,
            self._train_set,
            num_boost_round=self._num_boost_round,
            callbacks=self._fresh_callbacks(),
            **self._train_kwargs,
        )
        scores = booster.best_score.get(self._valid_name)
        if not scores:
            raise InvalidArgumentError(
                f"LightGBM reported no metric for validation set {self._valid_name!r}; "
                f"it reported {sorted(booster.best_score)}"
            )
        metric = next(iter(scores))
        return float(scores[metric]), booster, booster.current_iteration()

    def get_best_booster(self) -> lgb.Booster:
        """The booster of the best trial (kept in memory, or reloaded from ``model_dir``)."""
        best = self._best_trial()
        if best is None:
            raise ValueError("no trial has completed yet: call run() first")
        booster: lgb.Booster = self._booster_of(best, lambda path: lgb.Booster(model_file=path))
        return booster


class LightGBMTunerCV(_BaseTuner):
    """Stepwise tuner of LightGBM with cross-validation, with ``lightgbm.cv``'s arguments.

    The same steps as :class:`LightGBMTuner`; each trial runs ``lightgbm.cv`` and scores the mean of the first
    metric over the folds at the last (or early-stopped best) round.

    Args:
        params, train_set, num_boost_round, folds, nfold, stratified, shuffle, feval, feature_name,
            categorical_feature, fpreproc, seed, callbacks: As for ``lightgbm.cv``.
        time_budget, sample_size, study, optuna_callbacks, show_progress_bar, model_dir, optuna_seed: As for
            :class:`LightGBMTuner`.
        return_cvbooster: Keep each trial's CVBooster, for :meth:`get_best_booster`.

    Example:
        >>> import lightgbm as lgb
        >>> from sklearn.datasets import load_breast_cancer
        >>> X, y = load_breast_cancer(return_X_y=True)
        >>> tuner = LightGBMTunerCV({"objective": "binary", "verbosity": -1}, lgb.Dataset(X, y),
        ...                         num_boost_round=5, nfold=3, show_progress_bar=False)
        >>> tuner.tune_min_data_in_leaf()
        >>> len(tuner.study.trials), tuner.best_score < 0.7
        (5, True)
    """

    def __init__(
        self,
        params: dict[str, Any],
        train_set: lgb.Dataset,
        num_boost_round: int = 1000,
        folds: Iterable[tuple[Any, Any]] | Any | None = None,
        nfold: int = 5,
        stratified: bool = True,
        shuffle: bool = True,
        feval: Callable[..., Any] | None = None,
        feature_name: str | None = None,
        categorical_feature: str | None = None,
        fpreproc: Callable[..., Any] | None = None,
        seed: int = 0,
        callbacks: list[Callable[..., Any]] | None = None,
        time_budget: int | None = None,
        sample_size: int | None = None,
        study: Study | None = None,
        optuna_callbacks: list[StudyCallback] | None = None,
        *,
        show_progress_bar: bool = True,
        model_dir: str | None = None,
        return_cvbooster: bool = False,
        optuna_seed: int | None = None,
    ) -> None:
        if folds is not None and not hasattr(folds, "split"):
            folds = list(folds)  # a generator would be used up by the first trial
        kwargs: dict[str, Any] = {
            "folds": folds,
            "nfold": nfold,
            "stratified": stratified,
            "shuffle": shuffle,
            "feval": feval,
            "fpreproc": fpreproc,
            "seed": seed,
            "return_cvbooster": return_cvbooster or model_dir is not None,
        }
        if feature_name is not None:
            kwargs["feature_name"] = feature_name
        if categorical_feature is not None:
            kwargs["categorical_feature"] = categorical_feature
        self._return_cvbooster = return_cvbooster
        super().__init__(
            params,
            train_set,
            num_boost_round=num_boost_round,
            callbacks=callbacks,
            time_budget=time_budget,
            sample_size=sample_size,
            study=study,
            optuna_callbacks=optuna_callbacks,
            model_dir=model_dir,
            show_progress_bar=show_progress_bar,
            optuna_seed=optuna_seed,
            train_kwargs=kwargs,
        )

    def _train(self, params: dict[str, Any]) -> tuple[float, Any, int]:
        results = lgb.cv(
            params,
            self._train_set,
            num_boost_round=self._num_boost_round,
            callbacks=self._fresh_callbacks(),
            **self._train_kwargs,
        )
        means = [key for key in results if key.startswith("valid ") and key.endswith("-mean")]
        if not means:
            raise InvalidArgumentError(f"lightgbm.cv reported no validation metric; it reported {sorted(results)}")
        curve: list[float] = results[means[0]]  # type: ignore[assignment]  # a "-mean" entry is a list
        return float(curve[-1]), results.get("cvbooster"), len(curve)

    def get_best_booster(self) -> lgb.CVBooster:
        """The CVBooster of the best trial; needs ``return_cvbooster=True`` (or ``model_dir``)."""
        if not self._return_cvbooster and self._model_dir is None:
            raise ValueError("get_best_booster needs the tuner to be created with return_cvbooster=True")
        best = self._best_trial()
        if best is None:
            raise ValueError("no trial has completed yet: call run() first")
        booster: lgb.CVBooster = self._booster_of(best, lambda path: lgb.CVBooster(model_file=path))
        return booster

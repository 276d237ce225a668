"""GPSampler: Bayesian optimization with a Gaussian process, on numpy and scipy only."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore._blas import single_threaded_blas
from albacore._malloc import keep_freed_memory
from albacore._numeric_choices import RankedChoices
from albacore._pareto import is_pareto_front, to_minimization
from albacore.distributions import BaseDistribution, CategoricalDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.samplers._base import BaseSampler, independent_fallback
from albacore.samplers._constraints import check_constraints_func, store_constraints
from albacore.samplers._gp._acqf import Acquisition, LogEHVI
from albacore.samplers._gp._conditional import Activity, encode_trials, find_conditional_params
from albacore.samplers._gp._optim import optimize_acquisition
from albacore.samplers._gp._regressor import GPRegressor, KernelParams, fit_gp
from albacore.samplers._gp._warp import warp_gains
from albacore.samplers._random import RandomSampler
from albacore.samplers._search_space import StudyFollowingIntersection
from albacore.samplers._transform import SearchSpaceTransform
from albacore.trial._constraints import constraints_of
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["GPSampler"]


def _by_rank(params: dict[str, Any], ranked: dict[str, RankedChoices]) -> dict[str, Any]:
    if not ranked:
        return params
    return {name: ranked[name].rank(value) if name in ranked else value for name, value in params.items()}


def _standardize(values: np.ndarray) -> tuple[np.ndarray, float, float]:
    mean = float(np.mean(values))
    std = float(np.std(values))
    std = std if std > 1e-12 else 1.0
    return (values - mean) / std, mean, std


class GPSampler(BaseSampler):
    """Bayesian optimization with a Gaussian process (Matern-5/2 ARD kernel) and log expected improvement.

    After ``n_startup_trials`` trials drawn by the independent sampler, each trial fits one GP per objective
    (and per constraint) to the completed trials by maximum a posteriori, and maximizes log expected
    improvement (one objective) or log expected hypervolume improvement (several), times the probability of
    feasibility when trials carry constraints. Running trials are treated as kriging believers, so parallel
    workers do not pick the same point. Only numpy and scipy are used.

    Args:
        seed: Seed for reproducible sampling.
        independent_sampler: Sampler for the startup trials and for parameters outside the search space that
            every completed trial shares; ``RandomSampler(seed)`` by default.
        n_startup_trials: Number of trials sampled independently before the GP is used.
        deterministic_objective: The objective has no noise; fix the GP's noise at a tiny value.
        constraints_func: Deprecated in favour of ``Trial.set_constraint``; a function from a finished trial to
            its constraint values (feasible when all are <= 0).
        warn_independent_sampling: Warn when a parameter falls back to the independent sampler.
        order_numeric_choices: Model a categorical whose three or more choices are all numbers by the rank of
            its choices (so a geometric progression such as ``[1e-4, 1e-3, 1e-2]`` on a log scale), as an
            integer the kernel measures distances on; the values suggested are still exactly the choices. A
            categorical that decides which conditional parameters are asked stays a label. False models every
            categorical as unrelated labels.

    Example:
        >>> import albacore
        >>> sampler = albacore.samplers.GPSampler(seed=0, n_startup_trials=5)
        >>> study = albacore.create_study(sampler=sampler)
        >>> study.optimize(lambda t: (t.suggest_float("x", -2, 2) - 1) ** 2, n_trials=12)
        >>> abs(study.best_params["x"] - 1) < 0.5
        True
    """

    def __init__(
        self,
        *,
        seed: int | None = None,
        independent_sampler: BaseSampler | None = None,
        n_startup_trials: int = 10,
        deterministic_objective: bool = False,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        warn_independent_sampling: bool = True,
        order_numeric_choices: bool = True,
    ) -> None:
        if isinstance(n_startup_trials, bool) or not isinstance(n_startup_trials, int) or n_startup_trials < 0:
            raise InvalidArgumentError(f"`n_startup_trials` must be an integer >= 0, got {n_startup_trials!r}.")
        check_constraints_func("GPSampler", constraints_func)
        keep_freed_memory()  # growing arrays would otherwise map fresh pages every trial (see albacore._malloc)
        self._seed = int.from_bytes(os.urandom(4), "little") if seed is None else int(seed)
        self._independent_sampler = independent_sampler or RandomSampler(seed=seed)
        self._n_startup_trials = n_startup_trials
        self._deterministic = deterministic_objective
        self._constraints_func = constraints_func
        self._warn_independent_sampling = warn_independent_sampling
        self._order_numeric_choices = bool(order_numeric_choices)
        self._search_space = StudyFollowingIntersection()
        self._kernel_cache: dict[str, KernelParams] = {}

    def reseed_rng(self) -> None:
        self._seed = int.from_bytes(os.urandom(4), "little")
        self._independent_sampler.reseed_rng()

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        shared = self._shared_space(study)
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        conditional = find_conditional_params(complete, shared)
        return {**shared, **{c.name: c.distribution for c in conditional}}

    def _shared_space(self, study: Study) -> dict[str, BaseDistribution]:
        return {name: d for name, d in self._search_space.calculate(study).items() if not d.single()}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        with single_threaded_blas():
            return self._sample_relative(study, trial, search_space)

    def _sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        shared_now = self._shared_space(study)
        shared = {name: d for name, d in search_space.items() if name in shared_now}
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        complete = [t for t in complete if all(name in t.params for name in shared)]
        if len(complete) < self._n_startup_trials or not complete:
            return {}
        conditional = [c for c in find_conditional_params(complete, shared) if c.name in search_space]
        space = {**shared, **{c.name: c.distribution for c in conditional}}
        ranked = self._ranked(space, {c.parent for c in conditional})
        transform = SearchSpaceTransform(
            {n: ranked[n].modelled if n in ranked else d for n, d in space.items()}, one_hot=False
        )
        activity = Activity(transform, conditional) if conditional else None
        X = encode_trials(transform, [_by_rank(t.params, ranked) for t in complete], activity)
        # Work in the maximization frame: larger is better for every modelled quantity.
        gain = _clip_infinite(-to_minimization(np.array([t.values for t in complete], dtype=float), study.directions))
        running = [
            t
            for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
            if t.number != trial.number and all(name in t.params for name in shared)
        ]
        X_running = (
            encode_trials(transform, [_by_rank(t.params, ranked) for t in running], activity) if running else None
        )
        constraints = self._constraint_models(complete, X, transform.is_categorical, activity)
        feasible = self._feasible_mask(complete)
        rng = np.random.default_rng([self._seed, trial.number])
        objectives = []
        for k in range(gain.shape[1]):
            # One objective: warp heavy tails (see _warp). Several: the hypervolume is measured in the
            # standardized frame of each objective, which a per-objective warp would distort further.
            y, _, _ = _standardize(warp_gains(gain[:, k]) if gain.shape[1] == 1 else gain[:, k])
            gp = self._fit(f"objective:{k}:{transform.names}", X, y, transform.is_categorical, activity)
            if X_running is not None:
                mean, _ = gp.posterior(X_running)
                gp = gp.with_observations(X_running, mean)
            objectives.append(gp)
        acqf: Acquisition | LogEHVI
        if len(objectives) == 1:
            best = float(np.max(objectives[0].y[: len(X)][feasible])) if feasible.any() else 0.0
            acqf = Acquisition(objectives[0] if feasible.any() else None, best, constraints)
        elif feasible.any():
            standardized = np.stack([gp.y[: len(X)] for gp in objectives], axis=1)[feasible]
            front = standardized[is_pareto_front(-standardized)]
            span = np.maximum(standardized.max(axis=0) - standardized.min(axis=0), 1e-12)
            ref = standardized.min(axis=0) - 0.1 * span
            acqf = LogEHVI(objectives, front, ref, constraints, seed=int(rng.integers(2**31)))
        else:
            acqf = Acquisition(None, 0.0, constraints)
        warm = self._warm_starts(X, objectives, feasible)
        # A GP sure that nothing beats its incumbent re-proposes it, which teaches it nothing: never repeat.
        evaluated = X if X_running is None else np.vstack([X, X_running])
        point = optimize_acquisition(
            acqf,
            transform.n_choices,
            transform.is_categorical,
            rng,
            warm_starts=warm,
            avoid=evaluated,
            # Compare points as the GP sees them: a column the point's branch does not ask for does not count.
            canonical=None if activity is None else (lambda x: activity.apply(x)[0]),
        )
        proposal = transform.decode(point[None, :])[0]
        for name, order in ranked.items():
            proposal[name] = order.choice(proposal[name])
        if activity is not None:
            # Propose only what the chosen branch asks for: the trial then writes its parameters as soon as the
            # objective has suggested them all (see Trial), so other workers see where it runs. A parameter
            # asked for anyway falls to the independent sampler.
            inactive = activity.apply(point[None, :])[1][0]
            proposal = {name: proposal[name] for name, off in zip(transform.names, inactive, strict=True) if not off}
        return proposal

    def _ranked(self, space: dict[str, BaseDistribution], parents: set[str]) -> dict[str, RankedChoices]:
        """The numeric categoricals of ``space`` modelled by rank (none when ordering is off)."""
        if not self._order_numeric_choices:
            return {}
        ranked = {}
        for name, dist in space.items():
            if isinstance(dist, CategoricalDistribution) and name not in parents:
                order = RankedChoices.of(dist)
                if order is not None:
                    ranked[name] = order
        return ranked

    def _fit(
        self, key: str, X: np.ndarray, y: np.ndarray, is_categorical: np.ndarray, activity: Activity | None
    ) -> GPRegressor:
        gp = fit_gp(
            X,
            y,
            is_categorical,
            initial=self._kernel_cache.get(key),
            deterministic=self._deterministic,
            activity=activity,
        )
        self._kernel_cache[key] = gp.params
        return gp

    def _constraint_models(
        self, trials: list[FrozenTrial], X: np.ndarray, is_categorical: np.ndarray, activity: Activity | None
    ) -> list[tuple[GPRegressor, float]]:
        values = [constraints_of(t.system_attrs) for t in trials]
        keys = sorted(set().union(*values)) if values else []
        keys = [k for k in keys if all(k in v for v in values)]
        models = []
        for key in keys:
            c = np.array([v[key] for v in values], dtype=float)
            if not np.all(np.isfinite(c)):
                continue
            y, mean, std = _standardize(c)
            models.append(
                (self._fit(f"constraint:{key}:{X.shape[1]}", X, y, is_categorical, activity), (0.0 - mean) / std)
            )
        return models

    @staticmethod
    def _feasible_mask(trials: list[FrozenTrial]) -> np.ndarray:
        return np.array([all(v <= 0.0 for v in constraints_of(t.system_attrs).values()) for t in trials], dtype=bool)

    @staticmethod
    def _warm_starts(X: np.ndarray, objectives: list[GPRegressor], feasible: np.ndarray) -> np.ndarray:
        if not feasible.any():
            return X[:0]
        score = np.sum([gp.y[: len(X)] for gp in objectives], axis=0)
        score = np.where(feasible, score, -math.inf)
        return X[np.argsort(-score)[:2]]

    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        return independent_fallback(
            self,
            self._independent_sampler,
            study,
            trial,
            param_name,
            param_distribution,
            warn=self._warn_independent_sampling,
            n_startup_trials=self._n_startup_trials,
        )

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self._independent_sampler.before_trial(study, trial)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState, values: Sequence[float] | None) -> None:
        store_constraints(study, trial, state, values, self._constraints_func)
        self._independent_sampler.after_trial(study, trial, state, values)


def _clip_infinite(gain: np.ndarray) -> np.ndarray:
    """Infinite objective values (a diverged run completes with inf) clipped to each objective's finite range:
    the best and worst trials the model can fit, in the order the values give."""
    if np.isfinite(gain).all():
        return gain
    gain = gain.copy()
    for k in range(gain.shape[1]):
        column = gain[:, k]
        finite = column[np.isfinite(column)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
        column[column == np.inf] = high
        column[column == -np.inf] = low
    return gain

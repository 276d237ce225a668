"""TPESampler: Tree-structured Parzen Estimators, albacore's default sampler."""

from __future__ import annotations

import json
import math
import os
import threading
import warnings
import zlib
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore._deprecation import warn_deprecated
from albacore._malloc import keep_freed_memory
from albacore._study_records import StudyDirection
from albacore.distributions import BaseDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.samplers._base import BaseSampler, warn_independent_sampling
from albacore.samplers._constraints import check_constraints_func, store_constraints
from albacore.samplers._random import RandomSampler
from albacore.samplers._search_space import StudyFollowingGroups, StudyFollowingIntersection
from albacore.samplers._tpe._kernels import log_truncated_normal_mass
from albacore.samplers._tpe._observations import RELATIVE_PARAMS_KEY, Observations, RunningTrials, study_trials
from albacore.samplers._tpe._parzen import ParzenEstimator, ShapesCache, SortedRows, TruncationCache
from albacore.samplers._tpe._space import SpaceEncoding
from albacore.samplers._tpe._split import (
    BelowSplit,
    age_ramp,
    default_gamma,
    default_gamma_multi_objective,
    default_weights,
    hyperopt_default_gamma,
)
from albacore.samplers._tpe._thinning import KernelThinning
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["TPESampler"]

# Bad trials modelled one kernel each; past this many, the bad model keeps a weighted sample of about this size.
_ABOVE_KERNELS = 1000


class _StudyState:
    """What the sampler remembers about one study between trials."""

    def __init__(self, study: Study) -> None:
        self.storage = study._storage
        signs = np.array([-1.0 if d == StudyDirection.MAXIMIZE else 1.0 for d in study.directions])
        self.n_objectives = len(signs)
        self.observations = Observations(signs)
        self.intersection = StudyFollowingIntersection(include_pruned=True)
        self.groups = StudyFollowingGroups(include_pruned=True)
        self.split_key: tuple[int, int] | None = None
        self.split = BelowSplit()
        self.below: np.ndarray = np.zeros(0, dtype=bool)
        self.running: RunningTrials | None = None
        self.truncation: dict[Hashable, TruncationCache] = {}
        self.sorted_rows: dict[Hashable, SortedRows] = {}
        self.thinning: KernelThinning | None = None
        self.shapes = ShapesCache()


class TPESampler(BaseSampler):
    """Tree-structured Parzen Estimator: models good and bad trials and samples where good ones are likelier.

    The finished trials are split into the best ``gamma(n)`` ("below") and the rest ("above"); each group is
    modelled by a Parzen estimator (a mixture of truncated normal and categorical kernels plus a broad prior),
    ``n_ei_candidates`` points are drawn from the good model, and the one with the highest ratio of good to bad
    density is chosen. The first ``n_startup_trials`` trials are random.

    Pruned trials count as worse than every completed one, ordered by the step they reached and their last
    reported value; trials violating constraints (``trial.set_constraint`` or ``constraints_func``) rank below
    all feasible ones. With several objectives, trials are ranked by non-domination and ties on the last front
    needed are broken by hypervolume contribution (MOTPE).

    Args:
        consider_prior: Deprecated (Optuna 4.3); the prior is always used, and False is refused.
        prior_weight: Deprecated (Optuna 4.9). Weight of the prior kernel relative to one observation; 1.0.
        consider_magic_clip: Deprecated (Optuna 4.9). Keep kernel widths above a floor that shrinks with the
            number of observations (True, the default) rather than a fixed one.
        consider_endpoints: Deprecated (Optuna 4.9). Count the ends of each range as neighbours of the extreme
            observations when choosing kernel widths; False.
        n_startup_trials: Finished trials sampled at random before the model is used.
        n_ei_candidates: Candidates drawn from the good model per trial.
        gamma: Deprecated (Optuna 4.9). ``gamma(n)`` gives how many of ``n`` finished trials are "good"; by
            default ``min(ceil(0.1 n), 25)`` for one objective and ``ceil(0.1 n)`` for several.
        weights: Deprecated (Optuna 4.9). ``weights(n)`` gives the weights of ``n`` observations, oldest first;
            by default the 25 most recent weigh 1 and older ones less.
        seed: Seed for reproducible sampling (bit for bit with ``n_jobs=1``); a random one when None.
        multivariate: Model the parameters seen in all finished trials jointly rather than each parameter on
            its own. None (the default) means True for one objective and False for several, as in Optuna 5.0.
        group: Split conditional search spaces into groups of parameters that always appear together and model
            each group jointly (turns on ``multivariate`` unless it is False, which is refused).
        warn_independent_sampling: Deprecated (Optuna 4.9). Log a warning when the multivariate sampler falls
            back to univariate sampling for a parameter outside the joint search space; off by default.
        constant_liar: Count other workers' running trials as bad observations, so that parallel workers
            spread out.
        constraints_func: Deprecated (Optuna 5.0); call ``trial.set_constraint`` in the objective instead.
            Maps a finished trial to constraint values; the trial is feasible when all are <= 0.
        order_numeric_choices: Model a categorical whose three or more choices are all numbers by the order of
            its choices (by rank: a log scale for ``[1e-4, 1e-3, 1e-2]``, a linear one for ``[16, 32, 48]``), so
            that what is learnt about one value carries over to its neighbours; the values suggested are still
            exactly the choices. False models every categorical as unrelated labels, as Optuna does.

    Passing any deprecated argument emits a ``FutureWarning``; it still works until Optuna removes it.

    Example:
        >>> import albacore
        >>> sampler = albacore.samplers.TPESampler(seed=0)
        >>> study = albacore.create_study(sampler=sampler)
        >>> study.optimize(lambda t: (t.suggest_float("x", -5, 5) - 1) ** 2, n_trials=30)
        >>> study.best_value < 0.5
        True
    """

    def __init__(
        self,
        *,
        consider_prior: bool | None = None,
        prior_weight: float | None = None,
        consider_magic_clip: bool | None = None,
        consider_endpoints: bool | None = None,
        n_startup_trials: int = 10,
        n_ei_candidates: int = 24,
        gamma: Callable[[int], int] | None = None,
        weights: Callable[[int], np.ndarray] | None = None,
        seed: int | None = None,
        multivariate: bool | None = None,
        group: bool = False,
        warn_independent_sampling: bool | None = None,
        constant_liar: bool = True,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        order_numeric_choices: bool = True,
    ) -> None:
        deprecated = {
            "consider_prior": (consider_prior, "4.3.0"),
            "prior_weight": (prior_weight, "4.9.0"),
            "consider_magic_clip": (consider_magic_clip, "4.9.0"),
            "consider_endpoints": (consider_endpoints, "4.9.0"),
            "gamma": (gamma, "4.9.0"),
            "weights": (weights, "4.9.0"),
            "warn_independent_sampling": (warn_independent_sampling, "4.9.0"),
        }
        for name, (value, since) in deprecated.items():
            if value is not None:
                warn_deprecated(
                    f"TPESampler's `{name}` argument", since=since, removed_in="6.0.0", instead="its default"
                )
        prior_weight = 1.0 if prior_weight is None else prior_weight
        if isinstance(n_startup_trials, bool) or not isinstance(n_startup_trials, int) or n_startup_trials < 0:
            raise InvalidArgumentError(f"`n_startup_trials` must be an integer >= 0, got {n_startup_trials!r}.")
        if isinstance(n_ei_candidates, bool) or not isinstance(n_ei_candidates, int) or n_ei_candidates < 1:
            raise InvalidArgumentError(f"`n_ei_candidates` must be an integer >= 1, got {n_ei_candidates!r}.")
        if not (isinstance(prior_weight, (int, float)) and math.isfinite(prior_weight) and prior_weight > 0):
            raise InvalidArgumentError(f"`prior_weight` must be a finite number > 0, got {prior_weight!r}.")
        if consider_prior is False:
            raise InvalidArgumentError("`consider_prior=False` is no longer supported: the prior is always used.")
        if group and multivariate is False:
            raise InvalidArgumentError("`group=True` needs the multivariate TPE; drop `multivariate=False`.")
        for name, func in (("gamma", gamma), ("weights", weights)):
            if func is not None and not callable(func):
                raise InvalidArgumentError(f"`{name}` must be callable or None, got {func!r}.")
        check_constraints_func("TPESampler", constraints_func)
        keep_freed_memory()  # growing arrays would otherwise map fresh pages every trial (see albacore._malloc)
        self._n_startup_trials = n_startup_trials
        self._n_ei_candidates = n_ei_candidates
        # None: joint for one objective, per parameter for several (as Optuna 5.0), joint with `group` always.
        self._multivariate = multivariate
        self._group = bool(group)
        self._warned_group_multi_objective = False
        self._constant_liar = bool(constant_liar)
        self._consider_endpoints = bool(consider_endpoints)
        self._magic_clip = consider_magic_clip is not False
        self._prior_weight = float(prior_weight)
        self._gamma = gamma
        self._weights = weights if weights is not None else default_weights
        self._warn_independent_sampling = bool(warn_independent_sampling)
        self._constraints_func = constraints_func
        self._order_numeric_choices = bool(order_numeric_choices)
        self._seed = 0
        self._random_sampler = RandomSampler()
        self._set_seed(seed)
        self._lock = threading.Lock()
        self._states: dict[tuple[int, int], _StudyState] = {}
        # Keyed by parameter names and distribution identities: hashing a distribution is slow, and a search
        # space is made of the same distribution objects trial after trial. The entry keeps them alive.
        self._encodings: dict[tuple[tuple[str, int], ...], SpaceEncoding] = {}

    def _set_seed(self, seed: int | None) -> None:
        self._seed = int.from_bytes(os.urandom(8), "little") if seed is None else int(seed)
        self._random_sampler = RandomSampler(seed=self._seed)

    def reseed_rng(self) -> None:
        self._set_seed(None)

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        state["_states"] = {}
        state["_encodings"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    # --- per-study state -----------------------------------------------------------------------------------

    def _state(self, study: Study) -> _StudyState:
        key = (id(study._storage), study._study_id)
        state = self._states.get(key)
        if state is None or state.storage is not study._storage:
            state = _StudyState(study)
            self._states[key] = state
        return state

    def _encoding(self, space: dict[str, BaseDistribution]) -> tuple[tuple[tuple[str, int], ...], SpaceEncoding]:
        key = tuple((name, id(dist)) for name, dist in space.items())
        encoding = self._encodings.get(key)
        if encoding is None:
            encoding = SpaceEncoding(space, ordered=self._order_numeric_choices)
            self._encodings[key] = encoding
        return key, encoding

    def _rng(self, number: int, names: Sequence[str]) -> np.random.Generator:
        tag = zlib.crc32("\x00".join(names).encode())
        return np.random.default_rng([self._seed & (2**64 - 1), number, tag])

    # --- BaseSampler -----------------------------------------------------------------------------------------

    @staticmethod
    def hyperopt_parameters() -> dict[str, Any]:
        """Deprecated: the arguments that make TPESampler behave like Hyperopt's TPE defaults.

        Example:
            >>> import warnings
            >>> with warnings.catch_warnings():
            ...     warnings.simplefilter("ignore", FutureWarning)
            ...     sampler = TPESampler(**TPESampler.hyperopt_parameters())
        """
        warn_deprecated("TPESampler.hyperopt_parameters()", since="4.9.0", removed_in="6.0.0", instead="the defaults")
        return {
            "consider_prior": True,
            "prior_weight": 1.0,
            "consider_magic_clip": True,
            "consider_endpoints": False,
            "n_startup_trials": 20,
            "n_ei_candidates": 24,
            "gamma": hyperopt_default_gamma,
            "weights": default_weights,
        }

    def _is_multivariate(self, study: Study) -> bool:
        if self._multivariate is not None:
            return self._multivariate
        if len(study.directions) == 1:
            return True
        if self._group:
            if not self._warned_group_multi_objective:
                self._warned_group_multi_objective = True
                warnings.warn(
                    "TPESampler(group=True) models parameters jointly, which is off by default for several "
                    "objectives; pass multivariate=True to say that you mean it.",
                    UserWarning,
                    stacklevel=4,
                )
            return True
        return False

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        if not self._is_multivariate(study):
            return {}
        with self._lock:
            state = self._state(study)
            if self._group:
                space: dict[str, BaseDistribution] = {}
                for sub in state.groups.calculate(study).search_spaces:
                    space.update(sub)
            else:
                space = state.intersection.calculate(study)
        return {name: dist for name, dist in space.items() if not dist.single()}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        if not search_space:
            return {}
        with self._lock:
            state = self._state(study)
            if not self._prepare(study, state, trial):
                return {}
            if self._group:
                subspaces = [
                    {n: d for n, d in sub.items() if n in search_space}
                    for sub in state.groups.calculate(study).search_spaces
                ]
            else:
                subspaces = [search_space]
            internal: dict[str, float] = {}
            for sub in subspaces:
                if sub:
                    internal.update(self._sample_space(state, trial.number, sub))
        if self._constant_liar:
            study._storage.set_trial_system_attr(trial._trial_id, RELATIVE_PARAMS_KEY, json.dumps(internal))
        return {name: search_space[name].to_external_repr(value) for name, value in internal.items()}

    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        with self._lock:
            state = self._state(study)
            if not self._prepare(study, state, trial):
                return self._random_sampler.sample_independent(study, trial, param_name, param_distribution)
            if self._warn_independent_sampling and not self._group and self._is_multivariate(study):
                warn_independent_sampling(
                    self, param_name, trial, "it is not in the joint search space of all finished trials"
                )
            internal = self._sample_space(state, trial.number, {param_name: param_distribution})
        return param_distribution.to_external_repr(internal[param_name])

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState, values: Sequence[float] | None) -> None:
        store_constraints(study, trial, state, values, self._constraints_func)

    # --- the model -------------------------------------------------------------------------------------------

    def _prepare(self, study: Study, state: _StudyState, trial: FrozenTrial) -> bool:
        """Bring the observations up to date and split them; False while still in the random start-up phase."""
        obs = state.observations
        first = obs.first_unread
        trials = study_trials(study, first)
        obs.update(trials, first)
        n = len(obs)
        if n < self._n_startup_trials or n == 0:
            return False
        key = (n, trial.number)
        if state.split_key != key:
            if self._gamma is not None:
                n_below = int(self._gamma(n))
            elif state.n_objectives > 1:
                n_below = default_gamma_multi_objective(n)
            else:
                n_below = default_gamma(n)
            state.below = state.split.split(obs, n_below)
            state.running = (
                RunningTrials(trials, trial.number, obs.first_unread, first) if self._constant_liar else None
            )
            state.split_key = key
        return True

    def _thinning(self, state: _StudyState) -> KernelThinning:
        if state.thinning is None:
            state.thinning = KernelThinning(seed=self._seed)
        return state.thinning

    def _weights_by_age(self, numbers: np.ndarray) -> np.ndarray:
        weights = np.empty(numbers.size)
        if numbers.size:
            trusted = self._weights is default_weights
            ordered = age_ramp(numbers.size) if trusted else np.asarray(self._weights(numbers.size), dtype=float)
            if not trusted and (
                ordered.shape != (numbers.size,) or not np.all(np.isfinite(ordered)) or np.any(ordered < 0)
            ):
                raise InvalidArgumentError(
                    f"`weights({numbers.size})` must return {numbers.size} finite non-negative numbers, "
                    f"got {ordered!r}."
                )
            if numbers.size < 2 or bool(np.all(numbers[1:] > numbers[:-1])):
                weights = ordered  # rows already oldest first, the usual case with one worker
            else:
                weights[np.argsort(numbers, kind="stable")] = ordered
        return weights

    def _sample_space(self, state: _StudyState, number: int, space: dict[str, BaseDistribution]) -> dict[str, float]:
        key, encoding = self._encoding(space)
        obs = state.observations
        matrix = obs.matrix(key, encoding)
        present = obs.complete_rows(key)
        below_index = np.nonzero(present & state.below)[0]
        numbers = obs.numbers.view
        below_x, below_numbers = matrix[below_index], numbers[below_index]
        running = state.running
        liars = np.zeros((0, matrix.shape[1]))
        liar_numbers = np.zeros(0)
        if running is not None and len(running):
            liars = running.matrix(encoding)
            known = ~np.isnan(liars).any(axis=1)
            liars = liars[known]
            liar_numbers = np.asarray(running.numbers, dtype=float)[known]
        below_w = np.ones(below_numbers.size) if state.n_objectives > 1 else self._weights_by_age(below_numbers)
        cache = state.truncation.get(key)
        if cache is None:
            cache = state.truncation[key] = TruncationCache()
        numeric = encoding.numeric_columns
        above_order = None
        # A long study: a weighted sample of the bad trials stands for all of them (see _thinning.py).
        thinned = len(obs) - below_index.size > _ABOVE_KERNELS
        by_age = None
        if thinned and self._weights is default_weights and obs.ascending and bool(present.all()):
            # Every row but the good ones is bad, oldest first: chosen without a pass in Python over them.
            newer = liar_numbers.size == 0 or bool(
                liar_numbers[0] > numbers[-1] and np.all(liar_numbers[1:] > liar_numbers[:-1])
            )
            if newer:
                by_age = self._thinning(state).select_by_age(
                    numbers, below_index, liar_numbers.size, budget=_ABOVE_KERNELS
                )
        if by_age is not None:
            above_index, above_w, liars_w = by_age
        else:
            above_index = np.nonzero(present & ~state.below)[0]
            above_numbers = numbers[above_index]
            all_above_w = self._weights_by_age(np.concatenate((above_numbers, liar_numbers)))
            above_w, liars_w = all_above_w[: above_index.size], all_above_w[above_index.size :]
            thinned = above_index.size > _ABOVE_KERNELS
            if thinned:
                kept, above_w = self._thinning(state).select(above_numbers, above_w, budget=_ABOVE_KERNELS)
                above_index = above_index[kept]
            elif not liars.shape[0]:  # no running trials mixed in: the kept sorted order applies
                sorted_rows = state.sorted_rows.get(key)
                if sorted_rows is None:
                    sorted_rows = state.sorted_rows[key] = SortedRows()
                above_order = sorted_rows.order_of(matrix[:, numeric], above_index)
        above_x = matrix[above_index]
        n_kept = above_index.size
        if liars.shape[0]:
            above_x = np.vstack((above_x, liars))
            above_w = np.concatenate((above_w, liars_w))

        def above_log_z(sigma: np.ndarray) -> np.ndarray:
            kept_z = cache.lookup(above_index, above_x[:n_kept, numeric], sigma[:n_kept])
            if sigma.shape[0] == n_kept:
                return kept_z
            liars_z = log_truncated_normal_mass(above_x[n_kept:, numeric], sigma[n_kept:])
            return np.vstack((kept_z, liars_z))

        # The good model, and the bad one while its rows come from the thinned sample without running trials,
        # reuse the kernel shapes of the last fit when fitted to the same rows (see ShapesCache).
        models = []
        for side, x, w, log_z, order, rows in (
            ("below", below_x, below_w, None, None, below_index),
            (
                "above",
                above_x,
                above_w,
                above_log_z,
                above_order,
                above_index if thinned and not liars.shape[0] else None,
            ),
        ):
            shapes = None if rows is None else state.shapes.get((key, side), rows)
            model = ParzenEstimator(
                encoding.specs,
                x,
                w,
                prior_weight=self._prior_weight,
                consider_endpoints=self._consider_endpoints,
                magic_clip=self._magic_clip,
                log_z=log_z,
                order=order,
                shapes=shapes,
            )
            if rows is not None and shapes is None:
                state.shapes.put((key, side), rows, model.shapes)
            models.append(model)
        good, bad = models
        rng = self._rng(number, encoding.names)
        candidates = good.sample(rng, self._n_ei_candidates)
        score = good.log_pdf(candidates) - bad.log_pdf(candidates)
        best = candidates[int(np.argmax(score))]
        return encoding.decode(best)

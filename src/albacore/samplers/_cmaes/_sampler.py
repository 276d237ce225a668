"""CmaEsSampler: CMA-ES (and CatCMA for categorical parameters) on the ``cmaes`` library."""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore._deprecation import warn_deprecated
from albacore._optional import require
from albacore._study_records import StudyDirection
from albacore.distributions import BaseDistribution, distribution_to_json
from albacore.exceptions import InvalidArgumentError
from albacore.samplers._base import BaseSampler, independent_fallback
from albacore.samplers._cmaes._state import dumps_optimizer, loads_optimizer
from albacore.samplers._random import RandomSampler
from albacore.samplers._search_space import StudyFollowingIntersection
from albacore.samplers._transform import SearchSpaceTransform
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["CmaEsSampler"]

_PREFIX = "cma:"
_TRIAL_KEY = _PREFIX + "trial"
_STATE_SUFFIX = ":state"  # the study system attribute holding the shared state of a space: "cma:<space>:state"


class _StateIndex:
    """Finds the most advanced optimizer state of one search space among the trials of a study.

    Studies written by earlier albacore versions kept each advanced state in the trial that advanced it; this
    reads them, so that such a study resumes where it stopped. States now live in a study system attribute.

    Finished trials never change, so each is read once; unfinished ones are read again until they finish.
    """

    def __init__(self, key: str) -> None:
        self._key = key
        self._seen = 0
        self._pending: set[int] = set()
        self._best: tuple[tuple[int, int], dict[str, Any]] | None = None

    def latest(self, trials: Sequence[FrozenTrial]) -> dict[str, Any] | None:
        # Positions, not trial numbers: a pruner's view of the study (Hyperband's brackets) holds a subset.
        positions = sorted(self._pending) + list(range(self._seen, len(trials)))
        self._pending = set()
        self._seen = max(self._seen, len(trials))
        for position in positions:
            trial = trials[position]
            attrs = trial.system_attrs.get(_TRIAL_KEY)
            if attrs is not None and attrs.get("space") == self._key and "state" in attrs:
                rank = (int(attrs["state"]["n_restarts"]), int(attrs["generation"]))
                if self._best is None or rank > self._best[0]:
                    self._best = (rank, attrs["state"])
            elif attrs is None and not trial.state.is_finished():
                self._pending.add(position)  # not sampled yet: it may still carry a state
        return None if self._best is None else dict(self._best[1])


def _import_cmaes() -> Any:
    return require("cmaes", extra="cmaes", feature="CmaEsSampler")


class CmaEsSampler(BaseSampler):
    """Covariance matrix adaptation evolution strategy, with categorical parameters handled by CatCMA.

    Numeric parameters are optimized in the unit box (log-scaled ones in log space); when the search space
    holds categorical parameters the sampler runs CatCMA with margin (``cmaes.CatCMAwM``). The optimizer's
    state is kept as JSON in the study's system attributes (never pickled), and each trial records its
    generation, so every worker of a study, in any process, contributes to and reads the same generations.

    Args:
        x0: Deprecated (Optuna 4.9). Initial mean, as a dict of parameter values; the centre of the space by
            default.
        sigma0: Deprecated (Optuna 4.9). Initial step size in the parameters' own (log) scale; 1/6 of the
            narrowest range by default.
        n_startup_trials: Number of trials sampled by ``independent_sampler`` first.
        independent_sampler: Sampler for the startup trials and for parameters outside the search space;
            ``RandomSampler(seed)`` by default.
        warn_independent_sampling: Warn when a parameter falls back to the independent sampler.
        seed: Seed for reproducible sampling.
        consider_pruned_trials: Count PRUNED trials, at their last intermediate value.
        restart_strategy: None, ``"ipop"`` (restart with a population ``inc_popsize`` times larger when the
            search stagnates) or ``"bipop"`` (alternate large and small populations).
        popsize: Population size; the CMA-ES default ``4 + 3 log(d)`` when None.
        inc_popsize: Growth factor of the population at each restart.
        use_separable_cma: Use the diagonal (separable) CMA-ES, cheaper in many dimensions (the plain CMA-ES,
            with a warning, on a one-dimensional space).
        with_margin: Use CMA-ES with margin, which keeps integer and stepped parameters from collapsing.
        lr_adapt: Adapt the learning rate (for noisy or multimodal problems).
        source_trials: Trials of a similar earlier task, for the warm-starting of Nomura et al. (2021).

    Example:
        >>> import albacore
        >>> study = albacore.create_study(sampler=albacore.samplers.CmaEsSampler(seed=0))
        >>> study.optimize(lambda t: t.suggest_float("x", -3, 3) ** 2 + t.suggest_float("y", -3, 3) ** 2, 60)
        >>> study.best_value < 0.5
        True
    """

    def __init__(
        self,
        x0: dict[str, Any] | None = None,
        sigma0: float | None = None,
        n_startup_trials: int = 1,
        independent_sampler: BaseSampler | None = None,
        warn_independent_sampling: bool = True,
        seed: int | None = None,
        *,
        consider_pruned_trials: bool = False,
        restart_strategy: str | None = None,
        popsize: int | None = None,
        inc_popsize: int = 2,
        use_separable_cma: bool = False,
        with_margin: bool = False,
        lr_adapt: bool = False,
        source_trials: list[FrozenTrial] | None = None,
    ) -> None:
        if restart_strategy not in (None, "ipop", "bipop"):
            raise InvalidArgumentError(f"`restart_strategy` must be None, 'ipop' or 'bipop', got {restart_strategy!r}.")
        if sigma0 is not None and not sigma0 > 0:
            raise InvalidArgumentError(f"`sigma0` must be > 0, got sigma0={sigma0!r}.")
        if popsize is not None and popsize < 2:
            raise InvalidArgumentError(f"`popsize` must be >= 2, got popsize={popsize!r}.")
        if inc_popsize < 1:
            raise InvalidArgumentError(f"`inc_popsize` must be >= 1, got inc_popsize={inc_popsize!r}.")
        if n_startup_trials < 0:
            raise InvalidArgumentError(f"`n_startup_trials` must be >= 0, got {n_startup_trials!r}.")
        if use_separable_cma and with_margin:
            raise InvalidArgumentError("`use_separable_cma` and `with_margin` cannot be used together; pick one.")
        if lr_adapt and (use_separable_cma or with_margin):
            raise InvalidArgumentError("`lr_adapt` works only with the plain CMA-ES; drop the other options.")
        if source_trials is not None and (x0 is not None or sigma0 is not None or use_separable_cma):
            raise InvalidArgumentError(
                "`source_trials` sets the initial mean, step size and covariance; it cannot be combined with "
                "`x0`, `sigma0` or `use_separable_cma`."
            )
        for name, value in (("x0", x0), ("sigma0", sigma0)):
            if value is not None:
                warn_deprecated(
                    f"CmaEsSampler's `{name}` argument",
                    since="4.9.0",
                    removed_in="6.0.0",
                    instead="the default (the centre of the search space, 1/6 of its width)",
                )
        _import_cmaes()
        self._x0 = x0
        self._sigma0 = sigma0
        self._n_startup_trials = n_startup_trials
        self._independent_sampler = independent_sampler or RandomSampler(seed=seed)
        self._warn_independent_sampling = warn_independent_sampling
        self._seed = int.from_bytes(os.urandom(4), "little") if seed is None else int(seed)
        self._consider_pruned_trials = consider_pruned_trials
        self._restart_strategy = restart_strategy
        self._popsize = popsize
        self._inc_popsize = inc_popsize
        self._use_separable_cma = use_separable_cma
        self._with_margin = with_margin
        self._lr_adapt = lr_adapt
        self._source_trials = source_trials
        self._search_space = StudyFollowingIntersection(include_pruned=consider_pruned_trials)
        self._cache_lock = threading.RLock()
        self._cache: tuple[str, Any] | None = None
        self._state_index: dict[tuple[int, int, str], _StateIndex] = {}
        self._warned_separable_1d = False

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_cache_lock"]
        state["_cache"] = None
        state["_state_index"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._cache_lock = threading.RLock()

    def _cached_optimizer(self, text: str) -> Any:
        """Decode a stored optimizer once per state; decoding JSON every trial costs more than CMA-ES itself."""
        with self._cache_lock:
            if self._cache is None or self._cache[0] != text:
                self._cache = (text, loads_optimizer(text))
            return self._cache[1]

    def reseed_rng(self) -> None:
        self._seed = int.from_bytes(os.urandom(4), "little")
        self._independent_sampler.reseed_rng()

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return {name: d for name, d in self._search_space.calculate(study).items() if not d.single()}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        self._raise_error_if_multi_objective(study)
        if not search_space:
            return {}
        if self._use_separable_cma and len(search_space) == 1 and not self._warned_separable_1d:
            self._warned_separable_1d = True
            warnings.warn(
                "Separable CMA-ES cannot do anything on a one-dimensional search space; CmaEsSampler uses the "
                "plain CMA-ES there (`use_separable_cma=True` is ignored).",
                UserWarning,
                stacklevel=2,
            )
        states = (TrialState.COMPLETE, TrialState.PRUNED) if self._consider_pruned_trials else (TrialState.COMPLETE,)
        finished = study.get_trials(deepcopy=False, states=states)
        if len(finished) < self._n_startup_trials:
            return {}
        transform = SearchSpaceTransform(search_space, one_hot=False)
        key = (
            _PREFIX
            + hashlib.sha256(
                json.dumps([[n, distribution_to_json(d)] for n, d in search_space.items()]).encode()
            ).hexdigest()[:16]
        )
        sign = -1.0 if study.direction == StudyDirection.MAXIMIZE else 1.0
        with self._cache_lock:
            # The decoded optimizer is shared by the threads of this sampler: reading, advancing, reseeding and
            # asking must not interleave.
            state = self._shared_state(study, key, finished, transform, sign)
            optimizer = self._cached_optimizer(state["optimizer"])
            optimizer.reseed_rng(_trial_seed(self._seed, trial.number))
            encoded, solution = self._ask(optimizer, transform)
        attrs: dict[str, Any] = {"space": key, "restart": state["n_restarts"], "generation": int(optimizer.generation)}
        attrs["solution"] = solution
        attrs["state_id"] = state.get("id")  # which state sampled it: one per generation, whatever the workers
        study._storage.set_trial_system_attr(trial._trial_id, _TRIAL_KEY, attrs)
        return transform.decode(encoded[None, :])[0]

    # --- optimizer state -------------------------------------------------------------------------------

    def _shared_state(
        self,
        study: Study,
        key: str,
        finished: list[FrozenTrial],
        transform: SearchSpaceTransform,
        sign: float,
    ) -> dict[str, Any]:
        """Return the study's optimizer state for the space ``key``, with every complete generation told.

        The state lives in the study system attribute ``<key>:state``. A worker that finds a generation complete
        tells it and stores the result with a compare-and-set against the state it read: of workers (threads or
        processes) racing to advance one generation exactly one succeeds, and the others continue from its
        state, so a generation is never told twice from different members nor lost.
        """
        name = key + _STATE_SUFFIX
        storage = study._storage
        while True:
            stored = storage.get_study_system_attrs(study._study_id).get(name)
            state = stored if stored is not None else self._latest_state(study, key, transform, sign)
            state, changed = self._tell_ready_generations(state, finished, key, sign, transform)
            if not changed:
                return state
            state["id"] = hashlib.sha256(state["optimizer"].encode()).hexdigest()[:16]
            try:
                if storage.compare_and_set_study_system_attr(study._study_id, name, stored, state):
                    return state
            except NotImplementedError:  # a storage without it: a plain write, which may race between processes
                storage.set_study_system_attr(study._study_id, name, state)
                return state
            # Another worker told this generation first: continue from the state it stored.

    def _latest_state(self, study: Study, key: str, transform: SearchSpaceTransform, sign: float) -> dict[str, Any]:
        index = self._state_index.setdefault((id(study._storage), study._study_id, key), _StateIndex(key))
        stored = index.latest(study.get_trials(deepcopy=False))
        if stored is not None:
            return stored
        default_popsize = self._popsize or 4 + math.floor(3 * math.log(max(transform.n_columns, 1)))
        optimizer = self._new_optimizer(transform, default_popsize, 1.0, sign)
        return {
            "optimizer": dumps_optimizer(optimizer),
            "n_restarts": 0,
            "default_popsize": default_popsize,
            "popsize": default_popsize,
            "large_evals": 0,
            "small_evals": 0,
            "large_restarts": 0,
            "regime": "large",
            "sign": sign,
        }

    def _new_optimizer(self, transform: SearchSpaceTransform, popsize: int, sigma_factor: float, sign: float) -> Any:
        cmaes = _import_cmaes()
        n = transform.n_columns
        discrete = (transform.n_choices > 0) & ~transform.is_categorical
        mean = np.full(n, 0.5)
        if self._x0 is not None:
            mean = transform.encode_params([{**transform.decode(mean[None, :])[0], **self._x0}])[0]
        sigma = (self._sigma0_unit(transform) if self._sigma0 is not None else 1.0 / 6.0) * sigma_factor
        seed = int(self._seed) % (2**31)
        if transform.is_categorical.any():
            continuous = ~transform.is_categorical & ~discrete
            z_space = [list((np.arange(k) + 0.5) / k) for k in transform.n_choices[discrete]]
            return cmaes.CatCMAwM(
                x_space=[[0.0, 1.0]] * int(continuous.sum()) or None,
                z_space=z_space or None,
                c_space=[int(k) for k in transform.n_choices[transform.is_categorical]],
                population_size=popsize,
                seed=seed,
            )
        bounds = np.tile([0.0, 1.0], (n, 1))
        cov = None
        if self._source_trials is not None:
            source = [
                (transform.encode_params([t.params])[0], sign * float(t.values[0]))
                for t in self._source_trials
                if t.state == TrialState.COMPLETE
                and t.values is not None
                and all(p in t.params for p in transform.names)
            ]
            if not source:
                raise InvalidArgumentError("`source_trials` holds no COMPLETE trial with every parameter of the space.")
            mean, sigma, cov = cmaes.get_warm_start_mgd(source)
        if self._use_separable_cma and n > 1:
            return cmaes.SepCMA(mean=mean, sigma=sigma, bounds=bounds, seed=seed, population_size=popsize)
        if self._with_margin and discrete.any():
            steps = np.where(discrete, 1.0 / np.maximum(transform.n_choices, 1), 0.0)
            bounds[discrete, 0] = 0.5 * steps[discrete]
            bounds[discrete, 1] = 1.0 - 0.5 * steps[discrete]
            return cmaes.CMAwM(
                mean=np.clip(mean, bounds[:, 0], bounds[:, 1]),
                sigma=sigma,
                bounds=bounds,
                steps=steps,
                cov=cov,
                seed=seed,
                population_size=popsize,
            )
        return cmaes.CMA(
            mean=mean,
            sigma=sigma,
            cov=cov,
            bounds=bounds,
            seed=seed,
            population_size=popsize,
            lr_adapt=self._lr_adapt,
        )

    def _sigma0_unit(self, transform: SearchSpaceTransform) -> float:
        assert self._sigma0 is not None
        numeric = ~transform.is_categorical
        spans = (transform._hi - transform._lo)[transform.column_param[numeric]]
        spans = spans[spans > 0]
        return float(self._sigma0 / spans.min()) if len(spans) else 1.0 / 6.0

    def _tell_ready_generations(
        self,
        state: dict[str, Any],
        finished: list[FrozenTrial],
        key: str,
        sign: float,
        transform: SearchSpaceTransform,
    ) -> tuple[dict[str, Any], bool]:
        records = []
        for t in finished:
            attrs = t.system_attrs.get(_TRIAL_KEY)
            if attrs is None or attrs.get("space") != key:
                continue
            value = _trial_value(t)
            if value is not None:
                records.append((attrs, sign * value))
        changed = False
        while True:
            optimizer = self._cached_optimizer(state["optimizer"])
            members = [
                (attrs["solution"], value)
                for attrs, value in records
                if attrs["restart"] == state["n_restarts"] and attrs["generation"] == optimizer.generation
            ]
            if len(members) < optimizer.population_size:
                return state, changed
            members = members[: optimizer.population_size]
            optimizer = loads_optimizer(state["optimizer"])  # a private copy: telling changes it
            optimizer.tell([(_solution_from_json(optimizer, s), v) for s, v in members])
            state = dict(state, optimizer=dumps_optimizer(optimizer))
            regime_key = "large_evals" if state["regime"] == "large" else "small_evals"
            state[regime_key] += optimizer.population_size
            changed = True
            if self._restart_strategy is not None and optimizer.should_stop():
                state = self._restart(state, transform)

    def _restart(self, state: dict[str, Any], transform: SearchSpaceTransform) -> dict[str, Any]:
        state = dict(state, n_restarts=state["n_restarts"] + 1)
        sigma_factor = 1.0
        if self._restart_strategy == "ipop":
            state["popsize"] = state["popsize"] * self._inc_popsize
        elif state["small_evals"] < state["large_evals"]:
            # BIPOP: spend as many evaluations on small, local restarts as on large, global ones.
            rng = np.random.default_rng([self._seed, state["n_restarts"]])
            u = float(rng.random())
            large = state["default_popsize"] * self._inc_popsize ** state["large_restarts"]
            state["popsize"] = max(
                state["default_popsize"],
                math.floor(state["default_popsize"] * (0.5 * large / state["default_popsize"]) ** (u * u)),
            )
            sigma_factor = 10.0 ** (-2.0 * float(rng.random()))
            state["regime"] = "small"
        else:
            state["large_restarts"] += 1
            state["popsize"] = state["default_popsize"] * self._inc_popsize ** state["large_restarts"]
            state["regime"] = "large"
        state["optimizer"] = dumps_optimizer(
            self._new_optimizer(transform, state["popsize"], sigma_factor, state["sign"])
        )
        return state

    def _ask(self, optimizer: Any, transform: SearchSpaceTransform) -> tuple[np.ndarray, Any]:
        cmaes = _import_cmaes()
        if isinstance(optimizer, cmaes.CatCMAwM):
            sol = optimizer.ask()
            encoded = np.zeros(transform.n_columns)
            discrete = (transform.n_choices > 0) & ~transform.is_categorical
            continuous = ~transform.is_categorical & ~discrete
            if sol.x is not None and continuous.any():
                encoded[continuous] = sol.x
            if sol.z is not None and discrete.any():
                encoded[discrete] = sol.z
            if sol.c is not None:
                encoded[transform.is_categorical] = np.argmax(sol.c, axis=1)
            payload = {
                k: None if getattr(sol, a) is None else np.asarray(getattr(sol, a), dtype=float).tolist()
                for k, a in (("x", "x"), ("z", "z"), ("c", "c"), ("v", "_v_raw"))
            }
            return encoded, payload
        if isinstance(optimizer, cmaes.CMAwM):
            x_eval, x_tell = optimizer.ask()
            return np.asarray(x_eval), np.asarray(x_tell).tolist()
        x = np.asarray(optimizer.ask())
        return x, x.tolist()

    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        self._raise_error_if_multi_objective(study)
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
        self._independent_sampler.after_trial(study, trial, state, values)


def _trial_seed(seed: int, number: int) -> int:
    return int.from_bytes(hashlib.sha256(b"%d:%d" % (seed, number)).digest()[:4], "little")


def _trial_value(trial: FrozenTrial) -> float | None:
    if trial.state == TrialState.COMPLETE:
        return None if trial.values is None else float(trial.values[0])
    if trial.intermediate_values:
        value = trial.intermediate_values[max(trial.intermediate_values)]
        return float(value) if math.isfinite(value) else None
    return None


def _solution_from_json(optimizer: Any, payload: Any) -> Any:
    cmaes = _import_cmaes()
    if isinstance(optimizer, cmaes.CatCMAwM):

        def arr(name: str, dtype: type = float) -> np.ndarray | None:
            return None if payload[name] is None else np.asarray(payload[name], dtype=dtype)

        return cmaes.CatCMAwM.Solution(x=arr("x"), z=arr("z"), c=arr("c", bool), _v_raw=arr("v"))
    return np.asarray(payload, dtype=float)

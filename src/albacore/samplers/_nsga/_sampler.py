"""NSGAIISampler and NSGAIIISampler: elitist genetic algorithms for one or several objectives."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore._pareto import to_minimization
from albacore.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.samplers._constraints import check_constraints_func, store_constraints
from albacore.samplers._nsga._base import BaseGASampler
from albacore.samplers._nsga._operators import BaseCrossover, BaseMutation, UniformCrossover
from albacore.samplers._nsga._selection import (
    constrained_fronts,
    crowding_distance,
    das_dennis_points,
    select_by_crowding,
    select_by_reference_points,
)
from albacore.samplers._random import RandomSampler
from albacore.samplers._search_space import StudyFollowingIntersection
from albacore.trial._constraints import constraints_of
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["NSGAIIISampler", "NSGAIISampler"]

_PARENTS_KEY = "nsga:parents"


def _violation(trial: FrozenTrial) -> float:
    return float(
        sum(max(v, 0.0) if not math.isnan(v) else math.inf for v in constraints_of(trial.system_attrs).values())
    )


def _to_numeric(value: Any, dist: BaseDistribution) -> float:
    internal = dist.to_internal_repr(value)
    return math.log(internal) if getattr(dist, "log", False) else internal


def _from_numeric(x: float, dist: FloatDistribution | IntDistribution) -> Any:
    value = math.exp(x) if dist.log else x
    value = min(max(value, dist.low), dist.high)
    step = dist.step if isinstance(dist, IntDistribution) or dist.step is not None else None
    if step is not None:
        value = dist.low + round((value - dist.low) / step) * step
        value = min(value, dist.high)
    if isinstance(dist, IntDistribution):
        return round(value)
    return float(value)


def _bounds(dist: FloatDistribution | IntDistribution) -> tuple[float, float]:
    if dist.log:
        return math.log(dist.low), math.log(dist.high)
    return float(dist.low), float(dist.high)


class NSGAIISampler(BaseGASampler):
    """NSGA-II (Deb et al., 2002): non-dominated sorting with crowding distance, and constrained domination.

    Generation 0 is drawn at random. Each later trial breeds a child from parents chosen by binary tournament
    (rank, then crowding distance) among the survivors of the previous generation: ``crossover`` with
    probability ``crossover_prob`` on numeric parameters, swapping of the others, then mutation of each
    parameter with probability ``mutation_prob`` (by ``mutation`` for numeric parameters when given, else a
    fresh random value). Generations live in trial system attributes and parent lists in study system
    attributes, so parallel workers, threads or processes, share them.

    Args:
        population_size: Number of COMPLETE trials per generation.
        mutation: Mutation operator for numeric parameters; a random redraw when None.
        mutation_prob: Probability of mutating each parameter; ``1 / number of parameters`` when None.
        crossover: Crossover operator for numeric parameters; :class:`UniformCrossover` when None.
        crossover_prob: Probability that a child comes from a crossover rather than a copy of one parent.
        swapping_prob: Probability of taking each non-numeric (and, for uniform crossover, each) parameter from
            the second parent.
        seed: Seed for reproducible sampling.
        constraints_func: Deprecated in favour of ``Trial.set_constraint``; constraint values of a finished
            trial (feasible when all are <= 0).
        elite_population_selection_strategy: ``f(study, population) -> survivors`` replacing the built-in
            survivor selection.
        child_generation_strategy: ``f(study, search_space, parent_population) -> params`` replacing the
            built-in breeding.
        after_trial_strategy: ``f(study, trial, state, values)`` replacing the storing of ``constraints_func``.

    Example:
        >>> import albacore
        >>> sampler = albacore.samplers.NSGAIISampler(population_size=10, seed=0)
        >>> study = albacore.create_study(directions=["minimize", "minimize"], sampler=sampler)
        >>> study.optimize(lambda t: (t.suggest_float("x", 0, 1), 1 - t.suggest_float("x", 0, 1) ** 0.5), 40)
        >>> len(study.best_trials) > 3
        True
    """

    def __init__(
        self,
        *,
        population_size: int = 50,
        mutation: BaseMutation | None = None,
        mutation_prob: float | None = None,
        crossover: BaseCrossover | None = None,
        crossover_prob: float = 0.9,
        swapping_prob: float = 0.5,
        seed: int | None = None,
        constraints_func: Callable[[FrozenTrial], Sequence[float]] | None = None,
        elite_population_selection_strategy: Callable[[Study, list[FrozenTrial]], list[FrozenTrial]] | None = None,
        child_generation_strategy: Callable[[Study, dict[str, BaseDistribution], list[FrozenTrial]], dict[str, Any]]
        | None = None,
        after_trial_strategy: Callable[[Study, FrozenTrial, TrialState, Sequence[float] | None], None] | None = None,
    ) -> None:
        super().__init__(population_size=population_size)
        check_constraints_func(type(self).__name__, constraints_func)
        for name, value in (("crossover_prob", crossover_prob), ("swapping_prob", swapping_prob)):
            if not 0.0 <= value <= 1.0:
                raise InvalidArgumentError(f"`{name}` must be in [0, 1], got {name}={value!r}.")
        if mutation_prob is not None and not 0.0 <= mutation_prob <= 1.0:
            raise InvalidArgumentError(f"`mutation_prob` must be in [0, 1] or None, got {mutation_prob!r}.")
        crossover = crossover or UniformCrossover(swapping_prob)
        if not isinstance(crossover, BaseCrossover):
            raise InvalidArgumentError(f"`crossover` must be a BaseCrossover, got {crossover!r}.")
        if population_size < crossover.n_parents:
            raise InvalidArgumentError(
                f"`population_size` must be >= the {crossover.n_parents} parents that {crossover} needs, "
                f"got population_size={population_size}."
            )
        self._mutation = mutation
        self._mutation_prob = mutation_prob
        self._crossover = crossover
        self._crossover_prob = crossover_prob
        self._swapping_prob = swapping_prob
        self._seed = int.from_bytes(np.random.bytes(4), "little") if seed is None else int(seed)
        self._random_sampler = RandomSampler(seed=seed)
        self._constraints_func = constraints_func
        self._elite_strategy = elite_population_selection_strategy
        self._child_strategy = child_generation_strategy
        self._after_trial_strategy = after_trial_strategy
        self._search_space = StudyFollowingIntersection()
        self._rank_cache: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray]] = {}

    def reseed_rng(self) -> None:
        self._seed = int.from_bytes(np.random.bytes(4), "little")
        self._random_sampler.reseed_rng()

    def _rng(self, trial: FrozenTrial, salt: int = 0) -> np.random.RandomState:
        digest = hashlib.sha256(b"%d:%d:%d" % (self._seed, trial.number, salt)).digest()
        return np.random.RandomState(int.from_bytes(digest[:4], "little"))

    # --- survivors ---------------------------------------------------------------------------------------

    def select_parent(self, study: Study, generation: int) -> list[FrozenTrial]:
        pool = {t.number: t for t in self.get_parent_population(study, generation - 1)}
        pool.update({t.number: t for t in self.get_population(study, generation - 1)})
        population = [pool[n] for n in sorted(pool)]
        if self._elite_strategy is not None:
            return self._elite_strategy(study, population)
        if len(population) <= self._population_size:
            return population
        loss = to_minimization(np.array([t.values for t in population], dtype=float), study.directions)
        violation = np.array([_violation(t) for t in population])
        rng = np.random.RandomState(
            int.from_bytes(hashlib.sha256(b"%d:g%d" % (self._seed, generation)).digest()[:4], "little")
        )
        chosen = self._survivors(loss, violation, rng)
        return [population[i] for i in sorted(chosen)]

    def _survivors(self, loss: np.ndarray, violation: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
        return select_by_crowding(loss, violation, self._population_size, rng)

    def _tournament(self, study: Study, parents: list[FrozenTrial], rng: np.random.RandomState, k: int) -> list[int]:
        key = tuple(t.number for t in parents)
        cached = self._rank_cache.get(key)
        if cached is None:
            # Parents of a generation never change: rank them once per generation, not once per child.
            loss = to_minimization(np.array([t.values for t in parents], dtype=float), study.directions)
            violation = np.array([_violation(t) for t in parents])
            rank = np.zeros(len(parents), dtype=np.int64)
            crowd = np.zeros(len(parents))
            for r, front in enumerate(constrained_fronts(loss, violation)):
                rank[front] = r
                crowd[front] = crowding_distance(loss[front])
            self._rank_cache = {key: (rank, crowd)}
        else:
            rank, crowd = cached
        chosen: list[int] = []
        while len(chosen) < k:
            a, b = rng.choice(len(parents), 2, replace=False)
            winner = a if (rank[a], -crowd[a]) < (rank[b], -crowd[b]) else b
            if winner not in chosen or len(parents) < 2 * k:
                chosen.append(int(winner))
        return chosen

    # --- breeding ----------------------------------------------------------------------------------------

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return self._search_space.calculate(study)

    def before_trial(self, study: Study, trial: FrozenTrial) -> None:
        self.get_trial_generation(study, trial)

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        generation = self.get_trial_generation(study, trial)
        parents = self.get_parent_population(study, generation)
        if len(parents) < 2:
            return {}
        if self._child_strategy is not None:
            return self._child_strategy(study, search_space, parents)
        rng = self._rng(trial)
        n_parents = self._crossover.n_parents if rng.rand() < self._crossover_prob else 1
        chosen = [parents[i] for i in self._tournament(study, parents, rng, max(n_parents, 1))]
        study._storage.set_trial_system_attr(trial._trial_id, _PARENTS_KEY, [p.number for p in chosen])
        space = {n: d for n, d in search_space.items() if all(n in p.params for p in chosen)}
        child: dict[str, Any] = {}
        numeric = [n for n, d in space.items() if not isinstance(d, CategoricalDistribution)]
        if n_parents > 1 and numeric:
            dists = [space[n] for n in numeric]
            assert all(isinstance(d, (FloatDistribution, IntDistribution)) for d in dists)
            params = np.array([[_to_numeric(p.params[n], space[n]) for n in numeric] for p in chosen])
            bounds = np.array([_bounds(d) for d in dists])  # type: ignore[arg-type]
            values = np.clip(self._crossover.crossover(params, rng, study, bounds), bounds[:, 0], bounds[:, 1])
            for name, dist, x in zip(numeric, dists, values, strict=True):
                child[name] = _from_numeric(float(x), dist)  # type: ignore[arg-type]
        for name in space:
            if name in child:
                continue
            donor = chosen[1] if n_parents > 1 and rng.rand() < self._swapping_prob else chosen[0]
            child[name] = donor.params[name]
        mutation_prob = self._mutation_prob if self._mutation_prob is not None else 1.0 / max(len(space), 1)
        for name in list(child):
            if rng.rand() >= mutation_prob:
                continue
            dist = space[name]
            if self._mutation is not None and isinstance(dist, (FloatDistribution, IntDistribution)):
                lo, hi = _bounds(dist)
                x = self._mutation.mutation(_to_numeric(child[name], dist), rng, study, np.array([lo, hi]))
                child[name] = _from_numeric(x, dist)
            else:
                del child[name]  # redrawn by the independent sampler
        return child

    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        # Parameters outside the shared space (conditional ones) are inherited from a parent that has them.
        numbers = study._storage.get_trial(trial._trial_id).system_attrs.get(_PARENTS_KEY)
        if numbers:
            rng = self._rng(trial, salt=len(param_name) + sum(param_name.encode()))
            mutation_prob = self._mutation_prob if self._mutation_prob is not None else 0.1
            trials = study.get_trials(deepcopy=False)
            for number in numbers:
                parent = trials[number] if number < len(trials) and trials[number].number == number else None
                if (
                    parent is not None
                    and parent.distributions.get(param_name) == param_distribution
                    and rng.rand() >= mutation_prob
                ):
                    return parent.params[param_name]
        return self._random_sampler.sample_independent(study, trial, param_name, param_distribution)

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState, values: Sequence[float] | None) -> None:
        if self._after_trial_strategy is not None:
            self._after_trial_strategy(study, trial, state, values)
            return
        store_constraints(study, trial, state, values, self._constraints_func)


class NSGAIIISampler(NSGAIISampler):
    """NSGA-III (Deb and Jain, 2014): NSGA-II whose last front is cut by niching around reference points.

    Takes every argument of :class:`NSGAIISampler`, plus:

    Args:
        reference_points: Reference directions (k x number of objectives); Das-Dennis points on the simplex
            when None.
        dividing_parameter: Number of divisions of each objective axis for the default reference points.
        **kwargs: The arguments of :class:`NSGAIISampler`.

    Example:
        >>> import albacore
        >>> sampler = albacore.samplers.NSGAIIISampler(population_size=10, seed=0)
        >>> study = albacore.create_study(directions=["minimize"] * 3, sampler=sampler)
        >>> study.optimize(lambda t: [t.suggest_float(f"x{i}", 0, 1) for i in range(3)], n_trials=30)
        >>> len(study.trials)
        30
    """

    def __init__(
        self, *, reference_points: np.ndarray | None = None, dividing_parameter: int = 3, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        if dividing_parameter < 1:
            raise InvalidArgumentError(f"`dividing_parameter` must be >= 1, got {dividing_parameter!r}.")
        self._reference_points = None if reference_points is None else np.asarray(reference_points, dtype=float)
        self._dividing_parameter = dividing_parameter

    def _survivors(self, loss: np.ndarray, violation: np.ndarray, rng: np.random.RandomState) -> np.ndarray:
        points = self._reference_points
        if points is None:
            points = das_dennis_points(loss.shape[1], self._dividing_parameter)
        if points.shape[1] != loss.shape[1]:
            raise InvalidArgumentError(
                f"`reference_points` must have one column per objective ({loss.shape[1]}), got {points.shape[1]}."
            )
        return select_by_reference_points(loss, violation, self._population_size, points, rng)

"""BruteForceSampler: try every combination of a discrete define-by-run search space, then stop.

The space is discovered as trials run. Trials are laid out as paths in a tree: a node is the parameter an
objective asks for next given the values chosen so far, its children are that parameter's values. A node is
*explored* when every value has a child and every child is explored; a leaf (a node where trials ended) is
explored when a trial ended there. New trials walk down and pick, at the parameter they are asked, a value never
tried at that point if one exists, else one whose subtree is not explored yet.
"""

from __future__ import annotations

import decimal
import os
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from albacore.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.samplers._base import BaseSampler
from albacore.samplers._grid import stop_optimize
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["BruteForceSampler"]


def _n_values(dist: BaseDistribution, name: str) -> int:
    if isinstance(dist, CategoricalDistribution):
        return len(dist.choices)
    if isinstance(dist, IntDistribution):
        return (dist.high - dist.low) // dist.step + 1
    assert isinstance(dist, FloatDistribution)
    if dist.step is None:
        raise InvalidArgumentError(
            f"BruteForceSampler needs a finite search space, but suggest_float({name!r}) has no `step`; give it "
            "a step (or use suggest_int / suggest_categorical)."
        )
    return round((dist.high - dist.low) / dist.step) + 1


def _index_of(dist: BaseDistribution, value: Any) -> int:
    internal = dist.to_internal_repr(value)
    if isinstance(dist, CategoricalDistribution):
        return int(internal)
    assert isinstance(dist, (IntDistribution, FloatDistribution)) and dist.step is not None
    return round((internal - dist.low) / dist.step)


def _value_at(dist: BaseDistribution, index: int) -> Any:
    if isinstance(dist, CategoricalDistribution):
        return dist.choices[index]
    if isinstance(dist, IntDistribution):
        return dist.low + index * dist.step
    assert isinstance(dist, FloatDistribution) and dist.step is not None
    # Decimal arithmetic gives 0.3 rather than 0.30000000000000004 for low=0.1, step=0.1, index=2.
    exact = decimal.Decimal(str(dist.low)) + index * decimal.Decimal(str(dist.step))
    return min(float(exact), dist.high)


def _dynamic_space(detail: str) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"BruteForceSampler needs the same search space on every path of the objective: {detail}. Keep the "
        "ranges and the order of suggest_* calls fixed for given values of the earlier parameters."
    )


@dataclass
class _Node:
    param: str | None = None
    dist: BaseDistribution | None = None
    children: dict[int, _Node] = field(default_factory=dict)
    ended_finished: bool = False
    ended_complete: bool = False
    ended_running: bool = False

    def insert(
        self, params: dict[str, Any], dists: dict[str, BaseDistribution], state: TrialState, number: int
    ) -> None:
        node = self
        left = dict(params)
        while True:
            if node.param is None and left:
                if node.ended_complete:
                    raise _dynamic_space(
                        f"trial #{number} suggests {next(iter(left))!r} where a completed trial suggested nothing more"
                    )
                # Trials list parameters in the order the objective asked for them: the first one left is next.
                node.param = next(iter(left))
                node.dist = dists[node.param]
            if node.param is None or node.param not in left:
                if left:
                    raise _dynamic_space(
                        f"trial #{number} suggests {next(iter(left))!r} where other trials suggested {node.param!r}"
                    )
                if node.param is not None and state == TrialState.COMPLETE:
                    raise _dynamic_space(f"trial #{number} completed without suggesting {node.param!r}")
                if state == TrialState.RUNNING:
                    node.ended_running = True
                else:
                    node.ended_finished = True
                    node.ended_complete = node.ended_complete or state == TrialState.COMPLETE
                return
            assert node.dist is not None
            if dists[node.param] != node.dist:
                raise _dynamic_space(f"{node.param!r} was {node.dist}, trial #{number} has {dists[node.param]}")
            index = _index_of(node.dist, left.pop(node.param))
            node = node.children.setdefault(index, _Node())

    def explored(self, count_running: bool) -> bool:
        if self.param is None:
            return self.ended_finished or (count_running and self.ended_running)
        assert self.dist is not None
        n_values = _n_values(self.dist, self.param)
        if len(self.children) < n_values:
            return False
        return all(child.explored(count_running) for child in self.children.values())


class BruteForceSampler(BaseSampler):
    """Exhaustive search of a discrete define-by-run space; ``optimize`` stops once everything was tried.

    Conditional spaces are supported: the parameters a trial asks for may depend on the values of earlier ones.
    Every parameter must be discrete (``suggest_int``, ``suggest_categorical`` or ``suggest_float`` with a
    ``step``), and the search space must not change along a path: the same parameters, in the same order and
    with the same ranges, for given values of the earlier ones (a ``ValueError`` says where it did). The sampler
    remembers the values it gave to running trials; trials running in other processes are seen once they write
    their parameters to the storage (at their first report or at the end), so there a combination may run twice.

    Args:
        seed: Seed of the random choice among untried values.
        avoid_premature_stop: A running trial that has not asked for all its parameters yet looks like a leaf;
            by default it counts as explored, which can stop ``optimize`` before the values it will still ask
            for are all tried. With True, only finished trials count as explored, at the cost of more repeats
            when several workers run.

    Example:
        >>> import albacore
        >>> def objective(trial):
        ...     kind = trial.suggest_categorical("kind", ["linear", "tree"])
        ...     if kind == "tree":
        ...         return trial.suggest_int("depth", 1, 3)
        ...     return trial.suggest_float("c", 0.5, 1.0, step=0.5)
        >>> study = albacore.create_study(sampler=albacore.samplers.BruteForceSampler(seed=0))
        >>> study.optimize(objective)
        >>> len(study.trials)
        5
    """

    def __init__(self, seed: int | None = None, avoid_premature_stop: bool = False) -> None:
        self._seed = str(seed) if seed is not None else os.urandom(8).hex()
        self._avoid_premature_stop = bool(avoid_premature_stop)
        self._lock = threading.Lock()
        # Values this sampler gave to running trials, which the storage may not hold yet (parameters are written
        # in batches): (storage id, study id, trial number) -> name -> (value, distribution), in suggest order.
        self._handed: dict[tuple[int, int, int], dict[str, tuple[Any, BaseDistribution]]] = {}

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        state["_handed"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def reseed_rng(self) -> None:
        self._seed = os.urandom(8).hex()

    def _tree(self, study: Study, skip_number: int) -> _Node:
        root = _Node()
        with self._lock:
            handed = {number: dict(v) for (sid, stid, number), v in self._handed.items() if (sid, stid) == _key(study)}
        # Straight from the storage: what was tried is shared by the whole study, even when a pruner shows the
        # sampler only part of it (Hyperband's brackets).
        for trial in study._storage.get_all_trials(study._study_id, deepcopy=False):
            if trial.number == skip_number or trial.state == TrialState.WAITING:
                continue
            params, dists = trial.params, trial.distributions
            extra = handed.get(trial.number) if trial.state == TrialState.RUNNING else None
            if extra:
                params = {**params, **{n: v for n, (v, _) in extra.items() if n not in params}}
                dists = {**dists, **{n: d for n, (_, d) in extra.items() if n not in dists}}
            root.insert(params, dists, trial.state, trial.number)
        return root

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return {}

    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        n_values = _n_values(param_distribution, param_name)
        node: _Node | None = self._tree(study, trial.number)
        # Walk down the values this trial already has, in the order it asked for them.
        while node is not None and node.param is not None and node.param != param_name:
            asked = node.param
            if asked not in trial.params or node.dist is None:
                raise _dynamic_space(
                    f"trial #{trial.number} suggests {param_name!r} where other trials suggested {asked!r}"
                )
            node = node.children.get(_index_of(node.dist, trial.params[asked]))
        if node is not None and node.param is None and node.ended_complete:
            raise _dynamic_space(
                f"trial #{trial.number} suggests {param_name!r} where a completed trial suggested nothing more"
            )
        if node is not None and node.param == param_name and node.dist != param_distribution:
            raise _dynamic_space(f"{param_name!r} was {node.dist}, trial #{trial.number} has {param_distribution}")
        rng = random.Random(f"{self._seed}:{trial.number}:{param_name}")
        candidates = list(range(n_values))
        if node is not None and node.param == param_name:
            untried = [i for i in candidates if i not in node.children]
            unexplored = [i for i, child in node.children.items() if not child.explored(not self._avoid_premature_stop)]
            candidates = untried or sorted(unexplored) or candidates
        value = _value_at(param_distribution, rng.choice(candidates))
        with self._lock:
            self._handed.setdefault((*_key(study), trial.number), {})[param_name] = (value, param_distribution)
        return value

    def after_trial(self, study: Study, trial: FrozenTrial, state: TrialState, values: Sequence[float] | None) -> None:
        with self._lock:
            self._handed.pop((*_key(study), trial.number), None)
        root = self._tree(study, trial.number)
        root.insert(trial.params, trial.distributions, state, trial.number)
        if root.explored(not self._avoid_premature_stop):
            stop_optimize(study)


def _key(study: Study) -> tuple[int, int]:
    return id(study._storage), study._study_id

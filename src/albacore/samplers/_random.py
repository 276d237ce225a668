"""RandomSampler: independent uniform draws, reproducible per (seed, trial number, parameter name)."""

from __future__ import annotations

import hashlib
import math
import os
from typing import TYPE_CHECKING, Any

from albacore.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.samplers._base import BaseSampler
from albacore.trial._frozen import FrozenTrial

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["RandomSampler", "from_unit"]

_TWO_TO_64 = float(2**64)
_MASK64 = 2**64 - 1


def from_unit(u: float, dist: BaseDistribution) -> Any:
    """Map ``u`` in [0, 1) to an external value of ``dist`` (uniform in the distribution's own scale)."""
    kind = type(dist)  # exact type checks: isinstance against ABC subclasses is slow on this hot path
    if kind is FloatDistribution and not dist.log and dist.step is None:  # type: ignore[attr-defined]
        width = dist.high - dist.low  # type: ignore[attr-defined]
        if width < math.inf:
            return dist.low + u * width  # type: ignore[attr-defined]
    # An IntDistribution skips the categorical isinstance check: CategoricalDistribution is an ABC, and
    # isinstance against one runs Python code.
    if kind is CategoricalDistribution or (kind is not IntDistribution and isinstance(dist, CategoricalDistribution)):
        assert isinstance(dist, CategoricalDistribution)
        return dist.choices[min(int(u * len(dist.choices)), len(dist.choices) - 1)]
    if kind is IntDistribution or isinstance(dist, IntDistribution):
        assert isinstance(dist, IntDistribution)
        if dist.log:
            lo, hi = math.log(dist.low - 0.5), math.log(dist.high + 0.5)
            value = round(math.exp(lo + u * (hi - lo)))
            return int(min(max(value, dist.low), dist.high))
        n_points = (dist.high - dist.low) // dist.step + 1
        return int(dist.low + min(int(u * n_points), n_points - 1) * dist.step)
    assert isinstance(dist, FloatDistribution)
    if dist.log:
        lo, hi = math.log(dist.low), math.log(dist.high)
        return min(max(math.exp(lo + u * (hi - lo)), dist.low), dist.high)
    span = dist.high - dist.low
    if dist.step is not None:
        n_steps = span / dist.step
        if n_steps < 2.0**52:  # beyond that the grid is finer than a float can tell apart: draw continuously
            n_points = round(n_steps) + 1
            return min(dist.low + min(int(u * n_points), n_points - 1) * dist.step, dist.high)
    drawn = dist.low + u * span if math.isfinite(span) else dist.low * (1.0 - u) + dist.high * u
    return min(max(drawn, dist.low), dist.high)


class RandomSampler(BaseSampler):
    """Draws every parameter independently and uniformly (in log space for ``log=True``).

    A draw depends only on (seed, trial number, parameter name), so seeded studies give the same parameters
    for the same trial numbers even with ``n_jobs > 1`` or several processes.

    Args:
        seed: Seed for reproducible draws; a fresh random seed when None.

    Example:
        >>> import albacore
        >>> study = albacore.create_study(sampler=albacore.samplers.RandomSampler(seed=1))
        >>> study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2, n_trials=5)
        >>> len(study.trials)
        5
    """

    def __init__(self, seed: int | None = None) -> None:
        self._set_seed(seed)

    def _set_seed(self, seed: int | None) -> None:
        seed_bytes = os.urandom(16) if seed is None else str(int(seed)).encode()
        self._seed_key = int.from_bytes(hashlib.blake2b(seed_bytes, digest_size=8).digest(), "little")
        self._name_keys: dict[str, int] = {}

    def reseed_rng(self) -> None:
        self._set_seed(None)

    def unit(self, trial_number: int, param_name: str) -> float:
        """Return the uniform [0, 1) number behind parameter ``param_name`` of trial ``trial_number``."""
        name_key = self._name_keys.get(param_name)
        if name_key is None:
            name_key = int.from_bytes(hashlib.blake2b(param_name.encode(), digest_size=8).digest(), "little")
            self._name_keys[param_name] = name_key
        # SplitMix64's finalizer over (seed, trial number, name): well mixed, and far cheaper than a hash call.
        z = (self._seed_key + trial_number * 0x9E3779B97F4A7C15 + name_key) & _MASK64
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        return (z ^ (z >> 31)) / _TWO_TO_64

    def infer_relative_search_space(self, study: Study, trial: FrozenTrial) -> dict[str, BaseDistribution]:
        return {}

    def sample_relative(
        self, study: Study, trial: FrozenTrial, search_space: dict[str, BaseDistribution]
    ) -> dict[str, Any]:
        return {}

    def sample_independent(
        self, study: Study, trial: FrozenTrial, param_name: str, param_distribution: BaseDistribution
    ) -> Any:
        return from_unit(self.unit(trial.number, param_name), param_distribution)

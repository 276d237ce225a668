"""Conditional parameters in the GP: parameters asked only for some choices of a categorical parameter.

HPO objectives are often tree-shaped: ``momentum`` exists only when ``optimizer == "sgd"``, ``rate_drop`` only
for the ``dart`` booster. A GP over the shared parameters alone treats the effect of such parameters as noise,
and sampling them independently wastes the model. Instead, for each parameter that some completed trials lack,
we look for a categorical parameter of the shared space that decides it: every trial whose choice falls in one
set of choices has the parameter, every other trial lacks it. Such a parameter joins the GP's space:

- a trial that lacks it is encoded with a fixed filler in its column (the centre of the unit box for a numeric
  parameter, the index -1, unequal to every choice, for a categorical one), so trials of other branches are
  compared on that column as if they all sat at one common point: a plain Euclidean (or Hamming) embedding,
  so the kernel stays positive definite;
- at a candidate point the same rule is applied before the GP is evaluated (:class:`Activity`), so the model
  never credits a branch with a parameter it does not ask for, and no gradient flows into inactive columns.

Parameters whose presence no single categorical explains (nested or numeric conditions) are left to the
independent sampler, as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from albacore.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.samplers._transform import SearchSpaceTransform
from albacore.trial._frozen import FrozenTrial

__all__ = ["Activity", "ConditionalParam", "encode_trials", "find_conditional_params"]

_NUMERIC_FILLER = 0.5
_CATEGORICAL_FILLER = -1.0


@dataclass(frozen=True)
class ConditionalParam:
    """A parameter asked exactly when the categorical ``parent`` takes one of ``active_choices`` (indices)."""

    name: str
    distribution: BaseDistribution
    parent: str
    active_choices: frozenset[int]


def find_conditional_params(
    trials: Sequence[FrozenTrial], shared: Mapping[str, BaseDistribution]
) -> list[ConditionalParam]:
    """Find the parameters outside ``shared`` whose presence one categorical of ``shared`` decides.

    Args:
        trials: Completed trials; every one of them has every parameter of ``shared``.
        shared: The search space all of them share.
    """
    parents = [name for name, d in shared.items() if isinstance(d, CategoricalDistribution) and not d.single()]
    if not parents or not trials:
        return []
    union: dict[str, BaseDistribution] = {}
    inconsistent: set[str] = set()
    for trial in trials:
        for name, dist in trial.distributions.items():
            if name not in shared and union.setdefault(name, dist) != dist:
                inconsistent.add(name)
    choices = {p: [int(shared[p].to_internal_repr(t.params[p])) for t in trials] for p in parents}
    found = []
    for name, dist in union.items():
        if name in inconsistent or dist.single():
            continue
        present = [name in t.params for t in trials]
        for parent in parents:
            active = {c for c, has in zip(choices[parent], present, strict=True) if has}
            inactive = {c for c, has in zip(choices[parent], present, strict=True) if not has}
            if not active & inactive:
                found.append(ConditionalParam(name, dist, parent, frozenset(active)))
                break
    return found


class Activity:
    """Applies the rules of the conditional parameters to encoded candidate points.

    Args:
        transform: The transform of the GP's space (index-encoded categoricals, one column per parameter).
        conditional: The conditional parameters of that space.
    """

    def __init__(self, transform: SearchSpaceTransform, conditional: Sequence[ConditionalParam]) -> None:
        column = {name: i for i, name in enumerate(transform.names)}
        self._columns = np.array([column[c.name] for c in conditional], dtype=np.int64)
        self._parents = np.array([column[c.parent] for c in conditional], dtype=np.int64)
        self._active = [np.array(sorted(c.active_choices), dtype=float) for c in conditional]
        self.filler = np.where(transform.is_categorical, _CATEGORICAL_FILLER, _NUMERIC_FILLER)

    def apply(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``x`` with inactive entries replaced by the filler, and the mask of those entries."""
        inactive = np.zeros(x.shape, dtype=bool)
        for col, parent, active in zip(self._columns, self._parents, self._active, strict=True):
            inactive[:, col] = ~np.isin(x[:, parent], active)
        if not inactive.any():
            return x, inactive
        return np.where(inactive, self.filler, x), inactive


def encode_trials(
    transform: SearchSpaceTransform, params: Sequence[Mapping[str, object]], activity: Activity | None
) -> np.ndarray:
    """Encode parameter dicts that may lack conditional parameters (their columns get the filler)."""
    if activity is None:
        return transform.encode_params(params)
    placeholder = {name: d.to_external_repr(_any_internal(d)) for name, d in transform.search_space.items()}
    X = transform.encode_params([{**placeholder, **p} for p in params])
    missing = np.array([[name not in p for name in transform.names] for p in params], dtype=bool)
    return np.where(missing.reshape(X.shape), activity.filler, X)


def _any_internal(dist: BaseDistribution) -> float:
    # Any admissible value will do: the column is overwritten by the filler.
    if isinstance(dist, FloatDistribution | IntDistribution):
        return float(dist.low)
    return 0.0

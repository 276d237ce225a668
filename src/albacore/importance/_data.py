"""What every evaluator reads from a study: the trials that count, their target values, and their parameters.

The trials that count are the COMPLETE ones whose analysed value (the objective values, or ``target(trial)``)
is finite: a diverged run says nothing about how a parameter moves the objective, and one infinite value
would swamp every other. Trials are only read, never modified.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.trial import FrozenTrial, TrialState

if TYPE_CHECKING:
    from albacore.study import Study

__all__ = [
    "check_params",
    "counted_trials",
    "internal_matrix",
    "merged_space",
    "missing_params_error",
    "ordered_by_importance",
    "shared_space",
]

Target = Callable[[FrozenTrial], float]


def check_params(params: Sequence[str] | None) -> list[str] | None:
    """Validate the ``params`` argument; return it as a list without repeated names (first kept)."""
    if params is None:
        return None
    if isinstance(params, str) or not isinstance(params, Iterable):
        raise InvalidArgumentError(f"`params` must be a list of parameter names or None, got {params!r}.")
    names = list(params)
    for name in names:
        if not isinstance(name, str):
            raise InvalidArgumentError(f"`params` must hold parameter names (str), got {name!r} in {names!r}.")
    return list(dict.fromkeys(names))


def counted_trials(study: Study, target: Target | None) -> tuple[list[FrozenTrial], np.ndarray]:
    """Return the COMPLETE trials with finite analysed values, and those values as an (n, m) array.

    ``m`` is 1 with a ``target``, else the number of objectives.
    """
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if target is None:
        n_objectives = len(study.directions)
        rows = [t.values if t.values is not None else [math.nan] * n_objectives for t in trials]
        values = np.asarray(rows, dtype=float).reshape(len(trials), n_objectives)
    else:
        values = np.asarray([float(target(t)) for t in trials], dtype=float).reshape(len(trials), 1)
    finite = np.all(np.isfinite(values), axis=1)
    if finite.all():
        return trials, values
    return [t for t, keep in zip(trials, finite, strict=True) if keep], values[finite]


def missing_params_error(missing: Sequence[str]) -> InvalidArgumentError:
    """The error for requested parameters that no counted trial holds."""
    return InvalidArgumentError(
        f"No COMPLETE trial with a finite value has the parameter(s) {list(missing)!r}; importances need at "
        "least one. Check the names, or run more trials that suggest them."
    )


def merged_space(trials: Sequence[FrozenTrial], names: Sequence[str] | None) -> dict[str, BaseDistribution]:
    """Return one distribution per parameter present in any trial (or per name in ``names``), sorted by name.

    A numeric parameter whose range changed during the study (same type, log flag and step) gets the union of
    its ranges; any other change of distribution raises, since its values cannot share one axis.
    """
    found: dict[str, BaseDistribution] = {}
    wanted = None if names is None else set(names)
    for trial in trials:
        for name, dist in trial.distributions.items():
            if wanted is not None and name not in wanted:
                continue
            known = found.get(name)
            if known is None:
                found[name] = dist
            elif known is not dist and known != dist:
                found[name] = _union(name, known, dist)
    if names is not None:
        missing = [name for name in names if name not in found]
        if missing:
            raise missing_params_error(missing)
        return {name: found[name] for name in names}
    return dict(sorted(found.items()))


def _union(name: str, a: BaseDistribution, b: BaseDistribution) -> BaseDistribution:
    same_axis = type(a) is type(b) and getattr(a, "log", None) == getattr(b, "log", None)
    same_axis = same_axis and getattr(a, "step", None) == getattr(b, "step", None)
    if same_axis and isinstance(a, FloatDistribution) and isinstance(b, FloatDistribution):
        if a.step is None:
            return FloatDistribution(min(a.low, b.low), max(a.high, b.high), log=a.log)
        if _aligned(a.low, b.low, a.step):
            low = min(a.low, b.low)
            high = low + math.floor(round((max(a.high, b.high) - low) / a.step, 8)) * a.step
            return FloatDistribution(low, high, step=a.step)
    if (
        same_axis
        and isinstance(a, IntDistribution)
        and isinstance(b, IntDistribution)
        and _aligned(a.low, b.low, a.step)
    ):
        low = min(a.low, b.low)
        return IntDistribution(low, low + (max(a.high, b.high) - low) // a.step * a.step, log=a.log, step=a.step)
    raise InvalidArgumentError(
        f"Parameter {name!r} was suggested with incompatible distributions ({a!r} and {b!r}); importances need "
        "one axis per parameter. Pass `params` without it, or use one distribution per name."
    )


def _aligned(a: float, b: float, step: float) -> bool:
    ratio = (a - b) / step
    return abs(ratio - round(ratio)) < 1e-8


def shared_space(
    trials: Sequence[FrozenTrial], names: Sequence[str] | None
) -> tuple[list[FrozenTrial], dict[str, BaseDistribution]]:
    """The trials and space for methods that need every parameter in every trial (fANOVA, MDI).

    With ``names`` None: all trials, and the parameters present with one distribution in all of them. With
    ``names``: the trials holding all of them, which must use one distribution per name.
    """
    if names is None:
        if not trials:
            return [], {}
        common = dict(trials[0].distributions)
        for trial in trials[1:]:
            dists = trial.distributions
            common = {k: d for k, d in common.items() if (found := dists.get(k)) is d or found == d}
        return list(trials), dict(sorted(common.items()))
    present = {name for trial in trials for name in trial.distributions}
    missing = [name for name in names if name not in present]
    if missing:
        raise missing_params_error(missing)
    kept = [t for t in trials if all(name in t.distributions for name in names)]
    if not kept:
        raise InvalidArgumentError(
            f"No COMPLETE trial with a finite value has all of the parameters {list(names)!r} together; this "
            "evaluator needs every parameter in every trial it reads. Ask for fewer parameters, or use "
            "PedAnovaImportanceEvaluator, which handles conditional parameters."
        )
    space: dict[str, BaseDistribution] = {}
    for trial in kept:
        for name in names:
            dist = trial.distributions[name]
            known = space.setdefault(name, dist)
            if known is not dist and known != dist:
                raise InvalidArgumentError(
                    f"Parameter {name!r} was suggested with different distributions ({known!r} and {dist!r}); "
                    "this evaluator needs one fixed range per parameter. Use PedAnovaImportanceEvaluator, "
                    "which merges changed ranges, or leave the parameter out of `params`."
                )
    return kept, space


def internal_matrix(trials: Sequence[FrozenTrial], space: Mapping[str, BaseDistribution]) -> np.ndarray:
    """Return the internal values of ``space``'s parameters, one row per trial, NaN where a trial lacks one."""
    out = np.full((len(trials), len(space)), np.nan)
    params = [t.params for t in trials]
    for j, (name, dist) in enumerate(space.items()):
        if isinstance(dist, CategoricalDistribution):
            column: list[Any] = [dist.to_internal_repr(p[name]) if name in p else math.nan for p in params]
        else:
            column = [p.get(name, math.nan) for p in params]
        out[:, j] = np.asarray(column, dtype=float)
    return out


def ordered_by_importance(importances: Mapping[str, float], names: Sequence[str]) -> dict[str, float]:
    """Return ``importances`` as floats, largest first; equal values keep the order of ``names``."""
    rank = {name: i for i, name in enumerate(names)}
    items = sorted(importances.items(), key=lambda kv: (-kv[1], rank.get(kv[0], len(rank))))
    return {name: float(value) for name, value in items}

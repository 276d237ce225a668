"""What every plot's data function shares: the trials of one study, target values, feasibility, parameter axes.

A data function takes one :class:`TrialSet` (or several) and returns a small frozen record of plain lists, floats
and strings. Parameters become numeric coordinates: numbers stay numbers (log-scaled ones keep their raw values
and say ``is_log``), categorical choices become their position 0..k-1 on an ordinal axis (numeric choices sorted
by value, others in the order the distribution lists them), and a parameter a trial does not have (a conditional
one) becomes NaN in the arrays and ``None`` in the records.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import numpy as np

from albacore.distributions import BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.logging import get_logger
from albacore.study import StudyDirection
from albacore.trial import FrozenTrial, TrialState

__all__ = [
    "DEFAULT_TARGET_NAME",
    "ParamAxis",
    "TrialSet",
    "TrialTarget",
    "as_trial_sets",
    "check_target",
    "completed_trials",
    "feasibility",
    "finite_values",
    "nullable",
    "objective_names",
    "param_axes",
    "param_axis",
    "plotted_trials",
    "select_params",
    "target_values",
]

_logger = get_logger(__name__)

DEFAULT_TARGET_NAME = "Objective Value"
"""The label of the objective axis when the caller gives no ``target_name``."""

TrialTarget = Callable[[FrozenTrial], float]
"""A function that picks the value to plot from a trial (``lambda t: t.values[1]``)."""

# An integer or categorical axis with at most this many distinct values gets one tick per value.
_MAX_EXPLICIT_TICKS = 12


class _StudyLike(Protocol):
    """The part of a study that the plots read (albacore's ``Study`` and Optuna-shaped objects have it)."""

    @property
    def study_name(self) -> str: ...

    @property
    def directions(self) -> list[StudyDirection]: ...

    @property
    def metric_names(self) -> list[str] | None: ...

    def get_trials(self, deepcopy: bool = ..., states: Any = ...) -> list[FrozenTrial]: ...


class TrialSet(NamedTuple):
    """The trials of one study with what a plot needs to read them: the input of every data function.

    Attributes:
        name: The study name (used in legends when several studies are drawn together).
        trials: The study's trials, in any state.
        directions: One direction per objective.
        metric_names: The objectives' names, or None to call them "Objective 0", "Objective 1", ...

    Example:
        >>> import albacore
        >>> study = albacore.create_study(study_name="demo")
        >>> TrialSet.of(study).name
        'demo'
    """

    name: str
    trials: Sequence[FrozenTrial]
    directions: Sequence[StudyDirection]
    metric_names: Sequence[str] | None = None

    @classmethod
    def of(cls, study: _StudyLike) -> TrialSet:
        """Read a study's trials once (without copying them) into a TrialSet."""
        return cls(study.study_name, study.get_trials(deepcopy=False), list(study.directions), study.metric_names)


def as_trial_sets(studies: _StudyLike | Sequence[_StudyLike]) -> list[TrialSet]:
    """Turn one study or a sequence of studies (the plots' first argument) into TrialSets."""
    if isinstance(studies, Sequence):
        return [TrialSet.of(s) for s in studies]
    return [TrialSet.of(studies)]


def objective_names(trial_set: TrialSet) -> list[str]:
    """The study's metric names, or "Objective 0", "Objective 1", ... when it has none."""
    if trial_set.metric_names is not None:
        return list(trial_set.metric_names)
    return [f"Objective {i}" for i in range(len(trial_set.directions))]


def check_target(
    trial_set: TrialSet, target: TrialTarget | None, target_name: str, *, plot: str, multi_ok: bool = False
) -> None:
    """Refuse a multi-objective study without ``target``; warn when a custom target keeps the default name."""
    if target is None and len(trial_set.directions) > 1 and not multi_ok:
        raise InvalidArgumentError(
            f"{plot} draws one objective, but study {trial_set.name!r} has {len(trial_set.directions)}: "
            "pass target=lambda t: t.values[i] (and a target_name) to choose which one."
        )
    if target is not None and target_name == DEFAULT_TARGET_NAME:
        warnings.warn(
            f"{plot}: `target` is given but `target_name` is the default {DEFAULT_TARGET_NAME!r}; "
            "pass target_name= to label the axis with what the target computes.",
            UserWarning,
            stacklevel=4,
        )


def completed_trials(trial_set: TrialSet) -> list[FrozenTrial]:
    """The COMPLETE trials of a set, in trial-number order."""
    done = [t for t in trial_set.trials if t.state == TrialState.COMPLETE]
    if any(done[i].number > done[i + 1].number for i in range(len(done) - 1)):
        done.sort(key=lambda t: t.number)
    return done


def target_values(trials: Sequence[FrozenTrial], target: TrialTarget | None) -> np.ndarray:
    """The value each trial contributes: ``target(trial)``, or its single objective value."""
    if target is None:
        return np.array([t.values[0] if t.values else math.nan for t in trials], dtype=float)
    out = np.empty(len(trials), dtype=float)
    for i, trial in enumerate(trials):
        value = target(trial)
        try:
            out[i] = float(value)
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"`target` must return a number for every trial, got {value!r} for trial {trial.number}."
            ) from None
    return out


def finite_values(
    trials: Sequence[FrozenTrial], values: np.ndarray, *, warn: bool = True
) -> tuple[list[FrozenTrial], np.ndarray]:
    """Drop trials whose value is inf or NaN (they cannot be placed on an axis), logging which ones."""
    keep = np.isfinite(values)
    if keep.all():
        return list(trials), values
    dropped = [trials[int(i)].number for i in np.flatnonzero(~keep)]
    if warn:
        shown = ", ".join(str(n) for n in dropped[:10]) + (", ..." if len(dropped) > 10 else "")
        _logger.warning(f"{len(dropped)} trial(s) left out of the plot because their value is inf or NaN: {shown}.")
    return [t for t, k in zip(trials, keep, strict=True) if k], values[keep]


def feasibility(trials: Sequence[FrozenTrial]) -> np.ndarray:
    """True for each trial whose constraints (``trial.set_constraint`` or a sampler's) are all <= 0."""
    out = np.ones(len(trials), dtype=bool)
    for i, trial in enumerate(trials):
        if trial.system_attrs:  # most trials have none: skip building the constraints dict
            constraints = trial.constraints
            if constraints and not all(v <= 0.0 for v in constraints.values()):
                out[i] = False
    return out


def nullable(values: np.ndarray) -> list[float | None]:
    """A float array as a list, with NaN as None (records stay JSON-ready)."""
    listed: list[float | None] = values.tolist()
    if np.isnan(values).any():
        listed = [None if v != v else v for v in listed]  # v != v only for NaN
    return listed


@dataclass(frozen=True)
class ParamAxis:
    """How one parameter is laid out on an axis.

    Attributes:
        name: The parameter name.
        is_log: Values are drawn on a log scale (coordinates stay raw values).
        is_categorical: Coordinates are choice positions 0..k-1; ``tick_labels`` name the choices.
        is_int: Every value is an integer (an ``IntDistribution``).
        low: The smallest coordinate observed (NaN when no trial has the parameter).
        high: The largest coordinate observed.
        tick_values: Coordinates that deserve a tick (every choice, or every integer of a short range), else empty.
        tick_labels: The text of each tick.
        has_missing: Some trials lack the parameter (it is conditional).
    """

    name: str
    is_log: bool
    is_categorical: bool
    is_int: bool
    low: float
    high: float
    tick_values: list[float] = field(default_factory=list)
    tick_labels: list[str] = field(default_factory=list)
    has_missing: bool = False

    def padded_range(self, fraction: float = 0.05) -> tuple[float, float]:
        """The axis range with ``fraction`` of the span added on each side (in log10 space for log axes)."""
        low, high = (math.log10(self.low), math.log10(self.high)) if self.is_log else (self.low, self.high)
        pad = (high - low) * fraction if high > low else (abs(low) * fraction or 0.5)
        low, high = low - pad, high + pad
        return (10**low, 10**high) if self.is_log else (low, high)


# The value of a parameter a trial does not have: this very NaN object, told apart by identity, so that a
# numeric column converts to a float array (missing = NaN) in one step.
_MISSING: Any = float("nan")


def _is_number(choice: Any) -> bool:
    return isinstance(choice, (int, float)) and not isinstance(choice, bool)


def _choice_label(choice: Any) -> str:
    if isinstance(choice, float) and choice.is_integer() and abs(choice) < 1e15:
        return repr(choice)  # keep "2.0" distinct from the int choice 2
    return str(choice)


def _unique(by_id: dict[int, BaseDistribution]) -> list[BaseDistribution]:
    unique: list[BaseDistribution] = []
    for dist in by_id.values():
        if dist not in unique:
            unique.append(dist)
    return unique


def param_axes(trials: Sequence[FrozenTrial], names: Sequence[str]) -> list[tuple[np.ndarray, ParamAxis]]:
    """For each name, each trial's coordinate (NaN where the trial lacks it) and the axis to draw it on.

    One pass over the trials reads every parameter at once (the cost of a plot of 10,000 trials is mostly here).
    A parameter that is categorical in some trials and numeric in others (a search space that changed) is drawn
    as categorical.
    """
    n = len(trials)
    wanted = set(names)
    raw: dict[str, list[Any]] = {name: [_MISSING] * n for name in names}
    by_id: dict[str, dict[int, BaseDistribution]] = {name: {} for name in names}
    last: dict[str, BaseDistribution | None] = dict.fromkeys(names)
    for i, trial in enumerate(trials):
        dists = trial.distributions
        for name, value in trial.params.items():
            if name in wanted:
                raw[name][i] = value
                dist = dists[name]
                if dist is not last[name]:  # trials often share distribution objects: skip the repeats
                    by_id[name][id(dist)] = last[name] = dist
    out = []
    for name in names:
        column = raw[name]
        kinds = _unique(by_id[name])
        if kinds and all(isinstance(d, (FloatDistribution, IntDistribution)) for d in kinds):
            coords = np.array(column, dtype=float)
            out.append((coords, _numeric_axis(name, coords, kinds, bool(np.isnan(coords).any()))))
        else:
            out.append(_categorical_axis(name, column, kinds))
    return out


def param_axis(trials: Sequence[FrozenTrial], name: str) -> tuple[np.ndarray, ParamAxis]:
    """Each trial's coordinate for parameter ``name`` (NaN where it is missing) and the axis to draw it on."""
    return param_axes(trials, [name])[0]


def _numeric_axis(name: str, coords: np.ndarray, dists: list[BaseDistribution], has_missing: bool) -> ParamAxis:
    present = coords[~np.isnan(coords)]
    low, high = (float(present.min()), float(present.max())) if present.size else (math.nan, math.nan)
    is_log = any(getattr(d, "log", False) for d in dists)
    is_int = all(isinstance(d, IntDistribution) for d in dists)
    ticks: list[float] = []
    if is_int and present.size and high - low < _MAX_EXPLICIT_TICKS:
        ticks = [float(v) for v in range(int(low), int(high) + 1)]
    return ParamAxis(
        name=name,
        is_log=is_log,
        is_categorical=False,
        is_int=is_int,
        low=low,
        high=high,
        tick_values=ticks,
        tick_labels=[str(int(v)) for v in ticks],
        has_missing=has_missing,
    )


def _categorical_axis(name: str, column: list[Any], dists: list[BaseDistribution]) -> tuple[np.ndarray, ParamAxis]:
    # Keyed by type too: 1, 1.0 and True are equal and hash alike, yet they are different choices.
    used = {(type(v), v) for v in column if v is not _MISSING}
    # Choices in the order the distributions list them, then any value seen in a trial but listed by none.
    choices: dict[tuple[type, Any], Any] = {}
    for dist in dists:
        for choice in dist.choices if isinstance(dist, CategoricalDistribution) else ():
            choices.setdefault((type(choice), choice), choice)
    for key in used:
        choices.setdefault(key, key[1])
    # Only the choices some trial took get a position, so unused choices leave no gaps.
    kept = [(k, c) for k, c in choices.items() if k in used]
    if kept and all(_is_number(c) for _, c in kept):
        kept.sort(key=lambda kc: kc[1])
    position = {k: float(i) for i, (k, _) in enumerate(kept)}
    position[(float, _MISSING)] = math.nan
    coords = np.array([position[(type(v), v)] for v in column], dtype=float)
    n = len(kept)
    axis = ParamAxis(
        name=name,
        is_log=False,
        is_categorical=True,
        is_int=False,
        low=0.0 if n else math.nan,
        high=float(n - 1) if n else math.nan,
        tick_values=[float(i) for i in range(n)],
        tick_labels=[_choice_label(c) for _, c in kept],
        has_missing=bool(np.isnan(coords).any()),
    )
    return coords, axis


def select_params(trials: Sequence[FrozenTrial], params: Sequence[str] | None) -> list[str]:
    """The parameters to draw: ``params`` as given (each must occur in some trial), or all of them sorted."""
    seen: set[str] = set()
    for trial in trials:
        seen.update(trial.params)
    if params is None:
        return sorted(seen)
    for name in params:
        if trials and name not in seen:
            raise InvalidArgumentError(
                f"Parameter {name!r} does not exist in your study; its parameters are {sorted(seen)}."
            )
    return list(params)


def plotted_trials(
    trial_set: TrialSet, target: TrialTarget | None, target_name: str, *, plot: str
) -> tuple[list[FrozenTrial], np.ndarray]:
    """The COMPLETE trials with a finite target value and those values, after checking the target arguments."""
    check_target(trial_set, target, target_name, plot=plot)
    trials = completed_trials(trial_set)
    return finite_values(trials, target_values(trials, target))

"""An incremental table of a study's finished trials as TPE needs them: ranks and encoded parameters.

Finished trials never change, so each one is read once: its rank keys (state, objective values, constraint
violation, last intermediate value) go into growing arrays, and a parameter column is encoded only for rows
added since that column was last asked for. Running trials (constant liar) are read fresh on every call.
"""

from __future__ import annotations

import itertools
import json
import math
import operator
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore.distributions import BaseDistribution, FloatDistribution, IntDistribution
from albacore.samplers._tpe._space import SpaceEncoding
from albacore.trial._constraints import CONSTRAINT_PREFIX, LEGACY_CONSTRAINTS_KEY, constraints_of
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import _FINISHED, TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = [
    "RELATIVE_PARAMS_KEY",
    "TIER_COMPLETE",
    "TIER_INFEASIBLE",
    "TIER_PRUNED",
    "TIER_UNRANKED",
    "Observations",
    "RunningTrials",
    "study_trials",
]

RELATIVE_PARAMS_KEY = "tpe:relative_params"
"""Trial system attribute with the relative parameters of a running trial (JSON: name -> internal value)."""

TIER_COMPLETE = 0
TIER_PRUNED = 1  # pruned with intermediate values: ranked by the last step reached, then that value
TIER_UNRANKED = 2  # pruned before reporting anything
TIER_INFEASIBLE = 3  # ranked by total constraint violation


class _Growing:
    """A float array that grows by appending, with amortized doubling."""

    def __init__(self, width: int = 0, dtype: type = float) -> None:
        self._width = width
        self._data: np.ndarray = np.empty((16, width) if width else 16, dtype=dtype)
        self.size = 0

    def append(self, value: Any) -> None:
        if self.size == self._data.shape[0]:
            self._data = np.concatenate((self._data, np.empty_like(self._data)))
        self._data[self.size] = value
        self.size += 1

    def extend(self, values: np.ndarray) -> None:
        end = self.size + len(values)
        if end > self._data.shape[0]:
            grown = np.empty((max(end, 2 * self._data.shape[0]), *self._data.shape[1:]), dtype=self._data.dtype)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size : end] = values
        self.size = end

    @property
    def view(self) -> np.ndarray:
        return self._data[: self.size]


class Observations:
    """The finished COMPLETE and PRUNED trials of one study, as arrays in the order they were read.

    Args:
        directions_signs: +1 for each minimized objective, -1 for each maximized one.
    """

    def __init__(self, directions_signs: np.ndarray) -> None:
        self._signs = directions_signs
        self._sign_list = [float(s) for s in directions_signs]
        self._no_loss = [math.nan] * len(directions_signs)
        self.numbers = _Growing()
        self.tiers = _Growing()
        self.keys = _Growing(2)
        self.losses = _Growing(len(directions_signs))
        self._params: list[dict[str, Any]] = []
        self._blocks: dict[Hashable, _Growing] = {}
        self._complete: dict[Hashable, _Growing] = {}
        self._first_unread = 0
        self._read_beyond: set[int] = set()
        self.has_constraints = False
        self.ascending = True  # whether the rows' trial numbers ascend (trials finished in number order)

    def __len__(self) -> int:
        return self.numbers.size

    @property
    def first_unread(self) -> int:
        """Every trial numbered below this has been read (finished) or skipped (failed)."""
        return self._first_unread

    def update(self, trials: list[FrozenTrial], first_number: int = 0) -> None:
        """Read the trials finished since the last call; ``trials`` are the study's, ordered by number, from
        trial ``first_number`` on (at most :attr:`first_unread`)."""
        advancing = True
        numbers: list[int] = []
        values: list[list[float]] = []
        # Rows that are not plain COMPLETE trials: (position, tier, first key, second key).
        ranked_apart: list[tuple[int, int, float, float]] = []
        complete, failed = TrialState.COMPLETE, TrialState.FAIL
        read_beyond = self._read_beyond
        first_unread = self._first_unread
        keep_params = self._params.append
        for trial in trials[first_unread - first_number :]:
            number = trial.number
            if number in read_beyond:
                if advancing:
                    read_beyond.discard(number)
                    first_unread = number + 1
                continue
            state = trial.state
            if state not in _FINISHED:
                advancing = False
                continue
            if state is not failed:
                attrs = trial.system_attrs
                trial_values = trial._values
                if state is complete and trial_values is not None and not (attrs and _may_constrain(attrs)):
                    values.append(trial_values)  # the usual row, read without a call
                else:
                    tier, keys, loss = self._row(trial)
                    if tier != TIER_COMPLETE:
                        ranked_apart.append((len(numbers), tier, *keys))
                    values.append(loss)
                numbers.append(number)
                keep_params(trial.params)
            if advancing:
                first_unread = number + 1
            else:
                read_beyond.add(number)
        self._first_unread = first_unread
        if numbers:
            # One array operation per column for the whole batch (a study read for the first time can hold
            # tens of thousands of trials).
            tier_column = np.zeros(len(numbers))
            key_columns = np.zeros((len(numbers), 2))
            if ranked_apart:
                apart = np.array(ranked_apart, dtype=float)
                at = apart[:, 0].astype(np.intp)
                tier_column[at] = apart[:, 1]
                key_columns[at] = apart[:, 2:]
            fresh = np.array(numbers, dtype=float)
            previous = self.numbers.view[-1:]
            self.ascending = self.ascending and bool(
                np.all(fresh[1:] > fresh[:-1]) and (previous.size == 0 or fresh[0] > previous[0])
            )
            self.numbers.extend(fresh)
            self.tiers.extend(tier_column)
            self.keys.extend(key_columns)
            # Signed per element, as float(v) * sign: the same numbers as one multiplication each.
            self.losses.extend(np.array(values, dtype=float).reshape(len(numbers), -1) * self._signs)

    def _row(self, trial: FrozenTrial) -> tuple[int, tuple[float, float], list[float]]:
        """Return the tier, rank keys and objective values (NaN unless a feasible COMPLETE trial) of a finished
        trial."""
        attrs = trial.system_attrs
        constraints = constraints_of(attrs) if attrs else {}
        violation = sum(max(c, 0.0) for c in constraints.values()) if constraints else 0.0
        if constraints:
            self.has_constraints = True
        values = self._no_loss
        if violation > 0.0:
            tier, keys = TIER_INFEASIBLE, (violation, 0.0)
        elif trial.state == TrialState.COMPLETE and trial._values is not None:
            tier, keys = TIER_COMPLETE, (0.0, 0.0)
            values = trial._values
        elif trial.intermediate_values:
            step, value = max(trial.intermediate_values.items())
            tier = TIER_PRUNED
            value = float(value) * self._sign_list[0]
            keys = (-float(step), value if not math.isnan(value) else math.inf)
        else:
            tier, keys = TIER_UNRANKED, (0.0, 0.0)
        return tier, keys, values

    def matrix(self, key: Hashable, encoding: SpaceEncoding) -> np.ndarray:
        """Return the encoded parameters of ``encoding`` in every row (NaN where a trial lacks one).

        The matrix is kept under ``key`` and extended by the rows added since the last call.
        """
        block = self._blocks.get(key)
        if block is None:
            block = _Growing(len(encoding.names))
            self._blocks[key] = block
            self._complete[key] = _Growing(dtype=bool)
        start = block.size
        if start < len(self):
            params = self._params[start:]
            raw = _internal_rows(encoding, params)
            if raw is None:
                raw = np.full((len(self) - start, len(encoding.names)), np.nan)
                for j, (name, dist) in enumerate(zip(encoding.names, encoding.distributions, strict=True)):
                    raw[:, j] = _internal_column(dist, name, params)
            encoded = encoding.encode(raw)
            block.extend(encoded)
            self._complete[key].extend(~np.isnan(encoded).any(axis=1))
        return block.view

    def complete_rows(self, key: Hashable) -> np.ndarray:
        """Return which rows of the matrix kept under ``key`` have every parameter (call :meth:`matrix` first)."""
        return self._complete[key].view


def _may_constrain(attrs: dict[str, Any]) -> bool:
    """Whether system attributes may hold constraint values (see albacore.trial._constraints)."""
    return LEGACY_CONSTRAINTS_KEY in attrs or any(key.startswith(CONSTRAINT_PREFIX) for key in attrs)


def _internal(dist: BaseDistribution, value: Any) -> float:
    try:
        return dist.to_internal_repr(value)
    except ValueError:
        return math.nan


def _internal_rows(encoding: SpaceEncoding, params: list[dict[str, Any]]) -> np.ndarray | None:
    """The internal values of every parameter of an all-numeric ``encoding`` in each of ``params``, or None.

    One C-level lookup per row when a trial has every parameter (the usual case); None when some parameter is
    not numeric or a value is not a number, for the column-by-column path.
    """
    dists = encoding.distributions
    if len(dists) < 2 or not all(isinstance(d, (FloatDistribution, IntDistribution)) for d in dists):
        return None
    names = encoding.names
    getter = operator.itemgetter(*names)
    try:
        # Every trial with every parameter, all numbers (the usual case): one pass in C, no list of rows.
        flat = np.fromiter(
            itertools.chain.from_iterable(map(getter, params)), dtype=float, count=len(params) * len(names)
        )
    except (KeyError, TypeError, ValueError):
        pass
    else:
        return _without_refused(dists, flat.reshape(len(params), len(names)))
    rows = []
    for p in params:
        try:
            rows.append(getter(p))
        except KeyError:
            rows.append(tuple(p.get(name, math.nan) for name in names))
    try:
        raw = np.array(rows, dtype=float).reshape(len(params), len(names))
    except (TypeError, ValueError):
        return None
    return _without_refused(dists, raw)


def _without_refused(dists: Sequence[BaseDistribution], raw: np.ndarray) -> np.ndarray:
    """Set to NaN, in place, the values a log-scaled column cannot hold (zero or negative); return ``raw``."""
    for j, dist in enumerate(dists):
        if getattr(dist, "log", False):
            with np.errstate(invalid="ignore"):
                raw[raw[:, j] <= 0.0, j] = math.nan
    return raw


def _internal_column(dist: BaseDistribution, name: str, params: list[dict[str, Any]]) -> np.ndarray:
    """Return the internal values of parameter ``name`` of ``dist`` in each of ``params`` (NaN where absent)."""
    if isinstance(dist, (FloatDistribution, IntDistribution)):
        # A number's internal value is itself; only values the distribution refuses become NaN.
        try:
            column = np.array([p.get(name, math.nan) for p in params], dtype=float)
        except (TypeError, ValueError):
            pass  # a value of another kind (a category recorded under the same name): one by one
        else:
            if dist.log:
                with np.errstate(invalid="ignore"):
                    column[column <= 0.0] = math.nan
            return column
    return np.array([_internal(dist, p[name]) if name in p else math.nan for p in params], dtype=float)


class RunningTrials:
    """The parameters of other workers' running trials, for the constant liar (read fresh on each call)."""

    def __init__(
        self, trials: list[FrozenTrial], exclude_number: int, first_unread: int, first_number: int = 0
    ) -> None:
        self.params: list[dict[str, float]] = []
        self.numbers: list[int] = []
        for trial in trials[first_unread - first_number :]:
            if trial.state != TrialState.RUNNING or trial.number == exclude_number:
                continue
            shared = trial.system_attrs.get(RELATIVE_PARAMS_KEY)
            internal: dict[str, float] = json.loads(shared) if isinstance(shared, str) else {}
            for name, value in trial.params.items():
                internal[name] = trial.distributions[name].to_internal_repr(value)
            self.params.append(internal)
            self.numbers.append(trial.number)

    def __len__(self) -> int:
        return len(self.numbers)

    def matrix(self, encoding: SpaceEncoding) -> np.ndarray:
        """Return the encoded parameters of ``encoding`` for each running trial (NaN where unknown)."""
        raw = np.array([[p.get(name, math.nan) for name in encoding.names] for p in self.params], dtype=float)
        return encoding.encode(raw.reshape(len(self.params), len(encoding.names)))


def study_trials(study: Study, first_number: int = 0) -> list[FrozenTrial]:
    """The trials of ``study`` numbered ``first_number`` and above, without copies (the sampler never changes
    them)."""
    return study._storage._get_trials_from(study._study_id, first_number)[1]

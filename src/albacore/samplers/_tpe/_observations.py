"""An incremental table of a study's finished trials as TPE needs them: ranks and encoded parameters.

Finished trials never change, so each one is read once: its rank keys (state, objective values, constraint
violation, last intermediate value) go into growing arrays, and a parameter column is encoded only for rows
added since that column was last asked for. Running trials (constant liar) are read fresh on every call.
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

import numpy as np

from albacore.distributions import BaseDistribution
from albacore.samplers._tpe._space import SpaceEncoding
from albacore.trial._constraints import constraints_of
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

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

    def __init__(self, width: int = 0) -> None:
        self._width = width
        self._data = np.empty((16, width) if width else 16)
        self.size = 0

    def append(self, value: Any) -> None:
        if self.size == self._data.shape[0]:
            self._data = np.concatenate((self._data, np.empty_like(self._data)))
        self._data[self.size] = value
        self.size += 1

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
        self.numbers = _Growing()
        self.tiers = _Growing()
        self.keys = _Growing(2)
        self.losses = _Growing(len(directions_signs))
        self._params: list[dict[str, Any]] = []
        self._dists: list[dict[str, BaseDistribution]] = []
        self._blocks: dict[Hashable, _Growing] = {}
        self._first_unread = 0
        self._read_beyond: set[int] = set()
        self.has_constraints = False

    def __len__(self) -> int:
        return self.numbers.size

    @property
    def first_unread(self) -> int:
        """Every trial numbered below this has been read (finished) or skipped (failed)."""
        return self._first_unread

    def update(self, trials: list[FrozenTrial]) -> None:
        """Read the trials (all of the study's, ordered by number) finished since the last call."""
        advancing = True
        for trial in trials[self._first_unread :]:
            number = trial.number
            if number in self._read_beyond:
                if advancing:
                    self._read_beyond.discard(number)
                    self._first_unread = number + 1
                continue
            state = trial.state
            if not state.is_finished():
                advancing = False
                continue
            if state != TrialState.FAIL:
                self._add(trial)
            if advancing:
                self._first_unread = number + 1
            else:
                self._read_beyond.add(number)

    def _add(self, trial: FrozenTrial) -> None:
        constraints = constraints_of(trial.system_attrs)
        violation = sum(max(c, 0.0) for c in constraints.values())
        if constraints:
            self.has_constraints = True
        loss = np.full(len(self._signs), np.nan)
        if violation > 0.0:
            tier, keys = TIER_INFEASIBLE, (violation, 0.0)
        elif trial.state == TrialState.COMPLETE and trial._values is not None:
            tier, keys = TIER_COMPLETE, (0.0, 0.0)
            loss = np.asarray(trial._values, dtype=float) * self._signs
        elif trial.intermediate_values:
            step, value = max(trial.intermediate_values.items())
            tier = TIER_PRUNED
            value = float(value) * float(self._signs[0])
            keys = (-float(step), value if not math.isnan(value) else math.inf)
        else:
            tier, keys = TIER_UNRANKED, (0.0, 0.0)
        self.numbers.append(trial.number)
        self.tiers.append(tier)
        self.keys.append(keys)
        self.losses.append(loss)
        self._params.append(trial.params)
        self._dists.append(trial.distributions)

    def matrix(self, key: Hashable, encoding: SpaceEncoding) -> np.ndarray:
        """Return the encoded parameters of ``encoding`` in every row (NaN where a trial lacks one).

        The matrix is kept under ``key`` and extended by the rows added since the last call.
        """
        block = self._blocks.get(key)
        if block is None:
            block = _Growing(len(encoding.names))
            self._blocks[key] = block
        start = block.size
        if start < len(self):
            raw = np.full((len(self) - start, len(encoding.names)), np.nan)
            for i in range(start, len(self)):
                params, dists = self._params[i], self._dists[i]
                for j, (name, dist) in enumerate(zip(encoding.names, encoding.distributions, strict=True)):
                    if name in params:
                        raw[i - start, j] = _internal(dist, dists[name], params[name])
            for row in encoding.encode(raw):
                block.append(row)
        return block.view


def _internal(dist: BaseDistribution, recorded: BaseDistribution, value: Any) -> float:
    try:
        return dist.to_internal_repr(value)
    except ValueError:
        return math.nan


class RunningTrials:
    """The parameters of other workers' running trials, for the constant liar (read fresh on each call)."""

    def __init__(self, trials: list[FrozenTrial], exclude_number: int, first_unread: int) -> None:
        self.params: list[dict[str, float]] = []
        self.numbers: list[int] = []
        for trial in trials[first_unread:]:
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


def study_trials(study: Study) -> list[FrozenTrial]:
    """All trials of ``study`` without copies (the sampler never changes them)."""
    return study._storage.get_all_trials(study._study_id, deepcopy=False)

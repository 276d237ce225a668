"""The deprecated ``constraints_func`` argument of TPE, GP and NSGA samplers, in one place."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from albacore._deprecation import warn_deprecated
from albacore.exceptions import InvalidArgumentError
from albacore.trial._constraints import LEGACY_CONSTRAINTS_KEY
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = ["ConstraintsFunc", "check_constraints_func", "store_constraints"]

ConstraintsFunc = Callable[[FrozenTrial], Sequence[float]]


def check_constraints_func(sampler: str, constraints_func: ConstraintsFunc | None) -> None:
    """Refuse a ``constraints_func`` that is not callable, and warn that the argument is deprecated."""
    if constraints_func is None:
        return
    if not callable(constraints_func):
        raise InvalidArgumentError(f"`constraints_func` must be callable or None, got {constraints_func!r}.")
    warn_deprecated(
        f"{sampler}'s `constraints_func` argument",
        since="5.0.0",
        removed_in="7.0.0",
        instead="`trial.set_constraint(name, value)` in the objective",
        stacklevel=4,
    )


def store_constraints(
    study: Study,
    trial: FrozenTrial,
    state: TrialState,
    values: Sequence[float] | None,
    constraints_func: ConstraintsFunc | None,
) -> None:
    """Evaluate ``constraints_func`` on a trial that ends COMPLETE or PRUNED and record its values.

    The function sees the trial with its final state and values. NaN is refused before anything is written,
    since no feasibility can be read from it.
    """
    if constraints_func is None or state not in (TrialState.COMPLETE, TrialState.PRUNED):
        return
    finished = trial._evolve(state=state, values=None if values is None else list(values))
    constraints = [float(c) for c in constraints_func(finished)]
    if any(math.isnan(c) for c in constraints):
        raise InvalidArgumentError(
            f"`constraints_func` returned NaN for trial #{trial.number}: {constraints}; return numbers "
            "(<= 0 when the constraint is satisfied)."
        )
    study._storage.set_trial_system_attr(trial._trial_id, LEGACY_CONSTRAINTS_KEY, constraints)

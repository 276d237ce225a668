"""Search spaces inferred from finished trials: the intersection, and its split into co-occurring groups.

Model-based samplers sample jointly only the parameters they have seen before. The *intersection* holds the
parameters present, with the same distribution, in every finished trial. For define-by-run spaces with
conditional parameters, the *group decomposition* splits all parameters seen into groups whose members always
appear together, so each group can be modelled jointly on the trials that contain it.

Both calculators are incremental: finished trials never change, so each is read once.

Example:
    >>> import albacore
    >>> from albacore.samplers import IntersectionSearchSpace
    >>> study = albacore.create_study()
    >>> study.optimize(lambda t: t.suggest_float("x", 0, 1) + t.suggest_int("n", 1, 3), n_trials=3)
    >>> sorted(IntersectionSearchSpace().calculate(study))
    ['n', 'x']
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

from albacore.distributions import BaseDistribution
from albacore.exceptions import InvalidArgumentError
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import _FINISHED, TrialState

if TYPE_CHECKING:
    from albacore.study._study import Study

__all__ = [
    "GroupDecomposedSearchSpace",
    "IntersectionSearchSpace",
    "SearchSpaceGroup",
    "StudyFollowingGroups",
    "StudyFollowingIntersection",
    "intersection_search_space",
]


def _counted_states(include_pruned: bool) -> tuple[TrialState, ...]:
    return (TrialState.COMPLETE, TrialState.PRUNED) if include_pruned else (TrialState.COMPLETE,)


class _FinishedTrialReader:
    """Yields each finished trial of a study once, in number order, across repeated calls."""

    def __init__(self, states: tuple[TrialState, ...], owner: str | None) -> None:
        self._states = states
        self._owner = owner  # the public class that refuses a second study, or None to follow any study
        self._study_key: tuple[int, int] | None = None
        self._first_unread = 0  # every trial numbered below has been read or is not counted
        self._read_beyond: set[int] = set()  # numbers >= _first_unread already read

    def new_trials(self, study: Study) -> tuple[list[FrozenTrial], bool]:
        """Return the finished trials not read before, and whether earlier reads were forgotten.

        Reading restarts from trial 0 when the study is another one than last time (or was emptied); an owned
        reader refuses another study instead.
        """
        key = (id(study._storage), study._study_id)
        if self._owner is not None and self._study_key is not None and key != self._study_key:
            raise InvalidArgumentError(
                f"This {self._owner} already follows another study; it keeps that study's trials, so create "
                f"one {self._owner} per study."
            )
        count, tail = study._storage._get_trials_from(study._study_id, self._first_unread)
        restarted = key != self._study_key or count < self._first_unread
        if restarted:
            self._study_key = key
            self._first_unread = 0
            self._read_beyond = set()
            count, tail = study._storage._get_trials_from(study._study_id, 0)
        fresh: list[FrozenTrial] = []
        advancing = True
        # Locals rather than attributes: a study read for the first time can hold tens of thousands of trials.
        states, read_beyond, first_unread = self._states, self._read_beyond, self._first_unread
        for trial in tail:
            number = trial.number
            if number in read_beyond:
                if advancing:
                    read_beyond.discard(number)
                    first_unread = number + 1
                continue
            state = trial.state
            if state in _FINISHED:
                if state in states:
                    fresh.append(trial)
                if advancing:
                    first_unread = number + 1
                else:
                    read_beyond.add(number)
            else:
                advancing = False
        self._first_unread = first_unread
        return fresh, restarted


class IntersectionSearchSpace:
    """The parameters present, with one and the same distribution, in every finished trial of a study.

    The result is updated incrementally on each ``calculate`` call, so it costs time only for new trials. An
    instance serves one study: calling ``calculate`` with another raises ``ValueError``.

    Args:
        include_pruned: Count PRUNED trials as well as COMPLETE ones.

    Example:
        >>> import albacore
        >>> study = albacore.create_study()
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=2)
        >>> albacore.samplers.IntersectionSearchSpace().calculate(study)
        {'x': FloatDistribution(low=0.0, high=1.0, log=False, step=None)}
    """

    _follows_any_study = False

    def __init__(self, include_pruned: bool = False) -> None:
        owner = None if self._follows_any_study else "IntersectionSearchSpace"
        self._reader = _FinishedTrialReader(_counted_states(include_pruned), owner)
        self._search_space: dict[str, BaseDistribution] | None = None
        self._lock = threading.Lock()

    def calculate(self, study: Study) -> dict[str, BaseDistribution]:
        """Return the intersection search space of ``study``'s finished trials, sorted by parameter name."""
        with self._lock:
            fresh, restarted = self._reader.new_trials(study)
            if restarted:
                self._search_space = None
            self._search_space = _intersect(self._search_space, fresh)
            return dict(sorted((self._search_space or {}).items()))

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()


def _intersect(
    space: dict[str, BaseDistribution] | None, trials: Iterable[FrozenTrial]
) -> dict[str, BaseDistribution] | None:
    for trial in trials:
        dists = trial.distributions
        if space is None:
            space = dict(dists)
            continue
        # The usual cases, in C: the same parameters (dict equality is the cheaper test), or more of them.
        if dists == space or space.items() <= dists.items():
            continue
        space = {name: dist for name, dist in space.items() if _same(dists.get(name), dist)}
    return space


def _same(found: BaseDistribution | None, dist: BaseDistribution) -> bool:
    # Trials usually share distribution objects, and comparing by value is slow; try identity first.
    return found is dist or (found is not None and found == dist)


def intersection_search_space(
    trials: Iterable[FrozenTrial], include_pruned: bool = False
) -> dict[str, BaseDistribution]:
    """Return the parameters shared, with the same distribution, by every finished trial in ``trials``.

    Args:
        trials: Trials of one study; only COMPLETE ones (and PRUNED ones with ``include_pruned``) count.
        include_pruned: Count PRUNED trials as well as COMPLETE ones.

    Example:
        >>> import albacore
        >>> from albacore.distributions import FloatDistribution
        >>> t = albacore.create_trial(params={"x": 0.5}, distributions={"x": FloatDistribution(0, 1)}, value=1.0)
        >>> list(intersection_search_space([t]))
        ['x']
    """
    states = _counted_states(include_pruned)
    space = _intersect(None, (t for t in trials if t.state in states))
    return dict(sorted((space or {}).items()))


class SearchSpaceGroup:
    """A partition of parameters into groups whose members always appear together in a trial.

    Adding a trial's distributions splits every group it cuts into the part inside the trial and the part
    outside, and makes a new group of the trial's parameters not seen before. A parameter seen with two
    different distributions is dropped from the groups (it cannot be modelled by one distribution).
    """

    def __init__(self) -> None:
        self._groups: list[dict[str, BaseDistribution]] = []
        self._dropped: set[str] = set()
        self._known: dict[str, BaseDistribution] = {}

    @property
    def search_spaces(self) -> list[dict[str, BaseDistribution]]:
        """The groups, each sorted by parameter name, in the order they were first seen."""
        return [dict(sorted(g.items())) for g in self._groups if g]

    def add_distributions(self, distributions: dict[str, BaseDistribution]) -> None:
        """Refine the groups with the parameters of one more trial."""
        for name, dist in distributions.items():
            known = self._known.get(name)
            if known is None:
                self._known[name] = dist
            elif known != dist and name not in self._dropped:
                self._dropped.add(name)
                for group in self._groups:
                    group.pop(name, None)
        names = {n for n in distributions if n not in self._dropped}
        refined: list[dict[str, BaseDistribution]] = []
        for group in self._groups:
            inside = {n: d for n, d in group.items() if n in names}
            outside = {n: d for n, d in group.items() if n not in names}
            refined.extend(g for g in (inside, outside) if g)
            names.difference_update(group)
        if names:
            refined.append({n: distributions[n] for n in sorted(names)})
        self._groups = refined


class GroupDecomposedSearchSpace:
    """The group decomposition (see :class:`SearchSpaceGroup`) of a study's finished trials, incrementally.

    An instance serves one study: calling ``calculate`` with another raises ``ValueError``.

    Args:
        include_pruned: Count PRUNED trials as well as COMPLETE ones.
    """

    _follows_any_study = False

    def __init__(self, include_pruned: bool = False) -> None:
        owner = None if self._follows_any_study else "GroupDecomposedSearchSpace"
        self._reader = _FinishedTrialReader(_counted_states(include_pruned), owner)
        self._group = SearchSpaceGroup()
        self._lock = threading.Lock()

    def calculate(self, study: Study) -> SearchSpaceGroup:
        """Return the group decomposition of the parameters of ``study``'s finished trials."""
        with self._lock:
            fresh, restarted = self._reader.new_trials(study)
            if restarted:
                self._group = SearchSpaceGroup()
            for trial in fresh:
                self._group.add_distributions(trial.distributions)
            return self._group

    def __getstate__(self) -> dict[str, object]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()


class StudyFollowingIntersection(IntersectionSearchSpace):
    """For samplers, which may serve several studies one after the other: starts over on another study."""

    _follows_any_study = True


class StudyFollowingGroups(GroupDecomposedSearchSpace):
    """For samplers, which may serve several studies one after the other: starts over on another study."""

    _follows_any_study = True

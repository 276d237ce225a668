"""Plain records of a study, below every package that handles studies: its direction, FrozenStudy, StudySummary.

Storages, samplers and pruners use these records; the Study object (``albacore.study``) is built on top of them.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Sequence
from typing import Any

from albacore.trial._frozen import FrozenTrial

__all__ = ["FrozenStudy", "StudyDirection", "StudySummary"]


class StudyDirection(enum.IntEnum):
    """MINIMIZE or MAXIMIZE (NOT_SET exists for storages that create a study before knowing)."""

    NOT_SET = 0
    MINIMIZE = 1
    MAXIMIZE = 2

    def __repr__(self) -> str:
        return f"StudyDirection.{self.name}"


class _Record:
    """Equality by fields and order by study id (the order in which the storage created the studies)."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]  # mutable fields: equal by value, so not hashable

    _study_id: int

    def _fields(self) -> tuple[Any, ...]:
        raise NotImplementedError

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Record)
        return self._fields() == other._fields()

    def __lt__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Record)
        return self._study_id < other._study_id

    def __le__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, _Record)
        return self._study_id <= other._study_id


class FrozenStudy(_Record):
    """What a storage knows about a study, apart from its trials."""

    __slots__ = ("_study_id", "directions", "study_name", "system_attrs", "user_attrs")

    def __init__(
        self,
        study_name: str,
        direction: StudyDirection | None,
        user_attrs: dict[str, Any],
        system_attrs: dict[str, Any],
        study_id: int,
        *,
        directions: Sequence[StudyDirection] | None = None,
    ) -> None:
        if directions is None:
            directions = [direction if direction is not None else StudyDirection.MINIMIZE]
        self.study_name = study_name
        self.directions = list(directions)
        self.user_attrs = user_attrs
        self.system_attrs = system_attrs
        self._study_id = study_id

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study."""
        if len(self.directions) > 1:
            raise RuntimeError("This study has several objectives; use `directions`.")
        return self.directions[0]

    def __repr__(self) -> str:
        return f"FrozenStudy(study_name={self.study_name!r}, directions={self.directions!r}, study_id={self._study_id})"

    def _fields(self) -> tuple[Any, ...]:
        return (self.study_name, self.directions, self.user_attrs, self.system_attrs, self._study_id)


class StudySummary(_Record):
    """One line of ``get_all_study_summaries``: name, directions, trial count, best trial, start time.

    Args:
        study_name: The study's name.
        direction: The direction of a single-objective study; None for several objectives (see ``directions``).
        best_trial: The best COMPLETE trial, or None when there is none or it was not asked for.
        user_attrs: The study's user attributes.
        n_trials: How many trials the study holds, in every state.
        datetime_start: When the first trial started; None for a study without trials.
        study_id: The storage's id of the study.
        directions: One direction per objective.
    """

    def __init__(
        self,
        study_name: str,
        direction: StudyDirection | None,
        best_trial: FrozenTrial | None,
        user_attrs: dict[str, Any],
        n_trials: int,
        datetime_start: datetime.datetime | None,
        study_id: int,
        *,
        directions: Sequence[StudyDirection] | None = None,
    ) -> None:
        self.study_name = study_name
        self._directions = list(directions) if directions is not None else [direction or StudyDirection.MINIMIZE]
        self.best_trial = best_trial
        self.user_attrs = user_attrs
        self.n_trials = n_trials
        self.datetime_start = datetime_start
        self._study_id = study_id

    @property
    def direction(self) -> StudyDirection:
        """The direction of a single-objective study."""
        if len(self._directions) > 1:
            raise RuntimeError("This study has several objectives; use `directions`.")
        return self._directions[0]

    @property
    def directions(self) -> list[StudyDirection]:
        """The directions of the study's objectives."""
        return list(self._directions)

    def __repr__(self) -> str:
        return (
            f"StudySummary(study_name={self.study_name!r}, n_trials={self.n_trials}, directions={self._directions!r})"
        )

    def _fields(self) -> tuple[Any, ...]:
        return (
            self.study_name,
            self._directions,
            self.best_trial,
            self.user_attrs,
            self.n_trials,
            self.datetime_start,
            self._study_id,
        )

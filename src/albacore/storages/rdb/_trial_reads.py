"""Trial reads of RDBStorage, and what a store of trials remembers between its transactions."""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from typing import Any

from albacore._study_records import StudyDirection
from albacore.exceptions import StudyNotFoundError
from albacore.storages.rdb._codec import DistributionCache
from albacore.storages.rdb._raw import Cursor, RawSQL
from albacore.storages.rdb._read import read_trials, trials_where
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = ["TrialReads", "missing_study"]

_NO_WAITING_FOR_S = 0.1
"""How long a trial end that found no WAITING trial in its study answers the next claim of this client.

Ending a trial is a write transaction; looking there for WAITING trials costs one index probe, and saves
the next ``ask`` a transaction of its own. A trial enqueued by another client in between is then claimed
by the ask after (as if it had been enqueued a moment later, which is never ruled out); enqueues through
this client drop the answer at once, and so does any wait longer than this."""


def missing_study(study_id: int) -> StudyNotFoundError:
    """The error for an unknown study id."""
    return StudyNotFoundError(f"No study with id {study_id} exists in this storage.")


class TrialReads:
    """Reads of trials, each one transaction of hand-written SQL (see ``_raw``).

    It also remembers facts that never change once committed: the study and number of each trial id.
    """

    def __init__(self, raw: RawSQL, dists: DistributionCache) -> None:
        self.raw = raw
        self.dists = dists
        self.homes: dict[int, tuple[int, int]] = {}
        self._no_waiting: dict[int, float] = {}  # study id -> time.monotonic() of a trial end that saw none
        sql = raw.sql
        self._study_exists = sql("SELECT 1 FROM studies WHERE study_id = ?")
        # The state is a literal so that the planners may use the partial index of WAITING trials.
        self._oldest_waiting = sql(
            f"SELECT trial_id FROM trials WHERE study_id = ? AND state = {int(TrialState.WAITING)} "
            "ORDER BY number LIMIT 1"
        )
        self._by_number = sql("SELECT trial_id FROM trials WHERE study_id = ? AND number = ?")
        best = (
            "SELECT t.trial_id FROM trials t JOIN trial_values v ON v.trial_id = t.trial_id "
            "WHERE t.study_id = ? AND t.state = ? AND v.objective = 0 ORDER BY v.value {}, t.number LIMIT 1"
        )
        self._best = {
            StudyDirection.MINIMIZE: sql(best.format("ASC")),
            StudyDirection.MAXIMIZE: sql(best.format("DESC")),
        }

    # --- reads -------------------------------------------------------------------------------------------

    def get(self, trial_id: int) -> FrozenTrial:
        """One trial by id; KeyError when there is none."""
        found = self.raw.run(
            lambda cursor: read_trials(cursor, self.raw.sql, trials_where(trial_id=trial_id), self.dists), write=False
        )
        if not found:
            raise KeyError(f"No trial with id {trial_id} exists in this storage.")
        study_id, trial = found[0]
        self.homes[trial_id] = (study_id, trial.number)
        return trial

    def study_trials(
        self,
        study_id: int,
        *,
        after_number: int | None = None,
        trial_ids: Collection[int] = (),
        states: Collection[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        """A study's trials by number: all, or those numbered after ``after_number`` plus ``trial_ids``."""
        where = trials_where(study_id, after_number=after_number, trial_ids=trial_ids, states=states)

        def body(cursor: Cursor) -> list[tuple[int, FrozenTrial]]:
            found = read_trials(cursor, self.raw.sql, where, self.dists)
            if not found:
                cursor.execute(self._study_exists, (study_id,))
                if cursor.fetchone() is None:
                    raise missing_study(study_id)
            return found

        return [trial for _, trial in self.raw.run(body, write=False)]

    def count(self, study_id: int, states: Collection[TrialState] | None) -> int:
        """How many trials a study has (in ``states``)."""
        clause, args = trials_where(study_id, states=states)

        def body(cursor: Cursor) -> int:
            cursor.execute(self.raw.sql(f"SELECT COUNT(*) FROM trials t WHERE {clause}"), args)
            n = int(cursor.fetchone()[0])
            if n == 0:
                cursor.execute(self._study_exists, (study_id,))
                if cursor.fetchone() is None:
                    raise missing_study(study_id)
            return n

        return self.raw.run(body, write=False)

    def _scalar(self, statement: str, args: Sequence[Any]) -> Any:
        def body(cursor: Cursor) -> Any:
            cursor.execute(statement, args)
            row = cursor.fetchone()
            return None if row is None else row[0]

        return self.raw.run(body, write=False, single=True)

    def id_by_number(self, study_id: int, number: int) -> int | None:
        """The id of trial ``number`` of a study, or None."""
        found = self._scalar(self._by_number, (study_id, number))
        return None if found is None else int(found)

    def best_id(self, study_id: int, direction: StudyDirection) -> int | None:
        """The id of the best COMPLETE trial of a single-objective study, or None."""
        found = self._scalar(self._best[direction], (study_id, int(TrialState.COMPLETE)))
        return None if found is None else int(found)

    def oldest_waiting(self, study_id: int) -> int | None:
        """The id of the study's oldest WAITING trial, or None (see ``_NO_WAITING_FOR_S``)."""
        seen_none = self._no_waiting.pop(study_id, None)
        if seen_none is not None and time.monotonic() - seen_none < _NO_WAITING_FOR_S:
            return None
        found = self._scalar(self._oldest_waiting, (study_id,))
        return None if found is None else int(found)

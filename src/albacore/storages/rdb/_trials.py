"""The trial side of RDBStorage: creation with gap-free numbers and writes to running trials (reads: `_trial_reads`)."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from albacore.distributions import BaseDistribution, check_distribution_compatibility
from albacore.exceptions import InvalidArgumentError, UpdateFinishedTrialError
from albacore.storages._base import check_ending_state, first_distributions
from albacore.storages.rdb._codec import DistributionCache, dump_attr, encode_float, from_epoch, to_epoch
from albacore.storages.rdb._models import MAX_NAME_LENGTH
from albacore.storages.rdb._raw import Cursor, RawSQL
from albacore.storages.rdb._trial_reads import TrialReads, missing_study
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = ["TrialStore"]

_UNFINISHED = (int(TrialState.RUNNING), int(TrialState.WAITING))
_ATTR_TABLES = ("trial_user_attrs", "trial_system_attrs")
FirstUses = list[tuple[str, BaseDistribution]]


def _check_name(what: str, name: str) -> None:
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidArgumentError(f"{what} may have at most {MAX_NAME_LENGTH} characters, got {len(name)}: {name!r}.")


class _ParamRows(NamedTuple):
    """Parameters encoded as rows of trial_params, and their distributions (for the kind check)."""

    rows: list[tuple[int, str, float, str]]
    dists: dict[str, BaseDistribution]


class _Copy(NamedTuple):
    """A template trial encoded for its rows, before any transaction starts (so a bad key writes nothing)."""

    row: tuple[int, float | None, float | None]  # state, start, complete
    params: dict[str, tuple[float, BaseDistribution]]
    values: list[float] | None
    steps: list[tuple[int, float | None, int]]  # step, encoded value, value kind
    attrs: tuple[list[tuple[str, str]], list[tuple[str, str]]]  # user, system: (key, JSON)

    @classmethod
    def of(cls, template: FrozenTrial) -> _Copy:
        attrs: tuple[list[tuple[str, str]], list[tuple[str, str]]] = ([], [])
        for pairs, source in zip(attrs, (template.user_attrs, template.system_attrs), strict=True):
            for key, value in source.items():
                _check_name("An attribute key", key)
                pairs.append((key, dump_attr(key, value)))
        distributions = template.distributions
        return cls(
            (int(template.state), to_epoch(template.datetime_start), to_epoch(template.datetime_complete)),
            {name: (dist.to_internal_repr(template.params[name]), dist) for name, dist in distributions.items()},
            None if template.values is None else [float(v) for v in template.values],
            [(int(s), *encode_float(v)) for s, v in template.intermediate_values.items()],
            attrs,
        )


class TrialStore(TrialReads):
    """Trial operations of one RDBStorage, each one transaction of hand-written SQL (see ``_raw``).

    It also remembers facts that never change once committed: the first distribution of each parameter
    name in a study (its kind), and the study and number of each trial id.
    """

    def __init__(self, raw: RawSQL, dists: DistributionCache) -> None:
        super().__init__(raw, dists)
        self.kinds: dict[tuple[int, str], BaseDistribution] = {}
        sql = raw.sql
        returning = raw.returning
        self._bump = sql(
            "UPDATE studies SET next_trial_number = next_trial_number + 1 WHERE study_id = ?"
            + (" RETURNING next_trial_number" if returning else "")
        )
        self._next_number = sql("SELECT next_trial_number FROM studies WHERE study_id = ?")
        self._bump_by = sql("UPDATE studies SET next_trial_number = next_trial_number + ? WHERE study_id = ?")
        self._insert_trial_plain = sql(
            "INSERT INTO trials (study_id, number, state, datetime_start, datetime_complete) VALUES (?, ?, ?, ?, ?)"
        )
        self._ids_of_numbers = sql(
            "SELECT number, trial_id FROM trials WHERE study_id = ? AND number >= ? AND number < ?"
        )
        self._insert_trial = sql(
            "INSERT INTO trials (study_id, number, state, datetime_start, datetime_complete) VALUES (?, ?, ?, ?, ?)"
            + (" RETURNING trial_id" if returning else "")
        )
        # SQLite (schema v3): the number comes from the (study_id, number) index that the insert writes anyway.
        # Its single writer lock makes the read and the insert atomic, and the study row is left untouched,
        # which saves a page in the log per trial; see `_models` on `next_trial_number`. (Two statements:
        # INSERT ... SELECT from the table being written first copies the result to a temporary table.)
        self._last_number = sql("SELECT MAX(number) FROM trials WHERE study_id = ?")
        self._lock = sql("SELECT study_id, number, state FROM trials WHERE trial_id = ?" + raw.for_update)
        # PostgreSQL: number and insert in one statement (the UPDATE still takes the study row lock first).
        self._create_in_one = sql(
            "WITH taken AS (UPDATE studies SET next_trial_number = next_trial_number + 1 WHERE study_id = ? "
            "RETURNING next_trial_number - 1 AS number) "
            "INSERT INTO trials (study_id, number, state, datetime_start, datetime_complete) "
            "SELECT ?, number, ?, ?, NULL FROM taken RETURNING trial_id, number"
        )
        # PostgreSQL, at a trial end that starts the next trial: numbers and inserts it unless a WAITING trial
        # is there to be claimed (then no row comes back).
        self._create_unless_waiting = sql(
            "WITH taken AS (UPDATE studies SET next_trial_number = next_trial_number + 1 WHERE study_id = ? "
            f"AND NOT EXISTS (SELECT 1 FROM trials WHERE study_id = ? AND state = {int(TrialState.WAITING)}) "
            "RETURNING next_trial_number - 1 AS number) "
            "INSERT INTO trials (study_id, number, state, datetime_start, datetime_complete) "
            "SELECT ?, number, ?, ?, NULL FROM taken RETURNING trial_id, number"
        )
        self._insert_kind = sql(
            "INSERT INTO study_param_kinds (study_id, param_name, distribution_json) VALUES (?, ?, ?)"
        )
        self._upsert_param = raw.upsert(
            "trial_params", ("trial_id", "param_name"), ("param_value", "distribution_json")
        )
        self._upsert_value = raw.upsert("trial_values", ("trial_id", "objective"), ("value",))
        self._upsert_step = raw.upsert("trial_intermediate_values", ("trial_id", "step"), ("value", "value_kind"))
        self._upsert_attr = {table: raw.upsert(table, ("trial_id", "key"), ("value_json",)) for table in _ATTR_TABLES}
        self._set_running = sql("UPDATE trials SET state = ?, datetime_start = ? WHERE trial_id = ?")
        self._set_finished = sql("UPDATE trials SET state = ?, datetime_complete = ? WHERE trial_id = ?")
        self._set_other = sql("UPDATE trials SET state = ? WHERE trial_id = ?")
        unfinished = ", ".join(str(s) for s in _UNFINISHED)
        self._finish_unfinished = sql(
            f"UPDATE trials SET state = ?, datetime_complete = ? WHERE trial_id = ? AND state IN ({unfinished})"
        )
        self._finish_returning = sql(
            "UPDATE trials SET state = ?, datetime_complete = ? "
            f"WHERE trial_id = ? AND state IN ({unfinished}) RETURNING study_id, number"
        )
        self._any_waiting = sql(
            f"SELECT 1 FROM trials WHERE study_id = ? AND state = {int(TrialState.WAITING)} LIMIT 1"
        )

    # --- building blocks (inside a transaction) ----------------------------------------------------------

    def _take_number(self, cursor: Cursor, study_id: int) -> int:
        """Reserve the study's next number; the UPDATE holds the study row lock until commit."""
        cursor.execute(self._bump, (study_id,))
        if self.raw.returning:
            row = cursor.fetchone()
        else:
            if cursor.rowcount == 0:
                raise missing_study(study_id)
            cursor.execute(self._next_number, (study_id,))
            row = cursor.fetchone()
        if row is None:
            raise missing_study(study_id)
        return int(row[0]) - 1

    def _insert_next_sqlite(
        self, cursor: Cursor, study_id: int, state_and_times: tuple[int, float | None, float | None]
    ) -> tuple[int, int]:
        """Insert a trial numbered after the study's last one; return (trial id, number)."""
        cursor.execute(self._last_number, (study_id,))
        last = cursor.fetchone()[0]
        number = 0 if last is None else int(last) + 1
        try:
            cursor.execute(self._insert_trial, (study_id, number, *state_and_times))
        except self.raw.integrity_error:
            # The foreign key refused the study id (the number cannot clash: no other writer runs meanwhile).
            cursor.execute(self._study_exists, (study_id,))
            if cursor.fetchone() is None:
                raise missing_study(study_id) from None
            raise
        return int(cursor.lastrowid), number

    def _lock_running(self, cursor: Cursor, trial_id: int) -> tuple[int, TrialState]:
        """Lock a trial's row until commit; raise unless it is RUNNING or WAITING. Return (study id, state)."""
        cursor.execute(self._lock, (trial_id,))
        row = cursor.fetchone()
        if row is None:
            raise KeyError(f"No trial with id {trial_id} exists in this storage.")
        study_id, number, state = row
        self.homes[trial_id] = (study_id, number)
        if state not in _UNFINISHED:
            raise UpdateFinishedTrialError(
                f"Trial #{number} is already finished ({TrialState(state).name}) and cannot be updated."
            )
        return study_id, TrialState(state)

    def _check_kinds(self, cursor: Cursor, study_id: int, dists: Mapping[str, BaseDistribution]) -> FirstUses:
        """Raise IncompatibleDistributionError for a name used with another kind; insert and return first uses."""
        unknown = [name for name in dists if (study_id, name) not in self.kinds]
        if unknown:
            marks = ", ".join("?" for _ in unknown)
            cursor.execute(
                self.raw.sql(
                    "SELECT param_name, distribution_json FROM study_param_kinds "
                    f"WHERE study_id = ? AND param_name IN ({marks})"
                ),
                [study_id, *unknown],
            )
            for name, text in cursor.fetchall():
                # Committed by some client earlier, so safe to remember even if this transaction fails.
                self.kinds[(study_id, name)] = self.dists.load(text)
        first_uses = []
        for name, dist in dists.items():
            known = self.kinds.get((study_id, name))
            if known is None:
                first_uses.append((name, dist))
            elif known is not dist:
                check_distribution_compatibility(known, dist)
        if first_uses:
            cursor.executemany(
                self._insert_kind, [(study_id, name, self.dists.dump(dist)) for name, dist in first_uses]
            )
        return first_uses

    def _param_rows(self, trial_id: int, params: Mapping[str, tuple[float, BaseDistribution]]) -> _ParamRows:
        """Check the names and encode the rows of ``params`` (before the transaction, where possible)."""
        for name in params:
            _check_name("A parameter name", name)
        dump = self.dists.dump
        return _ParamRows(
            [(trial_id, name, float(internal), dump(dist)) for name, (internal, dist) in params.items()],
            {name: dist for name, (_, dist) in params.items()},
        )

    def _write_param_rows(self, cursor: Cursor, study_id: int, prepared: _ParamRows) -> FirstUses:
        first_uses = self._check_kinds(cursor, study_id, prepared.dists)
        cursor.executemany(self._upsert_param, prepared.rows)
        return first_uses

    def _write_params(
        self, cursor: Cursor, study_id: int, trial_id: int, params: Mapping[str, tuple[float, BaseDistribution]]
    ) -> FirstUses:
        return self._write_param_rows(cursor, study_id, self._param_rows(trial_id, params))

    def _remember(self, study_id: int, first_uses: FirstUses) -> None:
        # Only after commit: a rolled-back first use must not be taken for the study's kind.
        for name, dist in first_uses:
            self.kinds.setdefault((study_id, name), dist)

    # --- writes ------------------------------------------------------------------------------------------

    def create(self, study_id: int, template: FrozenTrial | None, now: float) -> FrozenTrial:
        """Create a trial (RUNNING, or a copy of ``template``) and return it as stored."""
        if template is None and self.raw.dialect == "postgresql":
            return self._create_pipelined(study_id, now)
        copy = None if template is None else _Copy.of(template)

        def body(cursor: Cursor) -> tuple[int, int, FirstUses]:
            if self.raw.dialect == "postgresql":
                # Creating a trial need not wait for the disk: the server writes its log in commit order, so
                # the next durable commit (at the latest, this trial's end) makes this one durable too, and a
                # server crash can only lose a suffix of trials, never open a gap in the numbers.
                cursor.execute("SET LOCAL synchronous_commit = off")
            return self._insert(cursor, study_id, copy, now)

        trial_id, number, first_uses = self.raw.run(body, write=True, retry_integrity=True)
        return self._created(study_id, template, trial_id, number, first_uses, now)

    def create_many(self, study_id: int, templates: Sequence[FrozenTrial], now: float) -> list[FrozenTrial]:
        """Create a copy of each template in one transaction, numbered in order; return them as stored.

        The batch takes its numbers at once and writes each table with one statement batch, so its cost
        hardly depends on the round trips to the server.
        """
        copies = [_Copy.of(template) for template in templates]
        # Every parameter name's kind is checked (and a first use recorded) once for the whole batch, against
        # the study and against the batch's own first use of the name.
        union = first_distributions(templates)
        count = len(copies)

        def body(cursor: Cursor) -> tuple[FirstUses, list[int], int]:
            first_uses = self._check_kinds(cursor, study_id, union) if union else []
            base = self._reserve_numbers(cursor, study_id, count)
            cursor.executemany(
                self._insert_trial_plain, [(study_id, base + i, *copy.row) for i, copy in enumerate(copies)]
            )
            cursor.execute(self._ids_of_numbers, (study_id, base, base + count))
            by_number = {int(number): int(trial_id) for number, trial_id in cursor.fetchall()}
            ids = [by_number[base + i] for i in range(count)]
            params: list[tuple[int, str, float, str]] = []
            values: list[tuple[int, int, float]] = []
            steps: list[tuple[Any, ...]] = []
            attrs: tuple[list[tuple[int, str, str]], list[tuple[int, str, str]]] = ([], [])
            for trial_id, copy in zip(ids, copies, strict=True):
                if copy.params:
                    params += self._param_rows(trial_id, copy.params).rows
                values += [(trial_id, i, v) for i, v in enumerate(copy.values or ())]
                steps += [(trial_id, *step) for step in copy.steps]
                for rows, pairs in zip(attrs, copy.attrs, strict=True):
                    rows += [(trial_id, key, text) for key, text in pairs]
            writes: list[tuple[str, Sequence[tuple[Any, ...]]]] = [
                (self._upsert_param, params),
                (self._upsert_value, values),
                (self._upsert_step, steps),
            ]
            writes += [(self._upsert_attr[table], rows) for table, rows in zip(_ATTR_TABLES, attrs, strict=True)]
            for statement, batch in writes:
                if batch:
                    cursor.executemany(statement, batch)
            return first_uses, ids, base

        first_uses, ids, base = self.raw.run(body, write=True, retry_integrity=True)
        self._remember(study_id, first_uses)
        return [
            self._created(study_id, template, trial_id, base + i, [], now)
            for i, (template, trial_id) in enumerate(zip(templates, ids, strict=True))
        ]

    def _reserve_numbers(self, cursor: Cursor, study_id: int, count: int) -> int:
        """Take the study's next ``count`` numbers; return the first."""
        if self.raw.is_sqlite:  # one writer at a time; numbers follow the largest (schema v3)
            cursor.execute(self._study_exists, (study_id,))
            if cursor.fetchone() is None:
                raise missing_study(study_id)
            cursor.execute(self._last_number, (study_id,))
            last = cursor.fetchone()[0]
            return 0 if last is None else int(last) + 1
        cursor.execute(self._bump_by, (count, study_id))
        if cursor.rowcount == 0:
            raise missing_study(study_id)
        cursor.execute(self._next_number, (study_id,))
        return int(cursor.fetchone()[0]) - count

    def _insert(self, cursor: Cursor, study_id: int, copy: _Copy | None, now: float) -> tuple[int, int, FirstUses]:
        """Insert a new trial (RUNNING, or ``copy``) with the study's next number; return (id, number, first uses)."""
        state_and_times = (int(TrialState.RUNNING), now, None) if copy is None else copy.row
        if self.raw.is_sqlite:
            trial_id, number = self._insert_next_sqlite(cursor, study_id, state_and_times)
        else:
            number = self._take_number(cursor, study_id)
            cursor.execute(self._insert_trial, (study_id, number, *state_and_times))
            trial_id = int(cursor.fetchone()[0]) if self.raw.returning else int(cursor.lastrowid)
        if copy is None:
            return trial_id, number, []
        first_uses = self._write_params(cursor, study_id, trial_id, copy.params) if copy.params else []
        if copy.values is not None:
            cursor.executemany(self._upsert_value, [(trial_id, i, v) for i, v in enumerate(copy.values)])
        if copy.steps:
            cursor.executemany(self._upsert_step, [(trial_id, *step) for step in copy.steps])
        for table, pairs in zip(_ATTR_TABLES, copy.attrs, strict=True):
            if pairs:
                cursor.executemany(self._upsert_attr[table], [(trial_id, k, t) for k, t in pairs])
        return trial_id, number, first_uses

    def _created(
        self, study_id: int, template: FrozenTrial | None, trial_id: int, number: int, first_uses: FirstUses, now: float
    ) -> FrozenTrial:
        """Remember what a committed insert taught, and return the trial as stored."""
        self._remember(study_id, first_uses)
        self.homes[trial_id] = (study_id, number)
        if template is None:
            return FrozenTrial(number, TrialState.RUNNING, None, from_epoch(now), None, {}, {}, {}, {}, {}, trial_id)
        if template.state == TrialState.WAITING:
            self._no_waiting.pop(study_id, None)
        return template.__deepcopy__({})._evolve(number=number, trial_id=trial_id)

    def fail_stale(self, study_id: int, trial_id: int, retry: FrozenTrial | None, now: float) -> int | None:
        """Fail a running trial and add ``retry`` to its study in one transaction; return the retry's id."""
        copy = None if retry is None else _Copy.of(retry)

        def body(cursor: Cursor) -> tuple[int, int, FirstUses] | None:
            # The trial's row is locked before the study's, in the order every trial write takes them.
            self._lock_running(cursor, trial_id)
            cursor.execute(self._set_finished, (int(TrialState.FAIL), now, trial_id))
            return None if copy is None else self._insert(cursor, study_id, copy, now)

        inserted = self.raw.run(body, write=True, retry_integrity=True)
        if inserted is None:
            return None
        return self._created(study_id, retry, *inserted, now)._trial_id

    # --- PostgreSQL: the two statements of every trial, each in as few round trips as possible ------------
    # psycopg's pipeline mode sends several statements before reading any answer. A trial's creation then
    # costs two round trips (the statements, the commit) instead of five, and its end two plus the commit's
    # flush to disk instead of six. Anything unusual (a template, a first use of a parameter name, a trial
    # this client did not create) takes the general path above.

    def _create_pipelined(self, study_id: int, now: float) -> FrozenTrial:
        def body(cursor: Cursor) -> tuple[int, int]:
            with cursor.connection.pipeline():
                # Creating a trial need not wait for the disk: see `create`.
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute(self._create_in_one, (study_id, study_id, int(TrialState.RUNNING), now))
            row = cursor.fetchone()
            if row is None:
                raise missing_study(study_id)
            return int(row[0]), int(row[1])

        trial_id, number = self.raw.run(body, write=True, retry_integrity=True)
        self.homes[trial_id] = (study_id, number)
        return FrozenTrial(number, TrialState.RUNNING, None, from_epoch(now), None, {}, {}, {}, {}, {}, trial_id)

    def _finish_pipelined(
        self,
        trial_id: int,
        state: TrialState,
        floats: list[float] | None,
        params: Mapping[str, tuple[float, BaseDistribution]] | None,
        now: float,
        start_next: bool,
    ) -> tuple[bool, FrozenTrial | None] | None:
        """End a trial (and start the next) in one pipeline; None when this case needs the general path."""
        home = self.homes.get(trial_id)
        if home is None:
            return None
        study_id = home[0]
        for name, (_, dist) in (params or {}).items():
            known = self.kinds.get((study_id, name))
            if known is None or len(name) > MAX_NAME_LENGTH:
                return None
            if known is not dist:
                check_distribution_compatibility(known, dist)
        dump = self.dists.dump

        def body(cursor: Cursor) -> tuple[bool, tuple[int, int] | None]:
            connection = cursor.connection
            check = connection.cursor()
            waiting = connection.cursor()
            try:
                with connection.pipeline():
                    check.execute(self._finish_returning, (int(state), now, trial_id))
                    if floats is not None:
                        cursor.executemany(self._upsert_value, [(trial_id, i, v) for i, v in enumerate(floats)])
                    if params:
                        rows = [(trial_id, n, float(v), dump(d)) for n, (v, d) in params.items()]
                        cursor.executemany(self._upsert_param, rows)
                    if start_next:
                        running = int(TrialState.RUNNING)
                        waiting.execute(self._create_unless_waiting, (study_id, study_id, study_id, running, now))
                    else:
                        waiting.execute(self._any_waiting, (study_id,))
                ended = check.fetchone()
                found = waiting.fetchone()
            finally:
                check.close()
                waiting.close()
            if ended is None:
                # Finished already (or gone): what was sent is rolled back with the error raised here.
                self._lock_running(cursor, trial_id)
                raise AssertionError("unreachable")  # pragma: no cover - _lock_running raised
            if start_next:
                return found is not None, None if found is None else (int(found[0]), int(found[1]))
            return found is None, None

        none_waiting, started = self.raw.run(body, write=True)
        if none_waiting:
            self._no_waiting[study_id] = time.monotonic()
        if started is None:
            return True, None
        return True, self._created(study_id, None, *started, [], now)

    def set_params(self, trial_id: int, params: Mapping[str, tuple[float, BaseDistribution]]) -> None:
        """Write parameters of a running trial in one statement (after the kind check)."""

        prepared = self._param_rows(trial_id, params)

        def body(cursor: Cursor) -> tuple[int, FirstUses]:
            study_id, _ = self._lock_running(cursor, trial_id)
            return study_id, self._write_param_rows(cursor, study_id, prepared)

        study_id, first_uses = self.raw.run(body, write=True, retry_integrity=True)
        self._remember(study_id, first_uses)

    def set_state(
        self,
        trial_id: int,
        state: TrialState,
        values: Sequence[float] | None,
        params: Mapping[str, tuple[float, BaseDistribution]] | None,
        now: float,
    ) -> bool:
        """Move a trial to ``state`` with its values and last parameters, in one transaction."""
        return self._end(trial_id, state, values, params, now, start_next=False)[0]

    def end_and_start(
        self,
        trial_id: int,
        state: TrialState,
        values: Sequence[float] | None,
        params: Mapping[str, tuple[float, BaseDistribution]] | None,
        now: float,
    ) -> FrozenTrial | None:
        """End a trial as ``set_state`` does and, in the same transaction, create the study's next trial
        (RUNNING) unless a WAITING trial waits to be claimed; return the new trial, or None."""
        check_ending_state(state)
        return self._end(trial_id, state, values, params, now, start_next=True)[1]

    def _end(
        self,
        trial_id: int,
        state: TrialState,
        values: Sequence[float] | None,
        params: Mapping[str, tuple[float, BaseDistribution]] | None,
        now: float,
        *,
        start_next: bool,
    ) -> tuple[bool, FrozenTrial | None]:
        floats = None if values is None else [float(v) for v in values]
        if self.raw.dialect == "postgresql" and state.is_finished():
            done = self._finish_pipelined(trial_id, state, floats, params, now, start_next)
            if done is not None:
                return done

        home = self.homes.get(trial_id)
        # Everything that needs no database is done before the transaction, which holds the write lock.
        value_rows = None if floats is None else [(trial_id, i, v) for i, v in enumerate(floats)]
        param_rows = self._param_rows(trial_id, params) if params else None

        def body(cursor: Cursor) -> tuple[bool, int, FirstUses, bool, tuple[int, int] | None]:
            if self.raw.returning and state.is_finished():
                # One statement both checks that the trial runs and ends it (and locks its row).
                cursor.execute(self._finish_returning, (int(state), now, trial_id))
                row = cursor.fetchone()
                if row is None:
                    self._lock_running(cursor, trial_id)  # raises the right error
                    raise AssertionError("unreachable")  # pragma: no cover - _lock_running raised
                study_id = row[0]
                self.homes[trial_id] = (study_id, row[1])
            elif state.is_finished() and home is not None:
                # This client knows the trial's study: one statement ends the trial if it still runs.
                cursor.execute(self._finish_unfinished, (int(state), now, trial_id))
                if cursor.rowcount != 1:
                    self._lock_running(cursor, trial_id)  # raises the right error
                    raise AssertionError("unreachable")  # pragma: no cover - _lock_running raised
                study_id = home[0]
            else:
                study_id, current = self._lock_running(cursor, trial_id)
                if state == TrialState.RUNNING:
                    if current != TrialState.WAITING:
                        return False, study_id, [], False, None
                    cursor.execute(self._set_running, (int(state), now, trial_id))
                elif state.is_finished():
                    cursor.execute(self._set_finished, (int(state), now, trial_id))
                else:
                    cursor.execute(self._set_other, (int(state), trial_id))
            if value_rows is not None:
                cursor.executemany(self._upsert_value, value_rows)
            first_uses = [] if param_rows is None else self._write_param_rows(cursor, study_id, param_rows)
            none_waiting = False
            started = None
            if state.is_finished():
                cursor.execute(self._any_waiting, (study_id,))
                none_waiting = cursor.fetchone() is None
                if none_waiting and start_next:
                    started = self._insert(cursor, study_id, None, now)[:2]
            return True, study_id, first_uses, none_waiting, started

        changed, study_id, first_uses, none_waiting, started = self.raw.run(body, write=True, retry_integrity=True)
        self._remember(study_id, first_uses)
        if none_waiting:
            self._no_waiting[study_id] = time.monotonic()
        elif state == TrialState.WAITING:
            self._no_waiting.pop(study_id, None)
        if started is None:
            return changed, None
        return changed, self._created(study_id, None, *started, [], now)

    def set_intermediate_value(self, trial_id: int, step: int, value: float) -> None:
        """Record the value of a running trial at ``step`` (NaN and infinities included)."""
        row = (trial_id, int(step), *encode_float(float(value)))

        def body(cursor: Cursor) -> None:
            self._lock_running(cursor, trial_id)
            cursor.execute(self._upsert_step, row)

        self.raw.run(body, write=True, retry_integrity=True)

    def set_attr(self, table: str, trial_id: int, key: str, value: Any) -> None:
        """Set a user or system attribute of a running trial."""
        _check_name("An attribute key", key)
        row = (trial_id, key, dump_attr(key, value))

        def body(cursor: Cursor) -> None:
            self._lock_running(cursor, trial_id)
            cursor.execute(self._upsert_attr[table], row)

        self.raw.run(body, write=True, retry_integrity=True)

"""RDBStorage: studies in SQLite, PostgreSQL or MySQL/MariaDB, shared by any number of processes and machines."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Container, Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc

from albacore._study_records import FrozenStudy, StudyDirection
from albacore.distributions import BaseDistribution
from albacore.exceptions import (
    DuplicatedStudyError,
    InvalidArgumentError,
    StorageVersionError,
    StudyNotFoundError,
    UpdateFinishedTrialError,
)
from albacore.storages._base import DEFAULT_STUDY_NAME_PREFIX, BaseStorage, ParamWrites
from albacore.storages._heartbeat import StaleTrialCallback, make_heartbeat_config, stale_trial_callback_argument
from albacore.storages.rdb import _migrate
from albacore.storages.rdb import _models as m
from albacore.storages.rdb._attrs import compare_and_set_attr
from albacore.storages.rdb._codec import DistributionCache, dump_attr
from albacore.storages.rdb._engine import WRITE_OPTION, create_engine, normalize_url, run_with_retries
from albacore.storages.rdb._raw import RawSQL
from albacore.storages.rdb._trial_reads import missing_study
from albacore.storages.rdb._trials import TrialStore
from albacore.trial._frozen import FrozenTrial
from albacore.trial._state import TrialState

__all__ = ["RDBStorage"]

_UNFINISHED = (int(TrialState.RUNNING), int(TrialState.WAITING))


def _inserted_id(result: sa.CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _positive_int_or_none(name: str, value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidArgumentError(f"`{name}` must be a positive integer (seconds) or None, got {value!r}.")
    return value


class RDBStorage(BaseStorage):
    """Keeps studies in a relational database through SQLAlchemy: SQLite, PostgreSQL or MySQL/MariaDB.

    A study in a database survives restarts and can be shared by many worker processes, on one machine
    (SQLite file) or many (PostgreSQL, MySQL). ``postgresql://`` URLs use psycopg 3 and ``mysql://`` URLs use
    PyMySQL (``pip install 'albacore[postgresql]'`` or ``'albacore[mysql]'``).

    SQLite files run in WAL mode with ``synchronous=NORMAL``: a finished write survives the crash of any
    process (kill -9 included) and the file is never corrupted, but the last writes before a power cut or an
    operating system crash may be lost; ``sqlite:///study.db?synchronous=full`` flushes every commit to the disk,
    so that they survive those too. Writers open their transactions with ``BEGIN IMMEDIATE`` and wait
    on a busy timeout, so several processes can share one file; they take turns through a lock file beside
    it (``<file>-albacore-lock``, empty, left in place). Do not put the file on a network file system
    (NFS): its locks are unreliable; use PostgreSQL or MySQL across machines.

    Passing a URL as ``storage=`` to ``create_study`` wraps this class in a client-side cache; construct it
    yourself to pass ``engine_kwargs`` or the other options.

    Args:
        url: A SQLAlchemy URL, e.g. ``"sqlite:///study.db"`` or ``"postgresql://user:pass@host/db"``.
        engine_kwargs: Extra arguments for ``sqlalchemy.create_engine``.
        skip_compatibility_check: Open a database whatever its schema revision (at your own risk).
        heartbeat_interval: Seconds between heartbeats of running trials (positive integer), or None.
        grace_period: Seconds without a heartbeat after which a running trial counts as stale, or None (twice
            the interval).
        heartbeat_stale_trial_callback: Called as ``callback(study, trial)`` for each trial failed as stale, e.g.
            ``RetryHeartbeatStaleTrialCallback()``.
        failed_trial_callback: Deprecated name of ``heartbeat_stale_trial_callback`` (warns).
        skip_table_creation: Do not create the tables of an empty database.

    The three heartbeat settings are also attributes of the same names, which may be changed afterwards.

    Raises:
        StorageVersionError: The database was made by an older albacore (the message gives the upgrade
            command) or by a newer one.

    Example:
        >>> import albacore, tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "study.db")
        >>> storage = albacore.storages.RDBStorage(f"sqlite:///{path}")
        >>> study = albacore.create_study(storage=storage, study_name="demo")
        >>> study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=3)
        >>> len(albacore.load_study(study_name="demo", storage=f"sqlite:///{path}").trials)
        3
    """

    def __init__(
        self,
        url: str,
        engine_kwargs: dict[str, Any] | None = None,
        skip_compatibility_check: bool = False,
        *,
        heartbeat_interval: int | None = None,
        grace_period: int | None = None,
        heartbeat_stale_trial_callback: StaleTrialCallback | None = None,
        failed_trial_callback: StaleTrialCallback | None = None,
        skip_table_creation: bool = False,
    ) -> None:
        if not isinstance(url, str):
            raise InvalidArgumentError(f"`url` must be a database URL string, got {url!r}.")
        if engine_kwargs is not None and not isinstance(engine_kwargs, dict):
            raise InvalidArgumentError(f"`engine_kwargs` must be a dict or None, got {engine_kwargs!r}.")
        callback = stale_trial_callback_argument(heartbeat_stale_trial_callback, failed_trial_callback)
        self.url = url
        self.engine_kwargs = dict(engine_kwargs or {})
        self.skip_compatibility_check = skip_compatibility_check
        self._heartbeat_interval = _positive_int_or_none("heartbeat_interval", heartbeat_interval)
        self._grace_period = _positive_int_or_none("grace_period", grace_period)
        self._stale_trial_callback = callback
        self.skip_table_creation = skip_table_creation
        self._heartbeat_config = make_heartbeat_config(self._heartbeat_interval, self._grace_period, callback)
        self._setup()
        self._ensure_schema()

    # --- heartbeat settings: attributes, as in Optuna, checked when set ----------------------------------

    @property
    def heartbeat_interval(self) -> int | None:
        """Seconds between heartbeats of running trials, or None when heartbeats are off."""
        return self._heartbeat_interval

    @heartbeat_interval.setter
    def heartbeat_interval(self, value: int | None) -> None:
        self._set_heartbeat(
            _positive_int_or_none("heartbeat_interval", value), self._grace_period, self._stale_trial_callback
        )

    @property
    def grace_period(self) -> int | None:
        """Seconds without a heartbeat after which a running trial is stale (None: twice the interval)."""
        return self._grace_period

    @grace_period.setter
    def grace_period(self, value: int | None) -> None:
        self._set_heartbeat(
            self._heartbeat_interval, _positive_int_or_none("grace_period", value), self._stale_trial_callback
        )

    @property
    def heartbeat_stale_trial_callback(self) -> StaleTrialCallback | None:
        """Called as ``callback(study, trial)`` for each trial failed for a stale heartbeat."""
        return self._stale_trial_callback

    @heartbeat_stale_trial_callback.setter
    def heartbeat_stale_trial_callback(self, value: StaleTrialCallback | None) -> None:
        self._set_heartbeat(self._heartbeat_interval, self._grace_period, value)

    @property
    def failed_trial_callback(self) -> StaleTrialCallback | None:
        """The name of ``heartbeat_stale_trial_callback`` before Optuna 4.9."""
        return self._stale_trial_callback

    def _set_heartbeat(
        self, interval: int | None, grace_period: int | None, callback: StaleTrialCallback | None
    ) -> None:
        # Settings arrive one at a time, so a grace period or callback may come before the interval.
        self._heartbeat_config = make_heartbeat_config(interval, grace_period, callback, partial=True)
        self._heartbeat_interval, self._grace_period, self._stale_trial_callback = interval, grace_period, callback

    def _setup(self) -> None:
        # Heartbeats themselves are run by albacore.storages._heartbeat, as for every storage.
        parsed = normalize_url(self.url)
        self._url_text = parsed.render_as_string(hide_password=True)
        self.engine = create_engine(parsed, self.engine_kwargs)
        self._write_engine = self.engine.execution_options(**{WRITE_OPTION: True})
        self._dialect = self.engine.dialect.name
        # An in-memory SQLite database lives on one shared connection: its users must take turns.
        self._serial: threading.RLock | None = (
            threading.RLock() if isinstance(self.engine.pool, sa.pool.StaticPool) else None
        )
        self._raw = RawSQL(self.engine, self._serial)
        self._trials = TrialStore(self._raw, DistributionCache())
        # Storages made from URLs are seldom closed by hand: close the connections when this is collected.
        weakref.finalize(self, _release, self._raw, self.engine)

    def __getstate__(self) -> dict[str, Any]:
        return {
            key: getattr(self, key)
            for key in (
                "url",
                "engine_kwargs",
                "skip_compatibility_check",
                "skip_table_creation",
                "_heartbeat_interval",
                "_grace_period",
                "_stale_trial_callback",
                "_heartbeat_config",
            )
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup()
        self._ensure_schema()  # as when it was made (an in-memory database is a new, empty one in this process)

    def _ensure_schema(self) -> None:
        _migrate.ensure_schema(
            self.engine,
            self._url_text,
            create_tables=not self.skip_table_creation,
            check=not self.skip_compatibility_check,
        )

    # --- transactions ------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _tx(self, *, write: bool) -> Iterator[sa.Connection]:
        with self._serial or contextlib.nullcontext(), (self._write_engine if write else self.engine).begin() as conn:
            yield conn

    def _write(self, body: Callable[[sa.Connection], Any], *, retry_integrity: bool = False) -> Any:
        def attempt() -> Any:
            with self._tx(write=True) as conn:
                return body(conn)

        return run_with_retries(attempt, retry_integrity=retry_integrity)

    def _read(self, body: Callable[[sa.Connection], Any]) -> Any:
        def attempt() -> Any:
            with self._tx(write=False) as conn:
                return body(conn)

        return run_with_retries(attempt)

    def _upsert(
        self,
        conn: sa.Connection,
        table: sa.Table,
        rows: list[dict[str, Any]],
        keys: Sequence[str],
        update: Sequence[str],
    ) -> None:
        if not rows:
            return
        stmt: Any
        if self._dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            stmt = pg_insert(table)
            stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in update})
        elif self._dialect in ("mysql", "mariadb"):
            from sqlalchemy.dialects.mysql import insert as my_insert

            stmt = my_insert(table)
            stmt = stmt.on_duplicate_key_update({c: stmt.inserted[c] for c in update})
        else:
            from sqlalchemy.dialects.sqlite import insert as lite_insert

            stmt = lite_insert(table)
            stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_={c: stmt.excluded[c] for c in update})
        conn.execute(stmt, rows)

    # --- studies -----------------------------------------------------------------------------------------

    def _study_names(self) -> list[str]:
        names: list[str] = self._read(
            lambda conn: list(
                conn.execute(sa.select(m.studies.c.study_name).order_by(m.studies.c.study_name)).scalars()
            )
        )
        return names

    def create_new_study(self, directions: Sequence[StudyDirection], study_name: str | None = None) -> int:
        name = study_name if study_name is not None else DEFAULT_STUDY_NAME_PREFIX + str(uuid.uuid4())
        if len(name) > m.MAX_NAME_LENGTH:
            raise InvalidArgumentError(
                f"A study name may have at most {m.MAX_NAME_LENGTH} characters, got {len(name)}."
            )
        encoded = json.dumps([int(d) for d in directions])

        def body(conn: sa.Connection) -> int | None:
            if conn.execute(sa.select(m.studies.c.study_id).where(m.studies.c.study_name == name)).first():
                return None
            result = conn.execute(sa.insert(m.studies).values(study_name=name, directions=encoded, next_trial_number=0))
            return _inserted_id(result)

        try:
            study_id: int | None = self._write(body)
        except exc.IntegrityError:
            study_id = None
        if study_id is None:
            raise DuplicatedStudyError(
                f"A study named {name!r} already exists; pass load_if_exists=True to continue it, or pick another "
                f"name. Existing studies: {self._study_names()}."
            )
        return study_id

    def delete_study(self, study_id: int) -> None:
        def body(conn: sa.Connection) -> int:
            return conn.execute(sa.delete(m.studies).where(m.studies.c.study_id == study_id)).rowcount

        if self._write(body) == 0:
            raise missing_study(study_id)
        for key in [k for k in self._trials.kinds if k[0] == study_id]:
            del self._trials.kinds[key]

    def _set_study_attr(self, table: sa.Table, study_id: int, key: str, value: Any) -> None:
        text = dump_attr(key, value)

        def body(conn: sa.Connection) -> bool:
            if conn.execute(sa.select(m.studies.c.study_id).where(m.studies.c.study_id == study_id)).first() is None:
                return False
            self._upsert(
                conn,
                table,
                [{"study_id": study_id, "key": key, "value_json": text}],
                ("study_id", "key"),
                ("value_json",),
            )
            return True

        if not self._write(body, retry_integrity=True):
            raise missing_study(study_id)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr(m.study_user_attrs, study_id, key, value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr(m.study_system_attrs, study_id, key, value)

    def compare_and_set_study_system_attr(self, study_id: int, key: str, expected: Any, value: Any) -> bool:
        text, lock = dump_attr(key, value), self._dialect != "sqlite"  # SQLite's BEGIN IMMEDIATE excludes others
        return bool(
            self._write(lambda c: compare_and_set_attr(c, study_id, key, expected, text, lock), retry_integrity=True)
        )

    def get_study_id_from_name(self, study_name: str) -> int:
        found = self._read(
            lambda conn: conn.execute(
                sa.select(m.studies.c.study_id).where(m.studies.c.study_name == study_name)
            ).scalar()
        )
        if found is None:
            raise StudyNotFoundError(f"No study named {study_name!r}; existing studies: {self._study_names()}.")
        return int(found)

    def _study_column(self, study_id: int, column: sa.Column[Any]) -> Any:
        found = self._read(lambda conn: conn.execute(sa.select(column).where(m.studies.c.study_id == study_id)).first())
        if found is None:
            raise missing_study(study_id)
        return found[0]

    def get_param_distribution(self, study_id: int, param_name: str) -> BaseDistribution | None:
        known = self._trials.kinds.get((study_id, param_name))
        if known is not None:
            return known
        kinds = m.study_param_kinds
        text = self._read(
            lambda conn: conn.execute(
                sa.select(kinds.c.distribution_json).where(
                    (kinds.c.study_id == study_id) & (kinds.c.param_name == param_name)
                )
            ).scalar()
        )
        if text is None:
            self._study_column(study_id, m.studies.c.study_id)  # raises for an unknown study
            return None
        # A parameter's kind never changes once recorded, so it may be remembered for good.
        return self._trials.kinds.setdefault((study_id, param_name), self._trials.dists.load(text))

    def get_study_name_from_id(self, study_id: int) -> str:
        return str(self._study_column(study_id, m.studies.c.study_name))

    def get_study_directions(self, study_id: int) -> list[StudyDirection]:
        return [StudyDirection(d) for d in json.loads(self._study_column(study_id, m.studies.c.directions))]

    def _study_attrs(self, table: sa.Table, study_id: int) -> dict[str, Any]:
        s = m.studies

        def body(conn: sa.Connection) -> list[Any]:
            return list(
                conn.execute(
                    sa.select(s.c.study_id, table.c.key, table.c.value_json)
                    .select_from(s.outerjoin(table, table.c.study_id == s.c.study_id))
                    .where(s.c.study_id == study_id)
                )
            )

        rows = self._read(body)
        if not rows:
            raise missing_study(study_id)
        return {key: json.loads(text) for _, key, text in rows if key is not None}

    def get_study_user_attrs(self, study_id: int) -> dict[str, Any]:
        return self._study_attrs(m.study_user_attrs, study_id)

    def get_study_system_attrs(self, study_id: int) -> dict[str, Any]:
        return self._study_attrs(m.study_system_attrs, study_id)

    def get_all_studies(self) -> list[FrozenStudy]:
        def body(conn: sa.Connection) -> list[FrozenStudy]:
            attrs: list[dict[int, dict[str, Any]]] = []
            for table in (m.study_user_attrs, m.study_system_attrs):
                found: dict[int, dict[str, Any]] = {}
                for study_id, key, text in conn.execute(sa.select(table.c.study_id, table.c.key, table.c.value_json)):
                    found.setdefault(study_id, {})[key] = json.loads(text)
                attrs.append(found)
            rows = conn.execute(
                sa.select(m.studies.c.study_id, m.studies.c.study_name, m.studies.c.directions).order_by(
                    m.studies.c.study_id
                )
            )
            return [
                FrozenStudy(
                    name,
                    None,
                    attrs[0].get(study_id, {}),
                    attrs[1].get(study_id, {}),
                    study_id,
                    directions=[StudyDirection(d) for d in json.loads(directions)],
                )
                for study_id, name, directions in rows
            ]

        studies: list[FrozenStudy] = self._read(body)
        return studies

    # --- writing trials ----------------------------------------------------------------------------------

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        return self._trials.create(study_id, template_trial, time.time())._trial_id

    def _create_trial(self, study_id: int, template: FrozenTrial | None) -> FrozenTrial:
        """Create a trial and return it as stored (what a cache needs without reading it back)."""
        return self._trials.create(study_id, template, time.time())

    def _create_trials(self, study_id: int, templates: Sequence[FrozenTrial]) -> list[int]:
        return [trial._trial_id for trial in self._create_trials_as_stored(study_id, templates)]

    def _create_trials_as_stored(self, study_id: int, templates: Sequence[FrozenTrial]) -> list[FrozenTrial]:
        """``_create_trials`` in one transaction, returning the trials as stored (what a cache needs)."""
        return self._trials.create_many(study_id, templates, time.time()) if templates else []

    def set_trial_params(self, trial_id: int, params: ParamWrites) -> None:
        if params:
            self._trials.set_params(trial_id, params)

    def set_trial_state_values(
        self,
        trial_id: int,
        state: TrialState,
        values: Sequence[float] | None = None,
        *,
        params: ParamWrites | None = None,
    ) -> bool:
        return self._trials.set_state(trial_id, state, values, params, time.time())

    def _set_state(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None, params: ParamWrites | None, now: float
    ) -> bool:
        return self._trials.set_state(trial_id, state, values, params, now)

    def _end_trial_and_start_next(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None, params: ParamWrites | None
    ) -> int | None:
        started = self._end_and_start(trial_id, state, values, params, time.time())
        return None if started is None else started[1]._trial_id

    def _end_and_start(
        self, trial_id: int, state: TrialState, values: Sequence[float] | None, params: ParamWrites | None, now: float
    ) -> tuple[int, FrozenTrial] | None:
        """``_end_trial_and_start_next``, returning the new trial as stored with its study id (for a cache)."""
        started = self._trials.end_and_start(trial_id, state, values, params, now)
        return None if started is None else (self._trials.homes[started._trial_id][0], started)

    def fail_stale_trial(self, study_id: int, trial_id: int, retry: FrozenTrial | None = None) -> int | None:
        return self._trials.fail_stale(study_id, trial_id, retry, time.time())

    def set_trial_intermediate_value(self, trial_id: int, step: int, intermediate_value: float) -> None:
        self._trials.set_intermediate_value(trial_id, step, intermediate_value)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._trials.set_attr("trial_user_attrs", trial_id, key, value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._trials.set_attr("trial_system_attrs", trial_id, key, value)

    # --- reading trials ----------------------------------------------------------------------------------

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        found = self._trials.id_by_number(study_id, trial_number)
        if found is None:
            raise KeyError(f"Study {study_id} has no trial #{trial_number}.")
        return found

    def get_trial_number_from_id(self, trial_id: int) -> int:
        home = self._trials.homes.get(trial_id)
        if home is not None:
            return home[1]
        return self.get_trial(trial_id).number

    def get_trial(self, trial_id: int) -> FrozenTrial:
        return self._trials.get(trial_id)

    def _read_trials(
        self,
        study_id: int,
        *,
        after_number: int | None = None,
        trial_ids: Sequence[int] = (),
        states: Container[TrialState] | None = None,
    ) -> list[FrozenTrial]:
        """Trials of a study: all, or (for caches) those numbered after ``after_number`` plus ``trial_ids``."""
        state_list = None if states is None else [s for s in TrialState if s in states]
        return self._trials.study_trials(study_id, after_number=after_number, trial_ids=trial_ids, states=state_list)

    def get_all_trials(
        self, study_id: int, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        # Every trial read here is a fresh object, so there is nothing to copy whatever `deepcopy` says.
        return self._read_trials(study_id, states=states)

    def get_n_trials(self, study_id: int, state: TrialState | tuple[TrialState, ...] | None = None) -> int:
        states = (state,) if isinstance(state, TrialState) else state
        return self._trials.count(study_id, states)

    def _best_trial_id(self, study_id: int, direction: StudyDirection) -> int | None:
        return self._trials.best_id(study_id, direction)

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        directions = self.get_study_directions(study_id)
        if len(directions) > 1:
            raise RuntimeError("A study with several objectives has no single best trial; use `best_trials`.")
        best = self._best_trial_id(study_id, directions[0])
        if best is None:
            raise ValueError("No trials are completed yet.")
        return self.get_trial(best)

    def claim_waiting_trial(self, study_id: int) -> int | None:
        while True:
            trial_id = self._trials.oldest_waiting(study_id)
            if trial_id is None:
                return None
            try:
                if self.set_trial_state_values(trial_id, TrialState.RUNNING):
                    return trial_id
            except UpdateFinishedTrialError:
                pass  # another worker claimed and finished it in between; look again

    # --- schema and lifetime -----------------------------------------------------------------------------

    def upgrade(self) -> None:
        """Bring the database schema to the newest revision this albacore knows (run Alembic migrations).

        A database made by Optuna (opened with ``skip_compatibility_check=True``) is converted in place, as
        ``albacore storage upgrade --from-optuna`` does: its studies keep their ids and trials, and Optuna can no
        longer open it afterwards, so back it up first (or copy it with ``albacore storage import`` instead).
        """
        from albacore.storages._optuna._rdb import OPTUNA_REVISIONS

        if _migrate.current_version(self.engine) in OPTUNA_REVISIONS:
            from albacore.storages._optuna import convert_optuna_database

            self.remove_session()  # the conversion drops and makes tables: no connection of ours may hold the old
            convert_optuna_database(self.url)
            return
        _migrate.upgrade(self.engine)

    def get_current_version(self) -> str:
        """The schema revision of the database."""
        version = _migrate.current_version(self.engine)
        if version is None:
            raise StorageVersionError(f"The storage {self._url_text} has no albacore schema.")
        return version

    def get_head_version(self) -> str:
        """The newest schema revision this albacore knows."""
        return m.SCHEMA_HEAD

    def get_all_versions(self) -> list[str]:
        """Every schema revision this albacore knows, newest first."""
        return _migrate.all_versions()

    def remove_session(self) -> None:
        _release(self._raw, self.engine)

    def __repr__(self) -> str:
        return f"RDBStorage({self._url_text!r})"


def _release(raw: RawSQL, engine: sa.Engine) -> None:
    raw.close()
    engine.dispose()

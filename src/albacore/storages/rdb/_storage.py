"""RDBStorage: studies in SQLite, PostgreSQL or MySQL/MariaDB, shared by any number of processes and machines."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc

from albacore.distributions import BaseDistribution, check_distribution_compatibility, distribution_to_json
from albacore.exceptions import (
    DuplicatedStudyError,
    InvalidArgumentError,
    StorageVersionError,
    StudyNotFoundError,
    UpdateFinishedTrialError,
)
from albacore.storages._base import DEFAULT_STUDY_NAME_PREFIX, BaseStorage, ParamWrites
from albacore.storages.rdb import _migrate
from albacore.storages.rdb import _models as m
from albacore.storages.rdb._codec import DistributionCache, dump_attr, encode_float, from_epoch, to_epoch
from albacore.storages.rdb._engine import WRITE_OPTION, create_engine, normalize_url, run_with_retries
from albacore.storages.rdb._read import read_trials, trials_condition
from albacore.study._direction import StudyDirection
from albacore.study._frozen import FrozenStudy
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
    operating system crash may be lost. Writers open their transactions with ``BEGIN IMMEDIATE`` and wait
    on a busy timeout, so several processes can share one file. Do not put the file on a network file
    system (NFS): its locks are unreliable; use PostgreSQL or MySQL across machines.

    Passing a URL as ``storage=`` to ``create_study`` wraps this class in a client-side cache; construct it
    yourself to pass ``engine_kwargs`` or the other options.

    Args:
        url: A SQLAlchemy URL, e.g. ``"sqlite:///study.db"`` or ``"postgresql://user:pass@host/db"``.
        engine_kwargs: Extra arguments for ``sqlalchemy.create_engine``.
        skip_compatibility_check: Open a database whatever its schema revision (at your own risk).
        heartbeat_interval: Seconds between heartbeats of running trials (positive integer), or None.
        grace_period: Seconds without a heartbeat after which a running trial counts as stale, or None.
        failed_trial_callback: Called as ``callback(study, trial)`` for each trial failed as stale.
        skip_table_creation: Do not create the tables of an empty database.

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
        failed_trial_callback: Callable[..., None] | None = None,
        skip_table_creation: bool = False,
    ) -> None:
        if not isinstance(url, str):
            raise InvalidArgumentError(f"`url` must be a database URL string, got {url!r}.")
        if engine_kwargs is not None and not isinstance(engine_kwargs, dict):
            raise InvalidArgumentError(f"`engine_kwargs` must be a dict or None, got {engine_kwargs!r}.")
        if failed_trial_callback is not None and not callable(failed_trial_callback):
            raise InvalidArgumentError(
                f"`failed_trial_callback` must be callable or None, got {failed_trial_callback!r}."
            )
        self.url = url
        self.engine_kwargs = dict(engine_kwargs or {})
        self.skip_compatibility_check = skip_compatibility_check
        self.heartbeat_interval = _positive_int_or_none("heartbeat_interval", heartbeat_interval)
        self.grace_period = _positive_int_or_none("grace_period", grace_period)
        self.failed_trial_callback = failed_trial_callback
        self.skip_table_creation = skip_table_creation
        self._setup()
        _migrate.ensure_schema(
            self.engine, self._url_text, create_tables=not skip_table_creation, check=not skip_compatibility_check
        )

    def _setup(self) -> None:
        parsed = normalize_url(self.url)
        self._url_text = parsed.render_as_string(hide_password=True)
        self.engine = create_engine(parsed, self.engine_kwargs)
        self._write_engine = self.engine.execution_options(**{WRITE_OPTION: True})
        self._dialect = self.engine.dialect.name
        # An in-memory SQLite database lives on one shared connection: its users must take turns.
        self._serial: threading.RLock | None = (
            threading.RLock() if isinstance(self.engine.pool, sa.pool.StaticPool) else None
        )
        self._dists = DistributionCache()
        # Facts that never change once committed: (study id, param name) -> first distribution, and
        # trial id -> (study id, number).
        self._kinds: dict[tuple[int, str], BaseDistribution] = {}
        self._homes: dict[int, tuple[int, int]] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {
            key: getattr(self, key)
            for key in (
                "url",
                "engine_kwargs",
                "skip_compatibility_check",
                "heartbeat_interval",
                "grace_period",
                "failed_trial_callback",
                "skip_table_creation",
            )
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup()

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

    def _missing_study(self, study_id: int) -> StudyNotFoundError:
        return StudyNotFoundError(f"No study with id {study_id} exists in this storage.")

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
            raise self._missing_study(study_id)
        for key in [k for k in self._kinds if k[0] == study_id]:
            del self._kinds[key]

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
            raise self._missing_study(study_id)

    def set_study_user_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr(m.study_user_attrs, study_id, key, value)

    def set_study_system_attr(self, study_id: int, key: str, value: Any) -> None:
        self._set_study_attr(m.study_system_attrs, study_id, key, value)

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
            raise self._missing_study(study_id)
        return found[0]

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
            raise self._missing_study(study_id)
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

    def _take_number(self, conn: sa.Connection, study_id: int) -> int:
        """Reserve the study's next trial number; the UPDATE holds the study row lock until commit."""
        s = m.studies
        bump = sa.update(s).where(s.c.study_id == study_id).values(next_trial_number=s.c.next_trial_number + 1)
        if self._dialect in ("mysql", "mariadb"):
            if conn.execute(bump).rowcount == 0:
                raise self._missing_study(study_id)
            following = conn.execute(sa.select(s.c.next_trial_number).where(s.c.study_id == study_id)).scalar_one()
        else:
            following = conn.execute(bump.returning(s.c.next_trial_number)).scalar()
            if following is None:
                raise self._missing_study(study_id)
        return int(following) - 1

    def _check_kinds(
        self, conn: sa.Connection, study_id: int, dists: Mapping[str, BaseDistribution]
    ) -> list[tuple[str, BaseDistribution]]:
        """Raise IncompatibleDistributionError for a name used with another kind; return the first uses."""
        unknown = [name for name in dists if (study_id, name) not in self._kinds]
        if unknown:
            k = m.study_param_kinds
            rows = conn.execute(
                sa.select(k.c.param_name, k.c.distribution_json).where(
                    k.c.study_id == study_id, k.c.param_name.in_(unknown)
                )
            )
            for name, text in rows:
                self._kinds[(study_id, name)] = self._dists.load(text)
        first_uses = []
        for name, dist in dists.items():
            known = self._kinds.get((study_id, name))
            if known is None:
                first_uses.append((name, dist))
            elif known is not dist:
                check_distribution_compatibility(known, dist)
        if first_uses:
            conn.execute(
                sa.insert(m.study_param_kinds),
                [
                    {"study_id": study_id, "param_name": n, "distribution_json": distribution_to_json(d)}
                    for n, d in first_uses
                ],
            )
        return first_uses

    def _write_params(
        self, conn: sa.Connection, study_id: int, trial_id: int, params: Mapping[str, tuple[float, BaseDistribution]]
    ) -> list[tuple[str, BaseDistribution]]:
        for name in params:
            if len(name) > m.MAX_NAME_LENGTH:
                raise InvalidArgumentError(
                    f"A parameter name may have at most {m.MAX_NAME_LENGTH} characters: {name!r}."
                )
        first_uses = self._check_kinds(conn, study_id, {name: dist for name, (_, dist) in params.items()})
        rows = [
            {
                "trial_id": trial_id,
                "param_name": name,
                "param_value": float(internal),
                "distribution_json": distribution_to_json(dist),
            }
            for name, (internal, dist) in params.items()
        ]
        self._upsert(conn, m.trial_params, rows, ("trial_id", "param_name"), ("param_value", "distribution_json"))
        return first_uses

    def _remember_kinds(self, study_id: int, first_uses: list[tuple[str, BaseDistribution]]) -> None:
        # Only after commit: a rolled-back first use must not be taken for the study's kind.
        for name, dist in first_uses:
            self._kinds.setdefault((study_id, name), dist)

    def create_new_trial(self, study_id: int, template_trial: FrozenTrial | None = None) -> int:
        return self._create_trial(study_id, template_trial)._trial_id

    def _create_trial(self, study_id: int, template: FrozenTrial | None) -> FrozenTrial:
        """Create a trial and return it as stored (what a cache needs without reading it back)."""
        now = time.time()
        params: dict[str, tuple[float, BaseDistribution]] = {}
        if template is not None:
            params = {
                name: (dist.to_internal_repr(template.params[name]), dist)
                for name, dist in template.distributions.items()
            }
            for key in list(template.user_attrs) + list(template.system_attrs):
                if len(key) > m.MAX_NAME_LENGTH:
                    raise InvalidArgumentError(f"An attribute key may have at most {m.MAX_NAME_LENGTH} characters.")
            user = [(k, dump_attr(k, v)) for k, v in template.user_attrs.items()]
            system = [(k, dump_attr(k, v)) for k, v in template.system_attrs.items()]

        def body(conn: sa.Connection) -> tuple[int, int, list[tuple[str, BaseDistribution]]]:
            number = self._take_number(conn, study_id)
            row: dict[str, Any]
            if template is None:
                row = {"study_id": study_id, "number": number, "state": int(TrialState.RUNNING), "datetime_start": now}
            else:
                row = {
                    "study_id": study_id,
                    "number": number,
                    "state": int(template.state),
                    "datetime_start": to_epoch(template.datetime_start),
                    "datetime_complete": to_epoch(template.datetime_complete),
                }
            trial_id = _inserted_id(conn.execute(sa.insert(m.trials).values(**row)))
            first_uses: list[tuple[str, BaseDistribution]] = []
            if template is not None:
                first_uses = self._write_params(conn, study_id, trial_id, params) if params else []
                self._write_template_rest(conn, trial_id, template, user, system)
            return trial_id, number, first_uses

        trial_id, number, first_uses = self._write(body, retry_integrity=True)
        self._remember_kinds(study_id, first_uses)
        self._homes[trial_id] = (study_id, number)
        if template is None:
            return FrozenTrial(number, TrialState.RUNNING, None, from_epoch(now), None, {}, {}, {}, {}, {}, trial_id)
        return template.__deepcopy__({})._evolve(number=number, trial_id=trial_id)

    def _write_template_rest(
        self,
        conn: sa.Connection,
        trial_id: int,
        template: FrozenTrial,
        user: list[tuple[str, str]],
        system: list[tuple[str, str]],
    ) -> None:
        if template.values is not None:
            conn.execute(
                sa.insert(m.trial_values),
                [{"trial_id": trial_id, "objective": i, "value": float(v)} for i, v in enumerate(template.values)],
            )
        if template.intermediate_values:
            rows = []
            for step, value in template.intermediate_values.items():
                stored, kind = encode_float(value)
                rows.append({"trial_id": trial_id, "step": int(step), "value": stored, "value_kind": kind})
            conn.execute(sa.insert(m.trial_intermediate_values), rows)
        for table, pairs in ((m.trial_user_attrs, user), (m.trial_system_attrs, system)):
            if pairs:
                conn.execute(sa.insert(table), [{"trial_id": trial_id, "key": k, "value_json": t} for k, t in pairs])

    def _lock_running(self, conn: sa.Connection, trial_id: int) -> tuple[int, int, TrialState]:
        """Lock a trial's row for this transaction; raise unless it is RUNNING or WAITING."""
        t = m.trials
        row = conn.execute(
            sa.select(t.c.study_id, t.c.number, t.c.state).where(t.c.trial_id == trial_id).with_for_update()
        ).first()
        if row is None:
            raise KeyError(f"No trial with id {trial_id} exists in this storage.")
        study_id, number, state = row
        self._homes[trial_id] = (study_id, number)
        if state not in _UNFINISHED:
            raise UpdateFinishedTrialError(
                f"Trial #{number} is already finished ({TrialState(state).name}) and cannot be updated."
            )
        return study_id, number, TrialState(state)

    def set_trial_params(self, trial_id: int, params: ParamWrites) -> None:
        if not params:
            return

        def body(conn: sa.Connection) -> tuple[int, list[tuple[str, BaseDistribution]]]:
            study_id, _, _ = self._lock_running(conn, trial_id)
            return study_id, self._write_params(conn, study_id, trial_id, params)

        study_id, first_uses = self._write(body, retry_integrity=True)
        self._remember_kinds(study_id, first_uses)

    def set_trial_state_values(
        self,
        trial_id: int,
        state: TrialState,
        values: Sequence[float] | None = None,
        *,
        params: ParamWrites | None = None,
    ) -> bool:
        return self._set_state(trial_id, state, values, params, time.time())

    def _set_state(
        self,
        trial_id: int,
        state: TrialState,
        values: Sequence[float] | None,
        params: ParamWrites | None,
        now: float,
    ) -> bool:
        t = m.trials
        floats = None if values is None else [float(v) for v in values]

        def body(conn: sa.Connection) -> tuple[bool, int, list[tuple[str, BaseDistribution]]]:
            study_id, _, current = self._lock_running(conn, trial_id)
            if state == TrialState.RUNNING:
                if current != TrialState.WAITING:
                    return False, study_id, []
                changes: dict[str, Any] = {"state": int(state), "datetime_start": now}
            else:
                changes = {"state": int(state)}
                if state.is_finished():
                    changes["datetime_complete"] = now
            conn.execute(sa.update(t).where(t.c.trial_id == trial_id).values(**changes))
            if floats is not None:
                rows = [{"trial_id": trial_id, "objective": i, "value": v} for i, v in enumerate(floats)]
                self._upsert(conn, m.trial_values, rows, ("trial_id", "objective"), ("value",))
            first_uses = self._write_params(conn, study_id, trial_id, params) if params else []
            return True, study_id, first_uses

        changed, study_id, first_uses = self._write(body, retry_integrity=True)
        self._remember_kinds(study_id, first_uses)
        return bool(changed)

    def set_trial_intermediate_value(self, trial_id: int, step: int, intermediate_value: float) -> None:
        stored, kind = encode_float(float(intermediate_value))
        row = {"trial_id": trial_id, "step": int(step), "value": stored, "value_kind": kind}

        def body(conn: sa.Connection) -> None:
            self._lock_running(conn, trial_id)
            self._upsert(conn, m.trial_intermediate_values, [row], ("trial_id", "step"), ("value", "value_kind"))

        self._write(body, retry_integrity=True)

    def _set_trial_attr(self, table: sa.Table, trial_id: int, key: str, value: Any) -> None:
        if len(key) > m.MAX_NAME_LENGTH:
            raise InvalidArgumentError(
                f"An attribute key may have at most {m.MAX_NAME_LENGTH} characters, got {key!r}."
            )
        row = {"trial_id": trial_id, "key": key, "value_json": dump_attr(key, value)}

        def body(conn: sa.Connection) -> None:
            self._lock_running(conn, trial_id)
            self._upsert(conn, table, [row], ("trial_id", "key"), ("value_json",))

        self._write(body, retry_integrity=True)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._set_trial_attr(m.trial_user_attrs, trial_id, key, value)

    def set_trial_system_attr(self, trial_id: int, key: str, value: Any) -> None:
        self._set_trial_attr(m.trial_system_attrs, trial_id, key, value)

    # --- reading trials ----------------------------------------------------------------------------------

    def get_trial_id_from_study_id_trial_number(self, study_id: int, trial_number: int) -> int:
        t = m.trials
        found = self._read(
            lambda conn: conn.execute(
                sa.select(t.c.trial_id).where(t.c.study_id == study_id, t.c.number == trial_number)
            ).scalar()
        )
        if found is None:
            raise KeyError(f"Study {study_id} has no trial #{trial_number}.")
        return int(found)

    def get_trial_number_from_id(self, trial_id: int) -> int:
        home = self._homes.get(trial_id)
        if home is not None:
            return home[1]
        return self.get_trial(trial_id).number

    def get_trial(self, trial_id: int) -> FrozenTrial:
        found = self._read(lambda conn: read_trials(conn, trials_condition(trial_id=trial_id), self._dists))
        if not found:
            raise KeyError(f"No trial with id {trial_id} exists in this storage.")
        return found[0]  # type: ignore[no-any-return]

    def _study_exists(self, conn: sa.Connection, study_id: int) -> bool:
        return conn.execute(sa.select(m.studies.c.study_id).where(m.studies.c.study_id == study_id)).first() is not None

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

        def body(conn: sa.Connection) -> list[FrozenTrial]:
            cond = trials_condition(study_id, after_number=after_number, trial_ids=trial_ids, states=state_list)
            found = read_trials(conn, cond, self._dists)
            if not found and not self._study_exists(conn, study_id):
                raise self._missing_study(study_id)
            return found

        trials: list[FrozenTrial] = self._read(body)
        for trial in trials:
            self._homes[trial._trial_id] = (study_id, trial.number)
        return trials

    def get_all_trials(
        self, study_id: int, deepcopy: bool = True, states: Container[TrialState] | None = None
    ) -> list[FrozenTrial]:
        # Every trial read here is a fresh object, so there is nothing to copy whatever `deepcopy` says.
        return self._read_trials(study_id, states=states)

    def get_n_trials(self, study_id: int, state: TrialState | tuple[TrialState, ...] | None = None) -> int:
        t = m.trials
        states = (state,) if isinstance(state, TrialState) else state

        def body(conn: sa.Connection) -> int:
            query = sa.select(sa.func.count()).select_from(t).where(t.c.study_id == study_id)
            if states is not None:
                query = query.where(t.c.state.in_([int(s) for s in states]))
            count = int(conn.execute(query).scalar() or 0)
            if count == 0 and not self._study_exists(conn, study_id):
                raise self._missing_study(study_id)
            return count

        n: int = self._read(body)
        return n

    def _best_trial_id(self, study_id: int, direction: StudyDirection) -> int | None:
        t, v = m.trials, m.trial_values
        order = v.c.value.desc() if direction == StudyDirection.MAXIMIZE else v.c.value.asc()
        best = self._read(
            lambda conn: conn.execute(
                sa.select(t.c.trial_id)
                .join(v, v.c.trial_id == t.c.trial_id)
                .where(t.c.study_id == study_id, t.c.state == int(TrialState.COMPLETE), v.c.objective == 0)
                .order_by(order, t.c.number)
                .limit(1)
            ).scalar()
        )
        return None if best is None else int(best)

    def get_best_trial(self, study_id: int) -> FrozenTrial:
        directions = self.get_study_directions(study_id)
        if len(directions) > 1:
            raise RuntimeError("A study with several objectives has no single best trial; use `best_trials`.")
        best = self._best_trial_id(study_id, directions[0])
        if best is None:
            raise ValueError("No trials are completed yet.")
        return self.get_trial(best)

    def _oldest_waiting(self, study_id: int) -> int | None:
        t = m.trials
        found = self._read(
            lambda conn: conn.execute(
                sa.select(t.c.trial_id)
                .where(t.c.study_id == study_id, t.c.state == int(TrialState.WAITING))
                .order_by(t.c.number)
                .limit(1)
            ).scalar()
        )
        return None if found is None else int(found)

    def claim_waiting_trial(self, study_id: int) -> int | None:
        while True:
            trial_id = self._oldest_waiting(study_id)
            if trial_id is None:
                return None
            try:
                if self.set_trial_state_values(trial_id, TrialState.RUNNING):
                    return trial_id
            except UpdateFinishedTrialError:
                pass  # another worker claimed and finished it in between; look again

    # --- schema and lifetime -----------------------------------------------------------------------------

    def upgrade(self) -> None:
        """Bring the database schema to the newest revision this albacore knows (run Alembic migrations)."""
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
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"RDBStorage({self._url_text!r})"

"""Reading Optuna's relational schema (Alembic revisions v1.3.0.a to v3.2.0.a: Optuna 2.0 to 5.0).

Only reads: the source database is opened read-only where the database can (SQLite), and never written.
The layout, as Optuna's revisions left it (columns added by a revision are read only when present)::

    studies(study_id, study_name[, direction before v2.4.0.a])
    study_directions(study_id, objective, direction)                 since v2.4.0.a
    study_user_attributes / study_system_attributes(study_id, key, value_json)
    trials(trial_id, number, study_id, state, datetime_start, datetime_complete[, value before v2.4.0.a])
    trial_params(trial_id, param_name, param_value, distribution_json)       internal value + distribution
    trial_values(trial_id, objective, value[, value_type since v3.0.0.d])    before v2.4.0.a: (step, value)
    trial_intermediate_values(trial_id, step, intermediate_value[, intermediate_value_type since v3.0.0.c])
    trial_user_attributes / trial_system_attributes(trial_id, key, value_json)
    trial_heartbeats(trial_id, heartbeat)                            when Optuna created the tables (2.5 on)
    version_info(schema_version, library_version)                    the Optuna release that made the tables
    alembic_version(version_num)

Enumerations (states, directions, value kinds) are stored by name. Datetimes are naive: local time of the
worker before Optuna 5, UTC from Optuna 5 on; heartbeats are the database server's clock.
"""

from __future__ import annotations

import datetime
import json
import math
import os
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from albacore._study_records import StudyDirection
from albacore.distributions import BaseDistribution, json_to_distribution
from albacore.exceptions import InvalidArgumentError, StorageVersionError
from albacore.storages._heartbeat import HEARTBEAT_ATTR
from albacore.storages._optuna._records import SourceStudy, as_epoch_aware, read_float
from albacore.trial import FrozenTrial, TrialState

__all__ = ["OPTUNA_REVISIONS", "READABLE_REVISIONS", "OptunaRDBReader", "open_source_engine", "optuna_revision"]

OPTUNA_REVISIONS = (
    "v0.9.0.a",
    "v1.2.0.a",
    "v1.3.0.a",
    "v2.4.0.a",
    "v2.6.0.a",
    "v3.0.0.a",
    "v3.0.0.b",
    "v3.0.0.c",
    "v3.0.0.d",
    "v3.2.0.a",
)
"""Every schema revision Optuna's databases have had, oldest first (v1.3.0.a is Optuna 2.0, v3.2.0.a is 3.2 to 5.0)."""

READABLE_REVISIONS = OPTUNA_REVISIONS[2:]

_OPTUNA_TABLES = (
    "trial_heartbeats",
    "trial_intermediate_values",
    "trial_values",
    "trial_params",
    "trial_system_attributes",
    "trial_user_attributes",
    "trials",
    "study_system_attributes",
    "study_user_attributes",
    "study_directions",
    "studies",
    "version_info",
    "alembic_version",
)
"""Optuna's tables, children before parents (the order to drop them in)."""

_FINITE_KINDS = (None, "FINITE", "FINITE_OR_NAN")
_INF_POS, _INF_NEG, _NAN = "INF_POS", "INF_NEG", "NAN"


def open_source_engine(url: sa.URL) -> sa.Engine:
    """An engine that only reads: SQLite files are opened read-only, so not even a journal file is made."""
    if url.get_backend_name() == "sqlite":
        import sqlite3

        path = url.database or ""
        if path in ("", ":memory:"):
            return sa.create_engine(url)
        if not os.path.isfile(path):
            raise InvalidArgumentError(f"No SQLite database file at {path!r}.")
        return sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True))
    return sa.create_engine(url)


def optuna_revision(conn: sa.Connection) -> str | None:
    """The Optuna schema revision of the database, ``"pre-alembic"`` for Optuna before 0.9, or None if not Optuna."""
    inspector = sa.inspect(conn)
    if inspector.has_table("alembic_version"):
        version = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        return version if version in OPTUNA_REVISIONS else None
    if inspector.has_table("version_info") and inspector.has_table("studies"):
        return "pre-alembic"
    return None


def _table(name: str, *columns: sa.Column[Any]) -> sa.Table:
    return sa.Table(name, sa.MetaData(), *columns)


def _col(name: str, kind: Any = sa.Integer) -> sa.Column[Any]:
    return sa.Column(name, kind)


class OptunaRDBReader:
    """Reads the studies of an Optuna database, one study at a time, on a connection the caller holds open.

    Args:
        conn: A connection to the database (read in the caller's transaction).
        naive_timezone: The time zone of the trials' naive datetimes; None decides from the Optuna release
            that made the tables (UTC from Optuna 5 on, this machine's local time before).
    """

    def __init__(self, conn: sa.Connection, naive_timezone: datetime.tzinfo | None = None, *, auto_zone: bool = True):
        self._conn = conn
        revision = optuna_revision(conn)
        if revision is None:
            raise StorageVersionError("The database is not an Optuna storage (it has no Optuna schema revision).")
        if revision not in READABLE_REVISIONS:
            raise StorageVersionError(
                f"The database has Optuna's schema revision {revision!r}, from before Optuna 2.0, which albacore "
                "does not read. Upgrade it with a recent Optuna first (optuna storage upgrade --storage URL)."
            )
        self.revision = revision
        inspector = sa.inspect(conn)
        self._tables = set(inspector.get_table_names())
        self._columns = {
            name: {c["name"] for c in inspector.get_columns(name)} if name in self._tables else set()
            for name in ("studies", "trials", "trial_values", "trial_intermediate_values")
        }
        self.library_version = self._library_version()
        if naive_timezone is None and auto_zone and self._major() >= 5:
            naive_timezone = datetime.timezone.utc
        self.naive_timezone = naive_timezone
        self._server_offset = self._server_clock_offset()

    def _library_version(self) -> str | None:
        if "version_info" not in self._tables:
            return None
        found = self._conn.execute(sa.text("SELECT library_version FROM version_info")).scalar()
        return None if found is None else str(found)

    def _major(self) -> int:
        head = (self.library_version or "0").split(".")[0]
        return int(head) if head.isdigit() else 0

    def _server_clock_offset(self) -> datetime.timedelta:
        """How far the server's naive clock (which heartbeats use) is ahead of UTC, to the quarter hour."""
        dialect = self._conn.dialect.name
        if dialect == "sqlite":
            return datetime.timedelta(0)  # CURRENT_TIMESTAMP is UTC there
        query = "SELECT LOCALTIMESTAMP" if dialect == "postgresql" else "SELECT NOW(6)"
        server_now = self._conn.execute(sa.text(query)).scalar()
        if not isinstance(server_now, datetime.datetime):
            return datetime.timedelta(0)
        utc_now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        quarters = round((server_now.replace(tzinfo=None) - utc_now).total_seconds() / 900)
        return datetime.timedelta(seconds=quarters * 900)

    # --- studies --------------------------------------------------------------------------------------------

    def study_names(self) -> list[str]:
        """The names of every study, in creation order."""
        rows = self._conn.execute(sa.text("SELECT study_name FROM studies ORDER BY study_id"))
        return [str(name) for (name,) in rows]

    def _study_id(self, name: str) -> int:
        studies = _table("studies", _col("study_id"), _col("study_name", sa.String))
        found = self._conn.execute(sa.select(studies.c.study_id).where(studies.c.study_name == name)).scalar()
        if found is None:
            raise KeyError(f"The Optuna storage has no study named {name!r}; it has {self.study_names()}.")
        return int(found)

    def _directions(self, study_id: int) -> list[StudyDirection]:
        if "study_directions" in self._tables:
            rows = self._conn.execute(
                sa.text("SELECT direction FROM study_directions WHERE study_id = :s ORDER BY objective"),
                {"s": study_id},
            )
            names = [str(d) for (d,) in rows]
        else:
            names = [
                str(
                    self._conn.execute(
                        sa.text("SELECT direction FROM studies WHERE study_id = :s"), {"s": study_id}
                    ).scalar()
                )
            ]
        # Optuna's NOT_SET (studies made before a direction was chosen) meant minimize.
        return [StudyDirection.MAXIMIZE if n == "MAXIMIZE" else StudyDirection.MINIMIZE for n in names]

    def _study_attrs(self, name: str, study_id: int) -> dict[str, Any]:
        # Through SQLAlchemy, which quotes `key` (a reserved word in MySQL).
        table = _table(name, _col("study_id"), _col("key", sa.String), _col("value_json", sa.Text))
        rows = self._conn.execute(sa.select(table.c.key, table.c.value_json).where(table.c.study_id == study_id))
        return {str(k): json.loads(v) for k, v in rows}

    def read_study(self, name: str) -> SourceStudy:
        """Read one study with every trial."""
        study_id = self._study_id(name)
        return SourceStudy(
            name,
            self._directions(study_id),
            self._study_attrs("study_user_attributes", study_id),
            self._study_attrs("study_system_attributes", study_id),
            list(self._trials(study_id)),
        )

    def n_trials(self, name: str) -> int:
        """How many trials the study has (for a progress bar)."""
        count = self._conn.execute(
            sa.text("SELECT COUNT(*) FROM trials t JOIN studies s ON s.study_id = t.study_id WHERE s.study_name = :n"),
            {"n": name},
        ).scalar()
        return int(count or 0)

    # --- trials ---------------------------------------------------------------------------------------------

    def _by_trial(self, select: sa.Select[Any], study_id: int) -> dict[int, list[Any]]:
        """Rows of a child table of ``trials`` for one study, grouped by trial id (first column)."""
        grouped: dict[int, list[Any]] = defaultdict(list)
        for row in self._conn.execute(select, {"s": study_id}):
            grouped[int(row[0])].append(row[1:])
        return grouped

    def _child(self, table: str, *columns: str, types: dict[str, Any] | None = None) -> sa.Select[Any]:
        kinds = types or {}
        child = _table(table, _col("trial_id"), *[_col(c, kinds.get(c, sa.String)) for c in columns])
        trials = _table("trials", _col("trial_id"), _col("study_id"))
        return (
            sa.select(child.c.trial_id, *[child.c[c] for c in columns])
            .join(trials, trials.c.trial_id == child.c.trial_id)
            .where(trials.c.study_id == sa.bindparam("s"))
        )

    def _trials(self, study_id: int) -> Iterator[FrozenTrial]:
        has = self._columns
        old_values = "value" in has["trials"]  # before v2.4.0.a
        trial_columns = [
            _col("trial_id"),
            _col("number"),
            _col("study_id"),
            _col("state", sa.String),
            _col("datetime_start", sa.DateTime),
            _col("datetime_complete", sa.DateTime),
        ]
        if old_values:
            trial_columns.append(_col("value", sa.Float))
        trials = _table("trials", *trial_columns)
        rows = list(
            self._conn.execute(
                sa.select(*trials.c).where(trials.c.study_id == study_id).order_by(trials.c.number, trials.c.trial_id)
            )
        )
        params = self._by_trial(
            self._child(
                "trial_params", "param_name", "param_value", "distribution_json", types={"param_value": sa.Float}
            ),
            study_id,
        )
        values = self._values(study_id, old_values)
        steps = self._intermediate(study_id, old_values)
        user = self._by_trial(self._child("trial_user_attributes", "key", "value_json"), study_id)
        system = self._by_trial(self._child("trial_system_attributes", "key", "value_json"), study_id)
        beats: dict[int, list[Any]] = {}
        if "trial_heartbeats" in self._tables:
            beats = self._by_trial(
                self._child("trial_heartbeats", "heartbeat", types={"heartbeat": sa.DateTime}), study_id
            )
        zone = self.naive_timezone
        dists: dict[str, BaseDistribution] = {}  # each distinct text parsed once, the object shared
        for position, row in enumerate(rows):
            trial_id = int(row.trial_id)
            distributions = {}
            external = {}
            for param_name, internal, text in params.get(trial_id, ()):
                dist = dists.get(text)
                if dist is None:
                    dist = dists[text] = json_to_distribution(text)
                distributions[param_name] = dist
                external[param_name] = dist.to_external_repr(read_float(internal))
            system_attrs = {str(k): json.loads(v) for k, v in system.get(trial_id, ())}
            beat = beats.get(trial_id)
            if beat and beat[0][0] is not None:
                moment = beat[0][0].replace(tzinfo=None) - self._server_offset
                system_attrs[HEARTBEAT_ATTR] = moment.replace(tzinfo=datetime.timezone.utc).timestamp()
            trial_values = values.get(trial_id)
            if old_values and row.value is not None:
                trial_values = [float(row.value)]
            yield FrozenTrial(
                position if row.number is None else int(row.number),
                TrialState[str(row.state)],
                None,
                as_epoch_aware(row.datetime_start, zone),
                as_epoch_aware(row.datetime_complete, zone),
                external,
                distributions,
                {str(k): json.loads(v) for k, v in user.get(trial_id, ())},
                system_attrs,
                steps.get(trial_id, {}),
                trial_id,
                values=trial_values,
            )

    def _values(self, study_id: int, old_layout: bool) -> dict[int, list[float]]:
        if old_layout:
            return {}
        with_kind = "value_type" in self._columns["trial_values"]
        columns = ("objective", "value", "value_type") if with_kind else ("objective", "value")
        grouped = self._by_trial(
            self._child("trial_values", *columns, types={"objective": sa.Integer, "value": sa.Float}), study_id
        )
        found = {}
        for trial_id, rows in grouped.items():
            ordered = sorted(rows, key=lambda r: int(r[0]))
            found[trial_id] = [_decode(r[1], r[2] if with_kind else None) for r in ordered]
        return found

    def _intermediate(self, study_id: int, old_layout: bool) -> dict[int, dict[int, float]]:
        if old_layout:  # before v2.4.0.a, trial_values held the intermediate values by step
            table, value = "trial_values", "value"
            kind = None
        else:
            table, value = "trial_intermediate_values", "intermediate_value"
            kind = "intermediate_value_type" if "intermediate_value_type" in self._columns[table] else None
        columns = ("step", value, kind) if kind else ("step", value)
        grouped = self._by_trial(self._child(table, *columns, types={"step": sa.Integer, value: sa.Float}), study_id)
        return {
            trial_id: {int(r[0]): _decode(r[1], r[2] if kind else None) for r in rows if r[0] is not None}
            for trial_id, rows in grouped.items()
        }


def _decode(value: Any, kind: Any) -> float:
    name = None if kind is None else str(kind)
    if name == _INF_POS:
        return math.inf
    if name == _INF_NEG:
        return -math.inf
    if name == _NAN:
        return math.nan
    return read_float(value)


def optuna_tables() -> tuple[str, ...]:
    """Optuna's tables, children before parents."""
    return _OPTUNA_TABLES

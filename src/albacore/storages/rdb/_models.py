"""The relational schema of :class:`~albacore.storages.RDBStorage`, as SQLAlchemy Core tables.

Layout (every id is an integer primary key; children are deleted with their parent)::

    studies ─┬─ study_user_attrs, study_system_attrs      (key -> JSON text)
             ├─ study_param_kinds                         (param name -> first distribution, JSON)
             └─ trials ─┬─ trial_params                   (name -> internal float + distribution JSON)
                        ├─ trial_values                   (objective index -> float)
                        ├─ trial_intermediate_values      (step -> float, with a kind for inf/-inf/NaN)
                        └─ trial_user_attrs, trial_system_attrs
    alembic_version                                       (the schema revision, kept by Alembic)

Timestamps are seconds since the Unix epoch (UTC) in double columns: unambiguous across time zones and
servers, and turned into a local naive datetime by a single ``datetime.fromtimestamp`` call on read.
On SQLite the tables keyed by (parent id, name) are WITHOUT ROWID: one b-tree each instead of a table plus
its key index, so ending a trial writes fewer pages. ``studies.next_trial_number`` is the counter that trial
creation increments on PostgreSQL and MySQL while holding the study row lock, which is what makes numbers
gap-free under concurrency there. SQLite has one writer at a time, so since revision v3 a new trial there
takes the number after its study's largest, read from the (study_id, number) index that the insert writes
anyway; the counter is left as it is, and the study's row is not written once per trial.

The tables here always describe the newest revision (:data:`SCHEMA_HEAD`); the Alembic scripts under
``alembic/versions`` lead an older database to the same shape, and a test checks that they agree.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

__all__ = [
    "SCHEMA_HEAD",
    "SCHEMA_VERSIONS",
    "alembic_version",
    "metadata",
    "studies",
    "study_param_kinds",
    "study_system_attrs",
    "study_user_attrs",
    "trial_intermediate_values",
    "trial_params",
    "trial_system_attrs",
    "trial_user_attrs",
    "trial_values",
    "trials",
]

SCHEMA_VERSIONS = ("v1", "v2", "v3")
"""Every schema revision this albacore knows, oldest first (Alembic revision ids)."""

SCHEMA_HEAD = SCHEMA_VERSIONS[-1]

MAX_NAME_LENGTH = 512
"""Longest study name, parameter name or attribute key (MySQL needs a bound on indexed text)."""

# MySQL's TEXT stops at 64 KiB; attribute values and categorical choices may be larger.
_LongText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
# MySQL's FLOAT is single precision; every float albacore stores is a Python (double) float.
_Double: sa.types.TypeEngine[float] = sa.Double().with_variant(mysql.DOUBLE(asdecimal=False), "mysql", "mariadb")

metadata = sa.MetaData()


def _fk(column: str) -> sa.ForeignKey:
    return sa.ForeignKey(column, ondelete="CASCADE")


studies = sa.Table(
    "studies",
    metadata,
    sa.Column("study_id", sa.Integer, primary_key=True),
    sa.Column("study_name", sa.String(MAX_NAME_LENGTH), nullable=False, unique=True),
    sa.Column("directions", sa.String(256), nullable=False),
    sa.Column("next_trial_number", sa.Integer, nullable=False),
    sqlite_autoincrement=True,
)

study_user_attrs = sa.Table(
    "study_user_attrs",
    metadata,
    sa.Column("study_id", sa.Integer, _fk("studies.study_id"), primary_key=True),
    sa.Column("key", sa.String(MAX_NAME_LENGTH), primary_key=True),
    sa.Column("value_json", _LongText, nullable=False),
    sqlite_with_rowid=False,
)

study_system_attrs = sa.Table(
    "study_system_attrs",
    metadata,
    sa.Column("study_id", sa.Integer, _fk("studies.study_id"), primary_key=True),
    sa.Column("key", sa.String(MAX_NAME_LENGTH), primary_key=True),
    sa.Column("value_json", _LongText, nullable=False),
    sqlite_with_rowid=False,
)

study_param_kinds = sa.Table(
    "study_param_kinds",
    metadata,
    sa.Column("study_id", sa.Integer, _fk("studies.study_id"), primary_key=True),
    sa.Column("param_name", sa.String(MAX_NAME_LENGTH), primary_key=True),
    sa.Column("distribution_json", _LongText, nullable=False),
    sqlite_with_rowid=False,
)

trials = sa.Table(
    "trials",
    metadata,
    sa.Column("trial_id", sa.Integer, primary_key=True),
    sa.Column("study_id", sa.Integer, _fk("studies.study_id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("state", sa.SmallInteger, nullable=False),
    sa.Column("datetime_start", _Double, nullable=True),
    sa.Column("datetime_complete", _Double, nullable=True),
    sa.UniqueConstraint("study_id", "number", name="uq_trials_study_number"),
    # Revision v2: claiming the oldest WAITING trial reads this index. Where the database can, it holds only
    # the WAITING trials, so creating and ending the other trials does not write to it.
    sa.Index(
        "ix_trials_waiting",
        "study_id",
        "state",
        "number",
        sqlite_where=sa.text("state = 4"),
        postgresql_where=sa.text("state = 4"),
    ),
    sqlite_autoincrement=True,
)

trial_params = sa.Table(
    "trial_params",
    metadata,
    sa.Column("trial_id", sa.Integer, _fk("trials.trial_id"), primary_key=True),
    sa.Column("param_name", sa.String(MAX_NAME_LENGTH), primary_key=True),
    sa.Column("param_value", _Double, nullable=False),
    sa.Column("distribution_json", _LongText, nullable=False),
    sqlite_with_rowid=False,
)

trial_values = sa.Table(
    "trial_values",
    metadata,
    sa.Column("trial_id", sa.Integer, _fk("trials.trial_id"), primary_key=True),
    sa.Column("objective", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("value", _Double, nullable=False),
    sqlite_with_rowid=False,
)

trial_intermediate_values = sa.Table(
    "trial_intermediate_values",
    metadata,
    sa.Column("trial_id", sa.Integer, _fk("trials.trial_id"), primary_key=True),
    sa.Column("step", sa.BigInteger, primary_key=True, autoincrement=False),
    # NULL for NaN and the infinities, which MySQL cannot store; `value_kind` says which it was.
    sa.Column("value", _Double, nullable=True),
    sa.Column("value_kind", sa.SmallInteger, nullable=False),
    sqlite_with_rowid=False,
)

trial_user_attrs = sa.Table(
    "trial_user_attrs",
    metadata,
    sa.Column("trial_id", sa.Integer, _fk("trials.trial_id"), primary_key=True),
    sa.Column("key", sa.String(MAX_NAME_LENGTH), primary_key=True),
    sa.Column("value_json", _LongText, nullable=False),
    sqlite_with_rowid=False,
)

trial_system_attrs = sa.Table(
    "trial_system_attrs",
    metadata,
    sa.Column("trial_id", sa.Integer, _fk("trials.trial_id"), primary_key=True),
    sa.Column("key", sa.String(MAX_NAME_LENGTH), primary_key=True),
    sa.Column("value_json", _LongText, nullable=False),
    sqlite_with_rowid=False,
)

# The table Alembic keeps; declared here so that a new database is created and stamped in one transaction.
alembic_version = sa.Table(
    "alembic_version",
    metadata,
    sa.Column("version_num", sa.String(32), primary_key=True),
)

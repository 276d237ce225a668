"""The first schema of RDBStorage: studies, trials and their parameters, values and attributes.

Revision ID: v1
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "v1"
down_revision = None
branch_labels = None
depends_on = None

_NAME = sa.String(512)
_LONG_TEXT = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
_DOUBLE: sa.types.TypeEngine[float] = sa.Double().with_variant(mysql.DOUBLE(asdecimal=False), "mysql", "mariadb")


def _fk(column: str) -> sa.ForeignKey:
    return sa.ForeignKey(column, ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "studies",
        sa.Column("study_id", sa.Integer, primary_key=True),
        sa.Column("study_name", _NAME, nullable=False, unique=True),
        sa.Column("directions", sa.String(256), nullable=False),
        sa.Column("next_trial_number", sa.Integer, nullable=False),
        sqlite_autoincrement=True,
    )
    for table in ("study_user_attrs", "study_system_attrs"):
        op.create_table(
            table,
            sa.Column("study_id", sa.Integer, _fk("studies.study_id"), primary_key=True),
            sa.Column("key", _NAME, primary_key=True),
            sa.Column("value_json", _LONG_TEXT, nullable=False),
            sqlite_with_rowid=False,
        )
    op.create_table(
        "study_param_kinds",
        sa.Column("study_id", sa.Integer, _fk("studies.study_id"), primary_key=True),
        sa.Column("param_name", _NAME, primary_key=True),
        sa.Column("distribution_json", _LONG_TEXT, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "trials",
        sa.Column("trial_id", sa.Integer, primary_key=True),
        sa.Column("study_id", sa.Integer, _fk("studies.study_id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("state", sa.SmallInteger, nullable=False),
        sa.Column("datetime_start", _DOUBLE, nullable=True),
        sa.Column("datetime_complete", _DOUBLE, nullable=True),
        sa.UniqueConstraint("study_id", "number", name="uq_trials_study_number"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "trial_params",
        sa.Column("trial_id", sa.Integer, _fk("trials.trial_id"), primary_key=True),
        sa.Column("param_name", _NAME, primary_key=True),
        sa.Column("param_value", _DOUBLE, nullable=False),
        sa.Column("distribution_json", _LONG_TEXT, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "trial_values",
        sa.Column("trial_id", sa.Integer, _fk("trials.trial_id"), primary_key=True),
        sa.Column("objective", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("value", _DOUBLE, nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "trial_intermediate_values",
        sa.Column("trial_id", sa.Integer, _fk("trials.trial_id"), primary_key=True),
        sa.Column("step", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("value", _DOUBLE, nullable=True),
        sa.Column("value_kind", sa.SmallInteger, nullable=False),
        sqlite_with_rowid=False,
    )
    for table in ("trial_user_attrs", "trial_system_attrs"):
        op.create_table(
            table,
            sa.Column("trial_id", sa.Integer, _fk("trials.trial_id"), primary_key=True),
            sa.Column("key", _NAME, primary_key=True),
            sa.Column("value_json", _LONG_TEXT, nullable=False),
            sqlite_with_rowid=False,
        )


def downgrade() -> None:
    for table in (
        "trial_system_attrs",
        "trial_user_attrs",
        "trial_intermediate_values",
        "trial_values",
        "trial_params",
        "trials",
        "study_param_kinds",
        "study_system_attrs",
        "study_user_attrs",
        "studies",
    ):
        op.drop_table(table)

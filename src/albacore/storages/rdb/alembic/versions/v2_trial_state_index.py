"""Index the WAITING trials by (study, state, number), for claiming the oldest one.

SQLite and PostgreSQL keep only WAITING trials in it (a partial index); MySQL, which has none, indexes all.

Revision ID: v2
Revises: v1
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v2"
down_revision = "v1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_trials_waiting",
        "trials",
        ["study_id", "state", "number"],
        sqlite_where=sa.text("state = 4"),
        postgresql_where=sa.text("state = 4"),
    )


def downgrade() -> None:
    op.drop_index("ix_trials_waiting", table_name="trials")

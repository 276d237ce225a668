"""SQLite numbers new trials from the trials table; older writers must not share the file.

From this revision on, a trial created in an SQLite database takes the number after the largest one of its
study, read from the (study_id, number) index inside the write transaction; ``studies.next_trial_number``
is no longer advanced there (PostgreSQL and MySQL still advance it, under the study row lock). A writer of
revision v2 would take its numbers from that stale counter, so the revision changes no table: it only makes
older albacore versions refuse the database instead of clashing on numbers. The counter of every existing
study already equals its largest number plus one, so nothing needs to be rewritten.

Revision ID: v3
Revises: v2
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v3"
down_revision = "v2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change in the tables; see the module docstring."""


def downgrade() -> None:
    """Bring every study's counter up to date again, as v2 writers take their numbers from it."""
    op.execute(
        sa.text(
            "UPDATE studies SET next_trial_number = COALESCE("
            "(SELECT MAX(t.number) + 1 FROM trials t WHERE t.study_id = studies.study_id), 0)"
        )
    )

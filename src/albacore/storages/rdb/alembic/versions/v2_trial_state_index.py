"""Index trials by (study, state, number): claiming the oldest WAITING trial and counting by state.

Revision ID: v2
Revises: v1
"""

from __future__ import annotations

from alembic import op

revision = "v2"
down_revision = "v1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_trials_study_state_number", "trials", ["study_id", "state", "number"])


def downgrade() -> None:
    op.drop_index("ix_trials_study_state_number", table_name="trials")
